"""OEWS national cross-industry files of any year, read by the meaning of their columns.

The national file's layout changed over the years and the mirror's copies add their own
changes: May 2017 and 2018 use ``OCC_GROUP``, later years ``O_GROUP``; May 2019 and 2023–2025
have lower- or upper-case area and industry columns in front; the May 2018 copy carries a
second column headed ``OCC_CODE`` (its owner pasted the typical education into it); the May
2019 copy has an extra sheet ``Sheet1`` (titles and medians only) in front of the field
descriptions. :func:`read_oews_year` therefore never reads a column by position:

* the data sheet is the first sheet whose header row names an occupation-code column;
* headers are matched without regard to case or surrounding space;
* where a header repeats, the column whose every filled cell has the form the header promises
  is taken (SOC codes for ``OCC_CODE``), and two different such columns are a LayoutError;
* a missing group column (``O_GROUP``/``OCC_GROUP``) is derived from the codes: ``00-0000``
  total, ``NN-0000`` major, ``NN-NN00`` minor, a code ending in 0 with published children broad,
  the first of a code listed twice broad (BLS lists such codes as broad and detailed), every
  other code detailed;
* area and industry columns, when present, must show one national cross-industry table.

Returns the same tidy names as :func:`laborlens.sources.bls.read_oews_national` for the
columns every year has.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError

__all__ = ["OEWS_COLUMNS", "read_oews_year"]

_SOC = re.compile(r"^\d{2}-\d{4}$")
_SUPPRESSED = frozenset({"*", "**", "~", "-", "—"})  # BLS: not available / not released
_TOPCODE = "#"  # wage at or above the top code
_GROUPS = {"total", "major", "minor", "broad", "detailed"}

# tidy name -> header (upper case); all numbers that may carry BLS markers
_NUMERIC = {
    "employment": "TOT_EMP",
    "h_mean": "H_MEAN",
    "a_mean": "A_MEAN",
    "h_median": "H_MEDIAN",
    "a_median": "A_MEDIAN",
}
_CODE, _TITLE = "OCC_CODE", "OCC_TITLE"
_GROUP_HEADERS = ("O_GROUP", "OCC_GROUP")

OEWS_COLUMNS = [
    "soc_code",
    "title",
    "o_group",
    *_NUMERIC,
    "h_median_topcoded",
    "a_median_topcoded",
]


def _norm(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip().upper()


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_sheets(path: Path) -> list[tuple[str | None, pd.DataFrame]]:
    """Every sheet of a workbook (or the one table of a CSV) as text cells, no header."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(
                path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
            return [(None, frame)]
        if suffix in {".xlsx", ".xls", ".xlsm"}:
            book = pd.read_excel(
                path, sheet_name=None, header=None, dtype=object, engine="calamine",
                keep_default_na=False,
            )
            return list(book.items())
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LayoutError(path, f"cannot be read as a table: {exc}") from exc
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise LayoutError(path, f"cannot be read as an Excel workbook: {exc}") from exc
    msg = f"unsupported file type {suffix!r}; expected .csv or .xlsx"
    raise LayoutError(path, msg)


def _find_table(path: Path) -> tuple[str | None, list[str], pd.DataFrame, int]:
    """The data sheet, its normalised header, the rows under it and the header's file row."""
    seen = []
    for sheet, raw in _raw_sheets(path):
        for i in range(min(30, len(raw))):
            header = [_norm(v) for v in raw.iloc[i].tolist()]
            if _CODE in header and _TITLE in header:
                body = raw.iloc[i + 1 :].reset_index(drop=True)
                return sheet, header, body, i + 1
        seen.append(sheet or "(text)")
    msg = f"no sheet has an {_CODE} and an {_TITLE} header (sheets: {', '.join(map(str, seen))})"
    raise LayoutError(path, msg)


def _column(
    path: Path,
    sheet: str | None,
    header: list[str],
    body: pd.DataFrame,
    name: str,
    *,
    pattern: re.Pattern | None = None,
    required: bool = True,
) -> pd.Series | None:
    """Cells of the column headed ``name``; among repeated headers the one matching ``pattern``."""
    idx = [i for i, h in enumerate(header) if h == name]
    if not idx:
        if required:
            shown = ", ".join(h for h in header if h)[:300]
            raise LayoutError(path, f"missing column {name!r}; header has {shown}", sheet=sheet)
        return None
    cols = [body.iloc[:, i].map(_cell) for i in idx]
    if len(cols) == 1:
        return cols[0]
    if pattern is None:
        raise LayoutError(path, f"column {name!r} appears {len(idx)} times", sheet=sheet)
    fits = [c for c in cols if ((c == "") | c.str.fullmatch(pattern.pattern)).all()]
    if not fits:
        # the column that is mostly codes: its odd cell is reported with its row later
        share = [float(c.str.fullmatch(pattern.pattern).mean()) for c in cols]
        if max(share) > 0.5:
            return cols[int(np.argmax(share))]
        msg = f"column {name!r} appears {len(idx)} times and none holds SOC codes"
        raise LayoutError(path, msg, sheet=sheet, column=name)
    if any(not f.equals(fits[0]) for f in fits[1:]):
        msg = f"column {name!r} appears {len(idx)} times with different codes"
        raise LayoutError(path, msg, sheet=sheet, column=name)
    return fits[0]


