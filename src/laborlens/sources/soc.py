"""Parsers for the Standard Occupational Classification (SOC 2018): its structure, and the BLS
crosswalk from O*NET-SOC 2019 occupations to the SOC-based National Employment Matrix codes.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, read_table

__all__ = ["read_onet_soc_crosswalk", "read_soc_structure", "soc_major"]

_SOC = re.compile(r"^(\d{2})-\d{4}$")


def soc_major(code: str) -> str:
    """SOC major group of a SOC code: ``'15-1252'`` -> ``'15-0000'``.

    Only the major group follows from the digits; minor and broad groups do not always (15-1252
    is in minor group 15-1200), so take those from :func:`read_soc_structure`.
    """
    match = _SOC.match(str(code))
    if match is None:
        msg = f"expected a SOC code like '15-1252', got {code!r}"
        raise ValueError(msg)
    return f"{match.group(1)}-0000"


# --------------------------------------------------------------------------------------------
# SOC 2018 structure (soc_structure_2018.xlsx)

_LEVELS = [
    ("Major Group", "major"),
    ("Minor Group", "minor"),
    ("Broad Group", "broad"),
    ("Detailed Occupation", "detailed"),
]
# The title column has no header in the BLS workbook; read_table names an empty header cell "".
_UNTITLED = ""


def read_soc_structure(path: str | Path) -> pd.DataFrame:
    """SOC 2018 hierarchy, ``soc_structure_2018.xlsx`` (BLS, November 2017).

    The file lists every code in hierarchy order, each in the column of its level; the title
    rows above the header are skipped.

    Returns
    -------
    DataFrame
        One row per code (23 major, 98 minor, 459 broad, 867 detailed in SOC 2018):

        - soc_code : str, ``NN-NNNN``
        - level : str, major / minor / broad / detailed
        - title : str
        - major_code : str, every row (a major group row names itself)
        - minor_code : str, rows at minor level and below; NA for major groups
        - broad_code : str, broad groups and detailed occupations; NA above

    Raises
    ------
    LayoutError
        A column is missing, a row has no code or several, or a code is not under the group
        above it (rows out of order).
    """
    path = Path(path)
    cols = [Col(source, name, "soc", required=False) for source, name in _LEVELS]
    cols.append(Col(_UNTITLED, "title"))
    raw = read_table(path, cols)
    names = [name for _, name in _LEVELS]
    filled = raw[names].notna()
    count = filled.sum(axis=1).to_numpy()
    if (count != 1).any():
        i = int(np.argmax(count != 1))
        title = raw["title"].iloc[i]
        msg = f"expected exactly one code per row, found {count[i]} (title {title!r})"
        raise LayoutError(path, msg)
    level = pd.Series(np.array(names)[np.argmax(filled.to_numpy(), axis=1)], index=raw.index)
    out = pd.DataFrame(
        {
            "soc_code": raw[names].bfill(axis=1).iloc[:, 0].astype("string"),
            "level": level,
            "title": raw["title"],
        }
    )
    depth = level.map({name: i for i, name in enumerate(names)})
    # Each group's rows follow it, so the last code seen at a level is the parent of the rows
    # below it; rows above that level get NA.
    for i, name in enumerate(names[:3]):
        out[f"{name}_code"] = raw[name].ffill().where(depth >= i)
    _check_parents(out, depth, path)
    return out


def _check_parents(out: pd.DataFrame, depth: pd.Series, path: Path) -> None:
    """Rows must be in hierarchy order: no level skipped, codes share their major group's digits
    and sort after their parents. (Digits alone do not give minor or broad parents: broad group
    29-1210 holds 29-1229.)"""
    step = np.diff(depth.to_numpy(), prepend=-1)
    code = out["soc_code"]
    bad = step > 1
    for parent in ["major_code", "minor_code", "broad_code"]:
        has = out[parent].notna()
        bad |= (has & (out[parent] > code)).to_numpy()
    bad |= (code.str[:2] != out["major_code"].str[:2]).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        msg = (
            f"code {code.iloc[i]} ({out['title'].iloc[i]!r}) is not under the group above it "
            f"(major {out['major_code'].iloc[i]}, minor {out['minor_code'].iloc[i]}, "
            f"broad {out['broad_code'].iloc[i]}); rows out of hierarchy order"
        )
        raise LayoutError(path, msg)


# --------------------------------------------------------------------------------------------
# O*NET-SOC 2019 -> National Employment Matrix (SOC 2018) crosswalk

_XWALK_SHEET = "ONET to SOC crosswalk"


def read_onet_soc_crosswalk(path: str | Path) -> pd.DataFrame:
    """BLS O*NET-SOC to National Employment Matrix crosswalk (``nem-onet-to-soc-crosswalk.xlsx``,
    sheet ``ONET to SOC crosswalk``, as of 9/6/2023).

    NEM codes are SOC 2018 codes, except that BLS pools some detailed occupations it cannot
    estimate separately under one code: either the broad group code (13-1020 for 13-1021/22/23)
    or a code of its own that is not in the SOC (21-1018 for 21-1011 and 21-1014). OEWS and the
    Employment Projections publish these same codes, so ``nem_code`` is kept as the file
    gives it and joins to their ``soc_code``; ``soc_2018_code`` joins to the SOC structure.

    Returns
    -------
    DataFrame
        One row per O*NET-SOC occupation (997; military 55-xxxx codes are not in the NEM):

        - onet_soc_code : str, ``NN-NNNN.NN`` (O*NET-SOC 2019)
        - onet_title : str
        - nem_code : str, the NEM code (file column ``NEM Code``)
        - nem_title : str, the NEM title (sentence case, as in the file)
        - nem_is_soc_detailed : bool, ``nem_code`` is itself a SOC 2018 detailed occupation;
          False for the BLS aggregates above
        - soc_2018_code : str, the SOC 2018 detailed occupation of the O*NET code (its
          first seven characters: O*NET-SOC 2019 extends SOC 2018)

    Raises
    ------
    LayoutError
        The sheet or a column is missing, a code is malformed, or an O*NET code repeats.
    """
    path = Path(path)
    cols = [
        Col("O*NET-SOC Code", "onet_soc_code", "onet_soc"),
        Col("O*NET-SOC Title", "onet_title"),
        Col("NEM Code", "nem_code", "soc"),
        Col("National Employment Matrix Occupational Title", "nem_title"),
    ]
    frame = read_table(path, cols, sheet=_XWALK_SHEET)
    dup = frame["onet_soc_code"].duplicated()
    if dup.any():
        code = frame.loc[dup, "onet_soc_code"].iloc[0]
        msg = f"O*NET-SOC code {code} appears more than once; expected one row per code"
        raise LayoutError(path, msg, column="O*NET-SOC Code", sheet=_XWALK_SHEET)
    frame["soc_2018_code"] = frame["onet_soc_code"].str[:7]
    # A NEM code is a SOC detailed code exactly when some O*NET occupation belongs to it; the
    # pooled codes are never the SOC code of an O*NET occupation.
    frame["nem_is_soc_detailed"] = frame["nem_code"].isin(set(frame["soc_2018_code"]))
    return frame[
        [
            "onet_soc_code",
            "onet_title",
            "nem_code",
            "nem_title",
            "nem_is_soc_detailed",
            "soc_2018_code",
        ]
    ]
