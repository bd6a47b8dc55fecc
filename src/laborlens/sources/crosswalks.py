"""Parsers for occupation-code crosswalks: SOC 2010 -> SOC 2018 and ISCO-08 <-> SOC 2010.

Both are many-to-many link lists; how scores travel along them (and with which weights) is
in :mod:`laborlens.measures.crosswalk`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, check_unique, read_table

__all__ = ["read_isco_soc2010_crosswalk", "read_onet_2010_to_2019", "read_soc2010_to_2018"]

# BLS marks titles of codes that split or receive parts with (#) and (##); they are not part
# of the title.
_MARKS = r"\s*\(#+\)\s*$"


def read_soc2010_to_2018(path: str | Path) -> pd.DataFrame:
    """SOC 2010 -> SOC 2018 detailed-occupation crosswalk (BLS, in the copy carried with the
    Frey & Osborne data: 900 links, 840 SOC 2010 and 867 SOC 2018 codes).

    Returns soc_2010_code, soc_2010_title, soc_2018_code, soc_2018_title (titles without the
    BLS (#)/(##) split marks). Raises LayoutError on a missing column, a malformed code or a
    repeated link.
    """
    cols = [
        Col("2010 SOC Code", "soc_2010_code", "soc"),
        Col("2010 SOC Title", "soc_2010_title"),
        Col("2018 SOC Code", "soc_2018_code", "soc"),
        Col("2018 SOC Title", "soc_2018_title"),
    ]
    frame = read_table(path, cols)
    for col in ("soc_2010_title", "soc_2018_title"):
        frame[col] = frame[col].str.replace(_MARKS, "", regex=True)
    return check_unique(frame, ["soc_2010_code", "soc_2018_code"], path)


_ISCO_SHEET = "ISCO-08 to 2010 SOC"


def read_isco_soc2010_crosswalk(path: str | Path) -> pd.DataFrame:
    """ISCO-08 -> SOC 2010 crosswalk (BLS for the SOC Policy Committee, August 2012, updated
    June 2015; sheet ``ISCO-08 to 2010 SOC``; 1,125 links).

    Returns isco_08_code (text; 4 digits, except two links to the 3-digit ISCO groups 211 and
    315), isco_title, part (True where the file marks ``*``: the ISCO code covers only part of
    the SOC code or the reverse), soc_2010_code, soc_2010_title.

    Raises LayoutError on a missing sheet or column, a code that is not 3–4 digits, a
    malformed SOC code or a repeated link.
    """
    path = Path(path)
    cols = [
        Col("ISCO-08 Code", "isco_08_code", "isco"),
        Col("ISCO-08 Title EN", "isco_title"),
        Col("part", "part", required=False),
        Col("2010 SOC Code", "soc_2010_code", "soc"),
        Col("2010 SOC Title", "soc_2010_title"),
    ]
    frame = read_table(path, cols, sheet=_ISCO_SHEET)
    part = frame["part"]
    odd = part.notna() & (part != "*")
    if odd.any():
        i = int(np.argmax(odd.to_numpy()))
        msg = f"expected '*' or blank, found {part.iloc[i]!r}"
        raise LayoutError(path, msg, column="part", sheet=_ISCO_SHEET)
    frame["part"] = part.notna()
    return check_unique(frame, ["isco_08_code", "soc_2010_code"], path)


def read_onet_2010_to_2019(path: str | Path) -> pd.DataFrame:
    """O*NET-SOC 2010 -> O*NET-SOC 2019 taxonomy crosswalk (O*NET Center, CSV conversion;
    1,164 links, 1,110 O*NET-SOC 2010 and 1,012 O*NET-SOC 2019 codes).

    Returns onet_2010_code, onet_2010_title, onet_2019_code, onet_2019_title. Raises
    LayoutError on a missing column, a malformed code or a repeated link.
    """
    cols = [
        Col("O*NET-SOC 2010 Code", "onet_2010_code", "onet_soc"),
        Col("O*NET-SOC 2010 Title", "onet_2010_title"),
        Col("O*NET-SOC 2019 Code", "onet_2019_code", "onet_soc"),
        Col("O*NET-SOC 2019 Title", "onet_2019_title"),
    ]
    return check_unique(read_table(path, cols), ["onet_2010_code", "onet_2019_code"], path)
