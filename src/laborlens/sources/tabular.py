"""Read one table from a text (tab/comma separated) or Excel file into a typed DataFrame.

Every parser in :mod:`laborlens.sources` describes the columns it needs with :class:`Col` and
calls :func:`read_table`, so the O*NET text layout and the Excel layout of the same file give
the same frame, and any surprise becomes a :class:`~laborlens.exceptions.LayoutError` naming
the file, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError

Kind = Literal["str", "float", "int", "onet_soc", "soc", "isco", "flag"]

_PATTERNS = {
    "onet_soc": (re.compile(r"^\d{2}-\d{4}\.\d{2}$"), "an O*NET-SOC code like 15-1252.00"),
    "soc": (re.compile(r"^\d{2}-\d{4}$"), "a SOC code like 15-1252"),
    "isco": (re.compile(r"^\d{3,4}$"), "an ISCO-08 code of 3 or 4 digits like 2512"),
}

TEXT_SUFFIXES = {".txt": "\t", ".tsv": "\t", ".csv": ","}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


@dataclass(frozen=True)
class Col:
    """A column a parser needs: header in the file, tidy name, type, whether blanks are allowed."""

    source: str
    name: str
    kind: Kind = "str"
    required: bool = True
    na_values: frozenset[str] = field(default_factory=frozenset)


def _norm_header(value: object) -> str:
    """Header text with whitespace collapsed; an empty cell (None or NaN) is ``""``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _cell_to_str(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%m/%Y")
    return str(value).strip()


def _read_raw_text(path: Path, sep: str) -> tuple[list[str], pd.DataFrame, int]:
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",  # a byte-order mark is not part of the first header
        )
    except UnicodeDecodeError as exc:
        raise LayoutError(
            path, f"not UTF-8 text (byte {exc.start}); expected a UTF-8 file"
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LayoutError(path, f"cannot be read as a {sep!r}-separated table: {exc}") from exc
    header = [_norm_header(c) for c in frame.columns]
    frame.columns = header
    first_data_row = 2
    return header, frame, first_data_row


def _read_raw_excel(
    path: Path, sheet: str | int | None, needed: Sequence[str], search_rows: int
) -> tuple[list[str], pd.DataFrame, int]:
    try:
        raw = pd.read_excel(
            path,
            sheet_name=sheet if sheet is not None else 0,
            header=None,
            dtype=object,
            engine="calamine",
        )
    except ValueError as exc:
        raise LayoutError(path, f"cannot be read as a workbook or sheet is missing: {exc}") from exc
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise LayoutError(path, f"cannot be read as an Excel workbook: {exc}") from exc
    best_row, best_hits = 0, -1
    for i in range(min(search_rows, len(raw))):
        cells = {_norm_header(v) for v in raw.iloc[i].tolist()}
        hits = sum(n in cells for n in needed)
        if hits > best_hits:
            best_row, best_hits = i, hits
        if hits == len(needed):
            break
    header = [_norm_header(v) for v in raw.iloc[best_row].tolist()] if len(raw) else []
    frame = raw.iloc[best_row + 1 :].reset_index(drop=True)
    frame.columns = header
    return header, frame, best_row + 2


def read_table(
    path: str | Path,
    cols: Iterable[Col],
    *,
    sheet: str | int | None = None,
    search_rows: int = 30,
    stop_at_blank: str | None = None,
) -> pd.DataFrame:
    """Read ``path`` (text or Excel layout, chosen by suffix) and return the typed ``cols``.

    Parameters
    ----------
    cols : iterable of Col
        Columns to keep, looked up by header name; other columns are ignored.
    sheet : str or int, optional
        Excel sheet; the first sheet by default. In Excel files the header row is the first of
        the top ``search_rows`` rows holding every wanted header (title rows above it are skipped).
    stop_at_blank : str, optional
        Source header of a column whose first blank cell ends the table (BLS workbooks put
        footnotes under the data).

    Raises
    ------
    LayoutError
        A wanted column is missing, or a value is blank or not of the expected type; the
        message names the file, row and column.
    """
    path = Path(path)
    cols = list(cols)
    needed = [c.source for c in cols]
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        header, frame, first_row = _read_raw_text(path, TEXT_SUFFIXES[suffix])
        sheet_label = None
    elif suffix in EXCEL_SUFFIXES:
        header, frame, first_row = _read_raw_excel(path, sheet, needed, search_rows)
        sheet_label = str(sheet) if sheet is not None else None
    else:
        msg = f"unsupported file type {suffix!r}; expected one of .txt .tsv .csv .xlsx .xls"
        raise LayoutError(path, msg)

    missing = [n for n in needed if n not in header]
    if missing:
        shown = ", ".join(repr(h) for h in header if h)[:400]
        msg = f"missing column(s) {', '.join(map(repr, missing))}; the header row has {shown}"
        raise LayoutError(path, msg, row=first_row - 1, sheet=sheet_label)
    if len(set(needed)) != len(needed) or any(header.count(n) > 1 for n in needed):
        dup = sorted({n for n in needed if header.count(n) > 1})
        raise LayoutError(path, f"column(s) {dup} appear more than once", row=first_row - 1)

    if stop_at_blank is not None:
        blank = frame[stop_at_blank].map(_cell_to_str) == ""
        if blank.any():
            frame = frame.iloc[: int(np.argmax(blank.to_numpy()))]

    out = {}
    for col in cols:
        values = frame[col.source].map(_cell_to_str)
        out[col.name] = _convert(values, col, path, first_row, sheet_label)
    return pd.DataFrame(out)


def check_unique(frame: pd.DataFrame, keys: list[str], path: str | Path) -> pd.DataFrame:
    """Raise a LayoutError at the first row repeating ``keys`` (rows counted from a header on
    line 1, as in O*NET files); return ``frame`` unchanged otherwise."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        again = frame.duplicated(keys).to_numpy()
        i = int(np.argmax(again))
        shown = ", ".join(f"{k}={frame[k].iloc[i]!r}" for k in keys)
        msg = f"{int(dup.sum())} rows share the key ({shown}); expected one row per {keys}"
        raise LayoutError(path, msg, row=i + 2)
    return frame


def _fail(path: Path, values: pd.Series, bad: pd.Series, col: Col, first_row: int, sheet, expected):
    i = int(np.argmax(bad.to_numpy()))
    count = int(bad.sum())
    more = f" ({count - 1} more such rows)" if count > 1 else ""
    msg = f"expected {expected}, found {values.iloc[i]!r}{more}"
    raise LayoutError(path, msg, row=first_row + i, column=col.source, sheet=sheet)


def _convert(values: pd.Series, col: Col, path: Path, first_row: int, sheet) -> pd.Series:
    na = values.isin(col.na_values) | (values == "")
    if col.required:
        blank = values == ""
        if blank.any():
            _fail(path, values, blank, col, first_row, sheet, "a value")
    if col.kind in ("float", "int"):
        numbers = pd.to_numeric(
            values.where(~na, None).str.replace(",", "", regex=False), errors="coerce"
        )
        bad = numbers.isna() & ~na
        if bad.any():
            _fail(path, values, bad, col, first_row, sheet, "a number")
        if col.kind == "int":
            frac = numbers.notna() & (numbers % 1 != 0)
            if frac.any():
                _fail(path, values, frac, col, first_row, sheet, "a whole number")
            return numbers.astype("Int64")
        return numbers.astype("float64")
    if col.kind in _PATTERNS:
        pattern, expected = _PATTERNS[col.kind]
        bad = ~na & ~values.str.fullmatch(pattern.pattern)
        if bad.any():
            _fail(path, values, bad, col, first_row, sheet, expected)
    if col.kind == "flag":
        bad = ~na & ~values.isin(["Y", "N"])
        if bad.any():
            _fail(path, values, bad, col, first_row, sheet, "'Y' or 'N'")
        return values.map({"Y": True, "N": False}).astype("boolean")
    return values.where(~na, None).astype("string")
