"""SOC parsers on the real SOC 2018 structure and BLS O*NET crosswalk, and on broken copies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from laborlens.exceptions import LayoutError
from laborlens.sources.bls import read_oews_national
from laborlens.sources.soc import read_onet_soc_crosswalk, read_soc_structure, soc_major
from laborlens.sources.tabular import Col, read_table

STRUCTURE = "soc/soc_structure_2018.xlsx"
CROSSWALK = "gpts-are-gpts/nem-onet-to-soc-crosswalk.xlsx"

# The codes BLS pools in the NEM and in OEWS that are not SOC 2018 detailed occupations
NEM_AGGREGATES = {
    "13-1020", "13-2020", "21-1018", "25-2052", "25-9045", "29-2010",
    "31-1120", "39-7010", "47-4090", "51-2028", "51-2090", "53-1047",
}  # fmt: skip


@pytest.fixture(scope="module")
def structure(mirror: Path) -> pd.DataFrame:
    return read_soc_structure(mirror / STRUCTURE)


@pytest.fixture(scope="module")
def crosswalk(mirror: Path) -> pd.DataFrame:
    return read_onet_soc_crosswalk(mirror / CROSSWALK)


def test_soc_major():
    assert soc_major("15-1252") == "15-0000"
    assert soc_major("11-0000") == "11-0000"
    with pytest.raises(ValueError, match=r"15-1252\.00"):
        soc_major("15-1252.00")


# ---------------------------------------------------------------------------------------------
# SOC 2018 structure


def test_structure_counts(structure):
    assert structure["level"].value_counts().to_dict() == {
        "detailed": 867, "broad": 459, "minor": 98, "major": 23,
    }  # fmt: skip
    assert structure["soc_code"].is_unique
    assert structure["major_code"].notna().all()


def test_structure_parents(structure):
    dev = structure.set_index("soc_code").loc["15-1252"]
    assert dev["title"] == "Software Developers"
    assert (dev["level"], dev["major_code"], dev["minor_code"], dev["broad_code"]) == (
        "detailed", "15-0000", "15-1200", "15-1250",
    )  # fmt: skip
    # broad group 29-1210 (Physicians) runs past 29-1219; parents come from the file, not digits
    ped = structure.set_index("soc_code").loc["29-1221"]
    assert ped["broad_code"] == "29-1210"
    assert ped["minor_code"] == "29-1000"
    major = structure[structure["level"] == "major"]
    assert major["minor_code"].isna().all()
    assert (major["major_code"] == major["soc_code"]).all()
    minor = structure[structure["level"] == "minor"]
    assert minor["broad_code"].isna().all()
    assert (minor["minor_code"] == minor["soc_code"]).all()
    assert structure["soc_code"].map(soc_major).eq(structure["major_code"]).all()


def _write_xlsx(path: Path, rows: list[list], sheet: str = "2018 Structure") -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name=sheet, header=False, index=False)
    return path


HEADER = ["Major Group", "Minor Group", "Broad Group", "Detailed Occupation", None]


def test_structure_small_file(tmp_path):
    rows = [
        ["Title row", None, None, None, None],
        HEADER,
        ["15-0000", None, None, None, "Computer and Mathematical Occupations"],
        [None, "15-1200", None, None, "Computer Occupations"],
        [None, None, "15-1250", None, "Software and Web Developers, Programmers, and Testers"],
        [None, None, None, "15-1252", "Software Developers"],
    ]
    frame = read_soc_structure(_write_xlsx(tmp_path / "s.xlsx", rows))
    assert list(frame["level"]) == ["major", "minor", "broad", "detailed"]
    assert list(frame["broad_code"].fillna("")) == ["", "", "15-1250", "15-1250"]


def test_structure_out_of_order(tmp_path):
    rows = [
        HEADER,
        ["15-0000", None, None, None, "Computer and Mathematical Occupations"],
        [None, None, None, "15-1252", "Software Developers"],  # no minor or broad group above
    ]
    path = _write_xlsx(tmp_path / "s.xlsx", rows)
    with pytest.raises(LayoutError, match=r"s\.xlsx: code 15-1252 .* rows out of hierarchy order"):
        read_soc_structure(path)


def test_structure_two_codes_in_a_row(tmp_path):
    rows = [HEADER, ["15-0000", "15-1200", None, None, "Computer Occupations"]]
    path = _write_xlsx(tmp_path / "s.xlsx", rows)
    with pytest.raises(LayoutError, match="expected exactly one code per row, found 2"):
        read_soc_structure(path)


def test_structure_bad_code(tmp_path):
    rows = [HEADER, ["15-0000", None, None, None, "Computer"], [None, "15-12", None, None, "X"]]
    path = _write_xlsx(tmp_path / "s.xlsx", rows)
    msg = r"s\.xlsx, row 3, column 'Minor Group': expected a SOC code like 15-1252, found '15-12'"
    with pytest.raises(LayoutError, match=msg):
        read_soc_structure(path)


def test_structure_missing_column(tmp_path):
    rows = [
        ["Major Group", "Minor Group", "Detailed Occupation", None],
        ["15-0000", None, None, "Computer and Mathematical Occupations"],
    ]
    path = _write_xlsx(tmp_path / "s.xlsx", rows)
    with pytest.raises(LayoutError, match=r"missing column\(s\) 'Broad Group'"):
        read_soc_structure(path)


# ---------------------------------------------------------------------------------------------
# O*NET-SOC -> NEM (SOC 2018) crosswalk


def test_crosswalk_rows(crosswalk):
    assert len(crosswalk) == 997
    assert crosswalk["onet_soc_code"].is_unique
    assert crosswalk["nem_code"].nunique() == 832
    dev = crosswalk.set_index("onet_soc_code").loc["15-1252.00"]
    assert (dev["onet_title"], dev["nem_code"], dev["nem_title"]) == (
        "Software Developers", "15-1252", "Software developers",
    )  # fmt: skip
    assert dev["nem_is_soc_detailed"]


def test_crosswalk_covers_onet_29_3(crosswalk, mirror):
    occupations = read_table(
        mirror / "onet-29.3/Occupation Data.txt", [Col("O*NET-SOC Code", "code", "onet_soc")]
    )
    missing = set(occupations["code"]) - set(crosswalk["onet_soc_code"])
    # every O*NET 29.3 occupation is mapped except the 19 military ones, which the NEM lacks
    assert len(missing) == 19
    assert all(code.startswith("55-") for code in missing)
    assert set(crosswalk["onet_soc_code"]) <= set(occupations["code"])


def test_crosswalk_aggregates(crosswalk, structure):
    pooled = crosswalk[~crosswalk["nem_is_soc_detailed"]]
    assert len(pooled) == 34
    assert set(pooled["nem_code"]) == NEM_AGGREGATES
    home = crosswalk.set_index("onet_soc_code").loc["31-1122.00"]  # Personal Care Aides
    assert (home["nem_code"], home["soc_2018_code"]) == ("31-1120", "31-1122")
    detailed = set(structure.loc[structure["level"] == "detailed", "soc_code"])
    assert set(crosswalk["soc_2018_code"]) <= detailed
    assert not NEM_AGGREGATES & detailed
    assert set(crosswalk.loc[crosswalk["nem_is_soc_detailed"], "nem_code"]) <= detailed


def test_crosswalk_joins_oews_detailed(crosswalk, mirror):
    oews = read_oews_national(mirror / "bls/oews/national_M2025_dl.xlsx")
    oews_detailed = set(oews.loc[oews["o_group"] == "detailed", "soc_code"])
    nem = set(crosswalk["nem_code"])
    # every OEWS detailed code has O*NET occupations; the NEM has two OEWS does not publish
    assert oews_detailed <= nem
    assert nem - oews_detailed == {"11-1031", "45-3031"}
    assert oews_detailed >= NEM_AGGREGATES


def _crosswalk_copy(mirror: Path, tmp_path: Path, edit, sheet: str = "ONET to SOC crosswalk"):
    raw = pd.read_excel(
        mirror / CROSSWALK, sheet_name="ONET to SOC crosswalk", header=None, dtype=object,
        engine="calamine",
    )  # fmt: skip
    edit(raw)
    return _write_xlsx(tmp_path / "xwalk.xlsx", raw.astype(object).values.tolist(), sheet)


def test_crosswalk_missing_sheet(mirror, tmp_path):
    path = _crosswalk_copy(mirror, tmp_path, lambda raw: None, sheet="Definitions")
    with pytest.raises(LayoutError, match=r"xwalk\.xlsx.*ONET to SOC crosswalk"):
        read_onet_soc_crosswalk(path)


def test_crosswalk_bad_code(mirror, tmp_path):
    def edit(raw):
        raw.iloc[9, 3] = "15-125X"  # sheet row 10: four title rows, the header, then data

    path = _crosswalk_copy(mirror, tmp_path, edit)
    msg = r"sheet 'ONET to SOC crosswalk', row 10, column 'NEM Code': expected a SOC code"
    with pytest.raises(LayoutError, match=msg):
        read_onet_soc_crosswalk(path)


def test_crosswalk_duplicate(mirror, tmp_path):
    def edit(raw):
        raw.iloc[6, 1] = raw.iloc[5, 1]

    path = _crosswalk_copy(mirror, tmp_path, edit)
    with pytest.raises(LayoutError, match=r"11-1011\.00 appears more than once"):
        read_onet_soc_crosswalk(path)