def _numbers(
    path: Path, sheet: str | None, text: pd.Series, header: str, first_row: int
) -> tuple[pd.Series, pd.Series]:
    """Numbers with BLS markers: suppressed -> NaN, ``#`` -> NaN and flagged top-coded."""
    text = text.str.replace(",", "", regex=False)
    top = text == _TOPCODE
    skip = text.isin(_SUPPRESSED) | top | (text == "")
    values = pd.to_numeric(text.where(~skip, None), errors="coerce").astype("float64")
    bad = values.isna() & ~skip
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        msg = f"expected a number or a BLS marker (*, **, ~, #), found {text.iloc[i]!r}"
        raise LayoutError(path, msg, row=first_row + i, column=header, sheet=sheet)
    return values, top


def _derive_groups(codes: pd.Series) -> pd.Series:
    """total/major/minor/broad/detailed from the codes alone (used when the file has none)."""
    digits = codes.str.replace("-", "", regex=False)
    out = np.where(
        codes == "00-0000",
        "total",
        np.where(
            codes.str.endswith("-0000"),
            "major",
            np.where(codes.str.endswith("00"), "minor", "detailed"),
        ),
    )
    out = pd.Series(out, index=codes.index)
    ends0 = (out == "detailed") & codes.str.endswith("0")
    prefixes = digits[ends0].str[:-1]
    has_child = [
        bool(((digits.str[:-1] == p) & (digits != d)).any())
        for p, d in zip(prefixes, digits[ends0], strict=True)
    ]
    out.loc[ends0[ends0].index[np.array(has_child, dtype=bool)]] = "broad"
    # a code BLS lists twice is a broad group that is also a detailed occupation: broad first
    twice = codes.duplicated(keep=False) & ~codes.duplicated(keep="first")
    out[twice & (out == "detailed")] = "broad"
    return out


def read_oews_year(path: str | Path) -> pd.DataFrame:
    """OEWS national cross-industry estimates from any May 2017–2025 file (xlsx or CSV export).

    Returns
    -------
    DataFrame
        One row per file row (BLS lists codes that are both broad and detailed twice):

        - soc_code : str ``NN-NNNN`` (SOC 2010, hybrid or SOC 2018 codes, as the year has them)
        - title : str
        - o_group : str, total / major / minor / broad / detailed (derived when absent)
        - employment : float, persons
        - h_mean, a_mean, h_median, a_median : float, $ per hour / per year
        - h_median_topcoded, a_median_topcoded : bool, the file shows ``#`` (value NaN)

        ``*``, ``**``, ``~`` and dashes (not available) are NaN.

    Raises
    ------
    LayoutError
        No sheet has the occupation columns, a needed column is missing or ambiguous, a code
        is not ``NN-NNNN``, a value is neither a number nor a BLS marker, the file holds
        several areas or industries, or an occupation repeats within its group.
    """
    path = Path(path)
    sheet, header, body, header_row = _find_table(path)
    first_row = header_row + 1
    code = _column(path, sheet, header, body, _CODE, pattern=_SOC)
    keep = code != ""
    body, code = body[keep.to_numpy()].reset_index(drop=True), code[keep].reset_index(drop=True)
    # row numbers in messages: file rows of the kept rows (blank rows are only at the end)
    bad = ~code.str.fullmatch(_SOC.pattern)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        msg = f"expected a SOC code like 15-1252, found {code.iloc[i]!r}"
        raise LayoutError(path, msg, row=first_row + i, column=_CODE, sheet=sheet)
    for name, expected in (("AREA", {"99", "U.S."}), ("NAICS", {"000000"})):
        col = _column(path, sheet, header, body, name, required=False)
        if col is not None and not col.isin(expected | {""}).all():
            i = int(np.argmax((~col.isin(expected | {""})).to_numpy()))
            msg = f"expected one national cross-industry table, found {name} {col.iloc[i]!r}"
            raise LayoutError(path, msg, row=first_row + i, column=name, sheet=sheet)
    out = pd.DataFrame({"soc_code": code})
    out["title"] = _column(path, sheet, header, body, _TITLE).to_numpy()
    group = None
    for name in _GROUP_HEADERS:
        group = _column(path, sheet, header, body, name, required=False)
        if group is not None:
            group = group.str.lower()
            odd = ~group.isin(_GROUPS)
            if odd.any():
                i = int(np.argmax(odd.to_numpy()))
                msg = f"expected one of {sorted(_GROUPS)}, found {group.iloc[i]!r}"
                raise LayoutError(path, msg, row=first_row + i, column=name, sheet=sheet)
            break
    out["o_group"] = group.to_numpy() if group is not None else _derive_groups(code).to_numpy()
    for name, source in _NUMERIC.items():
        text = _column(path, sheet, header, body, source)
        values, top = _numbers(path, sheet, text, source, first_row)
        out[name] = values.to_numpy()
        if name in ("h_median", "a_median"):
            out[f"{name}_topcoded"] = top.to_numpy()
    dup = out.duplicated(["soc_code", "o_group"]).to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        msg = (
            f"{out['soc_code'].iloc[i]} ({out['o_group'].iloc[i]}) appears more than once; "
            "expected a national cross-industry file with one row per occupation"
        )
        raise LayoutError(path, msg, row=first_row + i, column=_CODE, sheet=sheet)
    if not (out["o_group"] == "total").any():
        raise LayoutError(path, "no all-occupations (00-0000) row", column=_CODE, sheet=sheet)
    return out[OEWS_COLUMNS]
