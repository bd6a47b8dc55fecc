"""Current Population Survey tables by detailed occupation, and the Census occupation list that
links their titles to SOC 2018.

The CPS annual-average tables (``cpsaat11b`` by age, ``cpsaat11`` by sex, race and Hispanic
or Latino ethnicity) name occupations by their 2018 Census titles, without codes, and list
every aggregate (``Management occupations`` …) above its members. The Census Bureau's 2018
occupation code list gives each Census title its SOC 2018 code, sometimes a broad group
(``11-2030``) or a pattern with ``X`` for any digit (``15-124X``). :func:`census_soc_links`
turns those into links to SOC 2018 detailed codes.

Counts are persons (the tables print thousands); a dash (no data, or a base under 50,000)
is NaN.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError

__all__ = [
    "census_soc_links",
    "normalise_title",
    "read_census_occ_2018",
    "read_cps_age_2025",
    "read_cps_sex_race",
]

_DASHES = frozenset({"–", "-", "—", ""})


def normalise_title(title: object) -> str:
    """Lower case, no commas, one space between words, no trailing colon: how CPS and Census
    titles of the same occupation are compared (the two lists differ in serial commas)."""
    text = re.sub(r"\s+", " ", str(title).replace(",", " ")).strip().rstrip(":").strip()
    return text.lower()


def _read_sheet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_excel(
            path, sheet_name=0, header=None, dtype=object, engine="calamine", keep_default_na=False
        )
    except Exception as exc:  # calamine and pandas raise several types for damaged files
        raise LayoutError(path, f"cannot be read as an Excel workbook: {exc}") from exc


def _header_row(path: Path, raw: pd.DataFrame, needed: dict[str, str]) -> tuple[int, dict]:
    """Row holding every header in ``needed`` (normalised text -> tidy name) and their columns."""
    for i in range(min(20, len(raw))):
        cells = [normalise_title(v) if isinstance(v, str) else "" for v in raw.iloc[i].tolist()]
        if all(normalise_title(h) in cells for h in needed):
            return i, {needed[h]: cells.index(normalise_title(h)) for h in needed}
    msg = f"no header row with {', '.join(repr(h) for h in needed)} in the first 20 rows"
    raise LayoutError(path, msg)


def _rows(
    path: Path, raw: pd.DataFrame, hrow: int, cols: dict[str, int], percent: set[str]
) -> pd.DataFrame:
    """Occupation rows under header row ``hrow`` (titles in the first column) until the note."""
    rows = []
    for offset, r in enumerate(raw.iloc[hrow + 1 :].itertuples(index=False)):
        title = r[0]
        if not isinstance(title, str) or not title.strip():
            continue
        if title.strip().upper().startswith("NOTE"):
            break
        rec: dict[str, object] = {"occupation": re.sub(r"\s+", " ", title).strip()}
        for name, j in cols.items():
            v = r[j]
            text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
            if text in _DASHES:
                rec[name] = np.nan
                continue
            try:
                rec[name] = float(text.replace(",", ""))
            except ValueError:
                msg = f"expected a number or a dash, found {text!r}"
                raise LayoutError(path, msg, row=hrow + 2 + offset, column=name) from None
        rows.append(rec)
    if not rows:
        raise LayoutError(path, "no occupation rows under the header")
    frame = pd.DataFrame(rows)
    for name in cols:
        if name not in percent and name != "median_age":
            frame[name] = (frame[name] * 1000).round()
    return frame


_AGE_HEADERS = {
    "total, 16 years and over": "employed",
    "16 to 19 years": "age_16_19",
    "20 to 24 years": "age_20_24",
    "25 to 34 years": "age_25_34",
    "35 to 44 years": "age_35_44",
    "45 to 54 years": "age_45_54",
    "55 to 64 years": "age_55_64",
    "65 years and over": "age_65_plus",
    "median age": "median_age",
}


def read_cps_age_2025(path: str | Path) -> pd.DataFrame:
    """CPS 2025 annual averages, table 11b: employed people by detailed occupation and age.

    Returns one row per table row in file order (``Total employed``, the aggregates and the
    detailed Census occupations): occupation (title as printed, whitespace collapsed),
    employed, age_16_19, age_20_24, age_25_34, age_35_44, age_45_54, age_55_64,
    age_65_plus (persons; NaN where BLS shows a dash) and median_age (years; NaN where not
    published, bases under 50,000). 2025 averages cover 11 months (no October survey).

    Raises LayoutError when the age headers are missing or a cell is neither a number nor a
    dash (naming the row and column).
    """
    path = Path(path)
    raw = _read_sheet(path)
    hrow, cols = _header_row(path, raw, _AGE_HEADERS)
    return _rows(path, raw, hrow, cols, set())


_SEX_RACE_HEADERS = {
    "total employed": "employed",
    "women": "pct_women",
    "white": "pct_white",
    "black or african american": "pct_black",
    "asian": "pct_asian",
    "hispanic or latino": "pct_hispanic",
}


def read_cps_sex_race(path: str | Path) -> pd.DataFrame:
    """CPS table 11 (2022 annual averages in the mirror): employed persons by detailed
    occupation, sex, race and Hispanic or Latino ethnicity.

    The header cells span two rows (``Total employed`` above, ``Women`` … below); both are
    searched. Returns occupation, employed (persons), pct_women, pct_white, pct_black,
    pct_asian, pct_hispanic (percent of the occupation's employed; NaN for a dash). Race
    shares do not add to 100 (not every race is shown) and Hispanic or Latino people may be of
    any race.
    """
    path = Path(path)
    raw = _read_sheet(path)
    # merge the two header rows into one so each column's label can be found in one row
    for i in range(min(20, len(raw) - 1)):
        a = [normalise_title(v) if isinstance(v, str) else "" for v in raw.iloc[i].tolist()]
        b = [normalise_title(v) if isinstance(v, str) else "" for v in raw.iloc[i + 1].tolist()]
        merged = [y or x for x, y in zip(a, b, strict=True)]
        if all(normalise_title(h) in merged for h in _SEX_RACE_HEADERS):
            cols = {v: merged.index(normalise_title(h)) for h, v in _SEX_RACE_HEADERS.items()}
            return _rows(path, raw, i + 1, cols, set(cols) - {"employed"})
    msg = f"no header rows with {', '.join(map(repr, _SEX_RACE_HEADERS))}"
    raise LayoutError(path, msg)


_CENSUS_SHEET = "2018 Census Occ Code List"
_CENSUS_CODE = re.compile(r"^\d{4}$")
_SOC_PATTERN = re.compile(r"^\d{2}-[\dX]{4}$")


def read_census_occ_2018(path: str | Path) -> pd.DataFrame:
    """Census Bureau 2018 occupation code list (sheet ``2018 Census Occ Code List``).

    Returns one row per Census occupation (4-digit code): census_title, census_code and
    soc_pattern (a SOC 2018 detailed or broad code, or a pattern with ``X`` for any digit).
    Group rows (code ranges) and the codes without a SOC code (``none``) are left out.
    Raises LayoutError when the sheet or its headers are missing.
    """
    path = Path(path)
    try:
        raw = pd.read_excel(
            path, sheet_name=_CENSUS_SHEET, header=None, dtype=object, engine="calamine"
        )
    except Exception as exc:
        raise LayoutError(path, f"cannot read sheet {_CENSUS_SHEET!r}: {exc}") from exc
    needed = {"2018 census title": "t", "2018 census code": "c", "2018 soc code": "s"}
    _, cols = _header_row(path, raw, needed)
    rows = []
    for _, r in raw.iterrows():
        code = r.iloc[cols["c"]]
        code = f"{int(code):04d}" if isinstance(code, (int, float)) and not pd.isna(code) else code
        code = str(code).strip() if code is not None else ""
        soc = str(r.iloc[cols["s"]]).strip()
        if not _CENSUS_CODE.match(code) or not _SOC_PATTERN.match(soc):
            continue
        title = re.sub(r"\s+", " ", str(r.iloc[cols["t"]])).strip()
        rows.append((title, code, soc))
    if not rows:
        raise LayoutError(path, "no Census occupation rows", sheet=_CENSUS_SHEET)
    return pd.DataFrame(rows, columns=["census_title", "census_code", "soc_pattern"])


def census_soc_links(census: pd.DataFrame, soc_detailed: list[str]) -> pd.DataFrame:
    """Census occupation -> SOC 2018 detailed codes.

    A detailed code links to itself; a broad code (ending in 0) or an ``X`` pattern to every
    detailed code it covers that no other Census occupation names more precisely (``Other
    financial specialists`` 13-20XX gets the 13-20xx codes without a Census row of their own).
    Returns census_title, census_code, soc_pattern, soc_2018_code (one row per link); a Census
    occupation whose pattern covers no code keeps one row with soc_2018_code NA.
    """
    codes = sorted(str(c) for c in soc_detailed)
    code_set = set(codes)

    def covers(pattern: str) -> list[str]:
        if "X" in pattern:
            rx = re.compile("^" + pattern.replace("X", r"\d") + "$")
            return [c for c in codes if rx.match(c)]
        if pattern in code_set:
            return [pattern]
        if pattern.endswith("0"):
            prefix = pattern.rstrip("0")
            return [c for c in codes if c.startswith(prefix)]
        return []

    exact = set(census["soc_pattern"]) & code_set
    rows = []
    # more specific patterns first: a code claimed by a precise row is not given to a wider one
    def specificity(p: str) -> int:
        return p.count("X") * 10 + (0 if p in exact else len(p) - len(p.rstrip("0")))

    claimed: set[str] = set()
    order = sorted(census.itertuples(index=False), key=lambda r: specificity(r.soc_pattern))
    for r in order:
        members = [c for c in covers(r.soc_pattern) if c not in claimed or c == r.soc_pattern]
        claimed.update(members)
        if not members:
            rows.append((r.census_title, r.census_code, r.soc_pattern, None))
        rows.extend((r.census_title, r.census_code, r.soc_pattern, c) for c in members)
    names = ["census_title", "census_code", "soc_pattern", "soc_2018_code"]
    out = pd.DataFrame(rows, columns=names)
    return out.sort_values(["census_code", "soc_2018_code"]).reset_index(drop=True)
