"""Parser for Frey & Osborne's probability of computerisation (2013 working paper / 2017 TFSC).

The mirror holds a third-party parse of the paper's appendix (ignaciourbina/labor-force): 702
occupations by SOC 2010 code. Seventeen codes are not SOC 2010 detailed occupations: SOC 2010
groups (29-1060 Physicians and Surgeons, 25-1000 Postsecondary Teachers …) and the hybrid
codes BLS's OES program used around 2010 (29-1111 Registered Nurses, 15-1179 …);
:data:`HYBRID_CODES` maps the latter onto SOC 2010.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, check_unique, read_table

__all__ = ["HYBRID_CODES", "read_frey_osborne"]

# OES hybrid / SOC 2000 codes in the F&O appendix -> the SOC 2010 detailed codes they stand for
# (OES 2010-2011 hybrid structure: SOC 2000 codes that SOC 2010 split keep all their SOC 2010
# parts; "all other" residuals X799/X999 are the SOC 2010 X099 residuals). A group's score goes
# only to members that F&O does not score themselves.
HYBRID_CODES: dict[str, tuple[str, ...]] = {
    # Registered nurses (SOC 2000 code); SOC 2010 split off anesthetists, midwives and NPs
    "29-1111": ("29-1141", "29-1151", "29-1161", "29-1171"),
    "25-3999": ("25-3099",),  # Teachers and instructors, all other
    "29-9799": ("29-9099",),  # Healthcare practitioners and technical workers, all other
    "39-4831": ("11-9061", "39-4031"),  # Funeral service managers, directors, morticians
    "15-1179": ("15-1122", "15-1134", "15-1143"),  # Info security analysts, web devs, network
    "15-1799": ("15-1199",),  # Computer occupations, all other
    "29-2037": ("29-2034", "29-2035"),  # Radiologic technologists and technicians
    "13-1078": ("13-1071", "13-1075"),  # HR, training and labor relations specialists, a.o.
    "29-2799": ("29-2099",),  # Health technologists and technicians, all other
    "49-9799": ("49-9099",),  # Installation, maintenance and repair workers, all other
    "31-9799": ("31-9097", "31-9099"),  # Healthcare support workers, a.o. (+ phlebotomists)
    "47-4799": ("47-4099",),  # Construction and related workers, all other
    "51-9399": ("51-9199",),  # Production workers, all other
}


def read_frey_osborne(path: str | Path) -> pd.DataFrame:
    """Probability of computerisation per occupation (702 rows).

    Returns rank, soc_2010_code (as printed; see :data:`HYBRID_CODES`), title, probability
    (0–1). Raises LayoutError on a missing column, a malformed code or value, a probability
    outside [0, 1] or a repeated code.
    """
    cols = [
        Col("Rank", "rank", "int"),
        Col("SOC code", "soc_2010_code", "soc"),
        Col("Occupation", "title"),
        Col("Probability", "probability", "float"),
    ]
    frame = check_unique(read_table(path, cols), ["soc_2010_code"], path)
    _check_range(frame, path)
    return frame[["rank", "soc_2010_code", "title", "probability"]]


def _check_range(frame: pd.DataFrame, path: str | Path) -> None:
    bad = ~frame["probability"].between(0.0, 1.0)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected a probability in [0, 1], found {frame['probability'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="Probability")
