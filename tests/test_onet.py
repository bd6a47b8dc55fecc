"""O*NET parsers on the real 29.3 files, in both the text and the Excel layout."""

from __future__ import annotations

import pandas as pd
import pytest

from laborlens.exceptions import LayoutError
from laborlens.sources import onet


def _to_xlsx(frame: pd.DataFrame, path, title_rows: int = 0):
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        frame.to_excel(xw, index=False, startrow=title_rows, sheet_name="Data")
        if title_rows:
            xw.sheets["Data"].cell(row=1, column=1, value="O*NET 29.3 export")


def _raw(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def test_occupations_and_job_zones(source_path):
    occ = onet.read_occupations(source_path("onet_occupation_data"))
    assert len(occ) == 1016
    row = occ.set_index("onet_soc_code").loc["15-1252.00"]
    assert row["title"] == "Software Developers"
    zones = onet.read_job_zones(source_path("onet_job_zones"))
    assert len(zones) == 923
    assert zones.set_index("onet_soc_code").loc["11-1011.00", "job_zone"] == 5
    assert set(zones["job_zone"].unique()) == {1, 2, 3, 4, 5}


def test_task_statements(source_path):
    tasks = onet.read_task_statements(source_path("onet_task_statements"))
    assert len(tasks) == 18796
    assert tasks["task_type"].value_counts(dropna=False).sum() == 18796
    assert set(tasks["task_type"].dropna().unique()) == {"Core", "Supplemental"}
    # Fields quoted in the O*NET text file (embedded quotes) come out unquoted.
    quoted = tasks.set_index("task_id").loc[15287, "task"]
    assert quoted == 'Conduct "head counts" to help predict the outcome of upcoming votes.'


def test_text_and_excel_layouts_give_the_same_frame(source_path, tmp_path):
    src = source_path("onet_job_zones")
    raw = _raw(src).head(60)
    txt = tmp_path / "Job Zones.txt"
    raw.to_csv(txt, sep="\t", index=False)
    xlsx = tmp_path / "Job Zones.xlsx"
    _to_xlsx(raw.assign(**{"Job Zone": raw["Job Zone"].astype(int)}), xlsx, title_rows=2)
    a = onet.read_job_zones(txt)
    b = onet.read_job_zones(xlsx)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 60


def test_excel_source_and_its_text_form_agree(source_path, tmp_path):
    xlsx = source_path("onet_tasks_to_dwas")
    full = onet.read_tasks_to_dwas(xlsx)
    assert len(full) == 23233
    sheet = pd.read_excel(xlsx, dtype=str, engine="calamine").head(200)
    txt = tmp_path / "Tasks to DWAs.txt"
    sheet.to_csv(txt, sep="\t", index=False)
    pd.testing.assert_frame_equal(onet.read_tasks_to_dwas(txt), full.head(200))


def test_skills_and_knowledge_ratings(source_path):
    skills = onet.read_ratings(source_path("onet_skills"))
    assert len(skills) == 61530
    wide = onet.ratings_wide(skills)
    assert len(wide) == 30765
    ce = wide.set_index(["onet_soc_code", "element_id"]).loc[("11-1011.00", "2.A.1.a")]
    assert ce["element_name"] == "Reading Comprehension"
    assert ce["importance"] == pytest.approx(4.12)
    assert ce["level"] == pytest.approx(4.62)
    knowledge = onet.read_ratings(source_path("onet_knowledge"))
    assert len(knowledge) == 58014


def test_titles_technology_and_work_activities(source_path):
    assert len(onet.read_alternate_titles(source_path("onet_alternate_titles"))) == 56560
    assert len(onet.read_reported_titles(source_path("onet_sample_of_reported_titles"))) == 7796
    tech = onet.read_technology_skills(source_path("onet_technology_skills"))
    assert len(tech) == 32681
    assert tech["hot_technology"].dtype == "boolean"
    dwas = onet.read_dwa_reference(source_path("onet_dwa_reference"))
    iwas = onet.read_iwa_reference(source_path("onet_iwa_reference"))
    assert len(dwas) == 2087
    assert len(iwas) == 332
    assert set(dwas["iwa_id"]) <= set(iwas["iwa_id"])
    links = onet.read_tasks_to_dwas(source_path("onet_tasks_to_dwas"))
    assert set(links["dwa_id"]) <= set(dwas["dwa_id"])


def test_missing_column_is_named(source_path, tmp_path):
    raw = _raw(source_path("onet_job_zones")).rename(columns={"Job Zone": "JobZone"})
    bad = tmp_path / "Job Zones.txt"
    raw.to_csv(bad, sep="\t", index=False)
    with pytest.raises(LayoutError, match=r"Job Zones\.txt, row 1: missing column\(s\) 'Job Zone'"):
        onet.read_job_zones(bad)


def test_bad_value_names_row_and_column(source_path, tmp_path):
    raw = _raw(source_path("onet_job_zones"))
    raw.loc[9, "Job Zone"] = "five"
    bad = tmp_path / "Job Zones.txt"
    raw.to_csv(bad, sep="\t", index=False)
    with pytest.raises(
        LayoutError, match=r"row 11, column 'Job Zone': expected a number, found 'five'"
    ):
        onet.read_job_zones(bad)


def test_bad_code_and_out_of_range_zone_in_excel(source_path, tmp_path):
    raw = _raw(source_path("onet_job_zones")).head(20)
    raw["Job Zone"] = raw["Job Zone"].astype(int)
    raw.loc[3, "O*NET-SOC Code"] = "151252"
    bad = tmp_path / "zones.xlsx"
    _to_xlsx(raw, bad)
    with pytest.raises(
        LayoutError, match=r"row 5, column 'O\*NET-SOC Code': expected an O\*NET-SOC code"
    ):
        onet.read_job_zones(bad)
    raw = _raw(source_path("onet_job_zones")).head(20)
    raw.loc[0, "Job Zone"] = "7"
    bad_txt = tmp_path / "zones.txt"
    raw.to_csv(bad_txt, sep="\t", index=False)
    with pytest.raises(
        LayoutError, match="row 2, column 'Job Zone': expected a job zone from 1 to 5"
    ):
        onet.read_job_zones(bad_txt)


def test_duplicate_keys_and_unreadable_files(source_path, tmp_path):
    raw = _raw(source_path("onet_occupation_data")).head(5)
    dup = tmp_path / "Occupation Data.txt"
    pd.concat([raw, raw.head(1)]).to_csv(dup, sep="\t", index=False)
    with pytest.raises(LayoutError, match="2 rows share the key"):
        onet.read_occupations(dup)
    binary = tmp_path / "Occupation Data.xlsx"
    binary.write_bytes(b"\x00\x01 not a workbook")
    with pytest.raises(LayoutError, match="cannot be read"):
        onet.read_occupations(binary)
    latin = tmp_path / "Occupation Data 2.txt"
    latin.write_bytes(
        "O*NET-SOC Code\tTitle\tDescription\n11-1011.00\tCaf\xe9\tx\n".encode("latin-1")
    )
    with pytest.raises(LayoutError, match="not UTF-8"):
        onet.read_occupations(latin)
    with pytest.raises(LayoutError, match=r"unsupported file type '\.json'"):
        onet.read_occupations(tmp_path / "x.json")
