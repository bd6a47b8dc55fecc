"""Public AI measures on SOC 2018: parsers on the real files, crosswalks, coverage, agreement,
the built table and the CLI."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.db.tables import SOURCE_TABLES
from laborlens.exceptions import LayoutError
from laborlens.measures.analysis import (
    UnknownOccupationError,
    correlation_matrix,
    measures_for,
    top_overlap,
)
from laborlens.measures.core import INPUT_TABLES, MEASURE_NAMES, compute_measures, coverage
from laborlens.measures.report import measures_section
from laborlens.sources import aei, aioe, crosswalks, frey_osborne, ilo, microsoft

runner = CliRunner()
SPECS = {s.name: s for s in SOURCE_TABLES}


@pytest.fixture(scope="session")
def inputs(source_path) -> dict[str, pd.DataFrame]:
    """Every input table of the measures, parsed from the mirror."""
    return {key: SPECS[t].reader(source_path(SPECS[t].source)) for key, t in INPUT_TABLES.items()}


@pytest.fixture(scope="session")
def measures_db(built_db):
    return built_db


@pytest.fixture(scope="session")
def built(measures_db) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(measures_db.db_path), read_only=True) as con:
        wide = con.execute("SELECT * FROM measures_soc2018 ORDER BY soc_2018_code").df()
        cov = con.execute("SELECT * FROM measure_coverage").df()
    return wide, cov


@pytest.fixture(scope="session")
def wide(built) -> pd.DataFrame:
    return built[0]


# --------------------------------------------------------------------------------------------
# Parsers on the real files: row counts as in MANIFEST.md


def test_parsers_row_counts_match_manifest(inputs):
    # MANIFEST rows include the header row for the Excel files (775 = 774 + header), and
    # header/title rows for the ISCO workbook (1132 = 1125 links + 7).
    expected = {
        "aioe": 774,
        "lm_aioe": 774,
        "ms": 785,
        "aei_usage": 3514,
        "aei_tasks": 19530,
        "isco_soc2010": 1125,
        "frey_osborne": 702,
        "soc2010_2018": 900,
        "onet2010_2019": 1164,
    }
    for key, rows in expected.items():
        assert len(inputs[key]) == rows, key
    # ILO: 3,266 task rows (3267 rows in the manifest with the header) of 427 occupations.
    assert len(inputs["ilo"]) == 427
    assert inputs["ilo"]["n_tasks"].sum() == 3266
    assert inputs["soc2010_2018"]["soc_2010_code"].nunique() == 840  # all of SOC 2010
    assert inputs["soc2010_2018"]["soc_2018_code"].nunique() == 867  # all of SOC 2018


def test_microsoft_scores_are_on_soc_2018(inputs):
    codes = set(inputs["ms"]["soc_2018_code"])
    assert {"15-1252", "15-2051"} <= codes  # codes that exist only in SOC 2018
    assert "15-1132" not in codes  # SOC 2010 Software Developers, Applications


def test_aei_usage_is_percent_and_task_codes_are_onet_2010(inputs):
    assert inputs["aei_usage"]["pct"].sum() == pytest.approx(100.0)
    codes = set(inputs["aei_tasks"]["onet_soc_code"])
    assert "15-1132.00" in codes
    assert "15-1252.00" not in codes
    assert codes <= set(inputs["onet2010_2019"]["onet_2010_code"])


def test_ilo_occupation_index_is_the_rounded_task_mean(source_path):
    # The parser keeps the published index; check it against the task scores of the same file.
    path = source_path("ilo_genai_task_scores_2025")
    tasks = pd.read_excel(path, engine="calamine")
    task_mean = tasks.groupby(tasks["ISCO_08"].astype(str))["score_2025"].mean()
    scores = ilo.read_ilo_scores(path).set_index("isco_08_code")["mean_score_2025"]
    assert (scores - task_mean.reindex(scores.index)).abs().max() <= 0.005 + 1e-9


# --------------------------------------------------------------------------------------------
# Crosswalks


def test_new_soc_2018_codes_get_aioe(wide, inputs):
    row = wide.set_index("soc_2018_code")
    a = inputs["aioe"].set_index("soc_2010_code")["aioe"]
    for measure in ("aioe", "lm_aioe", "frey_osborne", "ilo_2025", "ms_ai_applicability"):
        assert not np.isnan(row.loc["15-1252", measure]), measure
        assert not np.isnan(row.loc["15-2051", measure]), measure
    # 15-1252 merges SOC 2010 15-1132 and 15-1133, which both also feed 15-1253 and nothing
    # else, so their allocated employment is equal and the weighted mean is the plain mean.
    assert row.loc["15-1252", "aioe"] == pytest.approx((a["15-1132"] + a["15-1133"]) / 2)
    # 15-2051's BLS source (15-2099, an All Other residual) has no AIOE: the O*NET-level links
    # give it Statisticians (15-2041, via Clinical Data Managers) and 15-1199 if scored.
    sources = [c for c in ("15-2041", "15-1199", "15-2099") if c in a.index]
    assert sources
    assert "15-2099" not in a.index
    assert min(a[sources]) <= row.loc["15-2051", "aioe"] <= max(a[sources])


def test_splits_keep_the_score(wide, inputs):
    xw = inputs["soc2010_2018"]
    a = inputs["aioe"].set_index("soc_2010_code")["aioe"]
    n_src = xw.groupby("soc_2018_code")["soc_2010_code"].transform("size")
    single = xw[(n_src == 1) & xw["soc_2010_code"].isin(a.index)]
    got = wide.set_index("soc_2018_code").loc[single["soc_2018_code"], "aioe"].to_numpy()
    assert len(single) > 600
    np.testing.assert_allclose(got, single["soc_2010_code"].map(a).to_numpy())
    # a real split: SOC 2010 11-2031 became 11-2032 and 11-2033, both with its score
    assert (
        wide.set_index("soc_2018_code").loc[["11-2032", "11-2033"], "aioe"].tolist()
        == [pytest.approx(a["11-2031"])] * 2
    )


def test_ilo_travels_through_isco_links(wide, inputs):
    ilo_scores = inputs["ilo"].set_index("isco_08_code")["mean_score_2025"]
    links = inputs["isco_soc2010"]
    isco = set(links.loc[links["soc_2010_code"].isin(["15-1132", "15-1133"]), "isco_08_code"])
    values = ilo_scores.reindex(sorted(isco)).dropna()
    got = wide.set_index("soc_2018_code").loc["15-1252", "ilo_2025"]
    assert values.min() - 1e-12 <= got <= values.max() + 1e-12
    lo, hi = ilo_scores.min() - 1e-9, ilo_scores.max() + 1e-9
    assert wide["ilo_2025"].dropna().between(lo, hi).all()  # means of published scores


def test_pooled_oews_employment_is_split_equally(wide, inputs):
    oews = inputs["oews"]
    pooled = oews.loc[(oews["soc_code"] == "13-1020") & (oews["o_group"] == "detailed")]
    emp = wide.set_index("soc_2018_code").loc[["13-1021", "13-1022", "13-1023"], "employment"]
    np.testing.assert_allclose(emp.to_numpy(), pooled["employment"].iloc[0] / 3)
    # Microsoft publishes the pooled code; each member gets its score
    ms = inputs["ms"].set_index("soc_2018_code")["ai_applicability"]
    got = wide.set_index("soc_2018_code").loc[["13-1021", "13-1022", "13-1023"]]
    assert (got["ms_ai_applicability"] == ms["13-1020"]).all()


def test_aei_shares_stay_additive(wide, inputs):
    usage = inputs["aei_usage"].set_index("task_name")["pct"]
    assert wide["aei_task_usage"].sum() == pytest.approx(100.0 - usage["none"])
    # Janitors (O*NET-SOC 2010 37-2011.00) are in the release's task list, but none of their
    # tasks has a reported share: 0, not missing.
    by = wide.set_index("soc_2018_code")["aei_task_usage"]
    assert by["37-2011"] == 0.0
    assert by["15-1252"] > 1.0  # software development is the largest use


# --------------------------------------------------------------------------------------------
# Coverage and agreement


def test_coverage_accounts_for_all_employment(built, inputs):
    wide, cov = built
    oews = inputs["oews"]
    detailed = oews[oews["o_group"] == "detailed"].drop_duplicates("soc_code")
    total = detailed["employment"].sum()
    assert wide["employment"].sum() == pytest.approx(total)
    assert len(wide) == 867
    assert wide["soc_2018_code"].is_unique
    assert list(wide.columns[:3]) == ["soc_2018_code", "title", "employment"]
    assert list(wide.columns[3:]) == MEASURE_NAMES
    for r in cov.itertuples():
        assert r.employment_covered + r.employment_uncovered == pytest.approx(r.employment_total)
        assert r.employment_total == pytest.approx(total)
        assert r.codes_covered == wide[r.measure].notna().sum()
    by = cov.set_index("measure")
    assert by.loc["beta_model", "codes_covered"] == by.loc["beta_human", "codes_covered"]
    assert by.loc["aioe", "employment_share"] > 0.95
    assert by.loc["ilo_2025", "employment_share"] > 0.95
    assert (by["source_codes_unmatched"] == 0).all()


def test_correlations_have_plausible_signs(wide):
    p = correlation_matrix(wide, "pearson")
    s = correlation_matrix(wide, "spearman")
    w = correlation_matrix(wide, "weighted_pearson")
    assert p.loc["beta_model", "beta_human"] > 0.8  # the model tracks the human labels
    for m in (p, s, w):
        np.testing.assert_allclose(m.to_numpy(), m.to_numpy().T)
        assert m.loc["aioe", "beta_human"] > 0.5
        assert m.loc["ilo_2025", "beta_gpt4"] > 0.5
        assert m.loc["ms_ai_applicability", "beta_human"] > 0.3
        assert m.loc["frey_osborne", "aioe"] < 0
    assert s.loc["aioe", "lm_aioe"] > 0.9  # the same method, re-weighted
    np.testing.assert_allclose(np.diag(p), 1.0)


def test_top_overlap(wide):
    o = top_overlap(wide, 50)
    np.testing.assert_allclose(np.diag(o), 1.0)
    assert ((o >= 0) & (o <= 1)).all().all()
    assert o.loc["aioe", "lm_aioe"] == o.loc["lm_aioe", "aioe"]
    assert o.loc["beta_human", "beta_gpt4"] > 50 / 800  # better than chance


def test_measures_for_accepts_both_codes(wide):
    by_soc = measures_for(wide, "15-2051")
    by_onet = measures_for(wide, "15-2051.01")
    pd.testing.assert_frame_equal(by_soc, by_onet)
    assert by_soc.attrs["title"] == "Data Scientists"
    assert set(by_soc["measure"]) == set(MEASURE_NAMES)
    assert by_soc.set_index("measure").loc["aioe", "percentile"] > 50
    with pytest.raises(UnknownOccupationError, match="15-1250 is not a SOC 2018 detailed"):
        measures_for(wide, "15-1250")
    with pytest.raises(UnknownOccupationError, match="not an occupation code"):
        measures_for(wide, "software")


def test_codes_that_reach_no_soc_2018_code_are_counted(inputs):
    fo = inputs["frey_osborne"]
    extra = pd.DataFrame(
        {"rank": [703], "soc_2010_code": ["15-9999"], "title": ["Nothing"], "probability": [0.5]}
    )
    changed = {**inputs, "frey_osborne": pd.concat([fo, extra], ignore_index=True)}
    _, cov = compute_measures(changed)
    by = cov.set_index("measure")["source_codes_unmatched"]
    assert by["frey_osborne"] == 1
    assert by["aioe"] == 0


def test_compute_without_exposure_table(inputs):
    wide, cov = compute_measures(inputs)
    assert wide["beta_human"].isna().all()
    assert cov.set_index("measure").loc["beta_human", "codes_covered"] == 0
    assert (coverage(wide)["codes_total"] == 867).all()


# --------------------------------------------------------------------------------------------
# Bad inputs name the file, row and column


def _corrupt(src: Path, dst: Path, line: int, old: str, new: str) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    dst.write_text("".join(lines), encoding="utf-8")
    return dst


def test_bad_frey_osborne_value(source_path, tmp_path):
    src = source_path("frey_osborne_automation_risk")
    bad = _corrupt(src, tmp_path / "fo.csv", 11, ",0.", ",zero.")
    with pytest.raises(LayoutError) as err:
        frey_osborne.read_frey_osborne(bad)
    assert err.value.row == 11
    assert err.value.column == "Probability"
    bad = _corrupt(src, tmp_path / "fo2.csv", 5, ",0.0031,", ",1.5,")
    with pytest.raises(LayoutError, match=r"row 5, column 'Probability'.*\[0, 1\]"):
        frey_osborne.read_frey_osborne(bad)


def test_bad_microsoft_code_and_duplicate(source_path, tmp_path):
    src = source_path("msft_soc_ai_applicability_scores")
    bad = _corrupt(src, tmp_path / "ms.csv", 3, "11-1021", "11-102")
    with pytest.raises(LayoutError) as err:
        microsoft.read_ai_applicability(bad)
    assert err.value.row == 3
    assert err.value.column == "SOC Code"
    dup = _corrupt(src, tmp_path / "ms2.csv", 4, "11-1031", "11-1021")
    with pytest.raises(LayoutError, match="row 4"):
        microsoft.read_ai_applicability(dup)


def test_bad_crosswalk_and_aei_columns(source_path, tmp_path):
    src = source_path("frey_osborne_soc2010_to_soc2018_crosswalk")
    bad = _corrupt(src, tmp_path / "xw.csv", 1, "2018 SOC Code", "2018 Code")
    with pytest.raises(LayoutError, match=r"missing column.*'2018 SOC Code'"):
        crosswalks.read_soc2010_to_2018(bad)
    src = source_path("aei_v1_onet_task_mappings")
    bad = _corrupt(src, tmp_path / "aei.csv", 2, ",0.0067", ",n/a")
    with pytest.raises(LayoutError) as err:
        aei.read_task_usage(bad)
    assert err.value.row == 2
    assert err.value.column == "pct"


def test_bad_aioe_workbook(source_path, tmp_path):
    frame = pd.read_excel(
        source_path("aioe_data_appendix"), sheet_name="Appendix A", engine="calamine", dtype=object
    )
    frame.loc[9, "AIOE"] = "high"
    path = tmp_path / "aioe.xlsx"
    with pd.ExcelWriter(path) as xl:
        frame.to_excel(xl, sheet_name="Appendix A", index=False)
    with pytest.raises(LayoutError) as err:
        aioe.read_aioe(path)
    assert err.value.row == 11
    assert err.value.column == "AIOE"
    with pytest.raises(LayoutError, match="LM AIOE"):
        aioe.read_lm_aioe(path)  # the sheet is missing


# --------------------------------------------------------------------------------------------
# CLI and report


def test_cli_compare_writes_the_wide_table(measures_db, tmp_path):
    out = tmp_path / "measures.parquet"
    result = runner.invoke(
        app, ["measures", "compare", "--db", str(measures_db.db_path), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Spearman" in result.output
    assert "Coverage" in result.output
    frame = pd.read_parquet(out)
    assert len(frame) == 867
    assert list(frame.columns) == ["soc_2018_code", "title", "employment", *MEASURE_NAMES]
    assert not list(tmp_path.glob(".*tmp"))  # written via a temporary file, renamed


def test_cli_show(measures_db):
    db = str(measures_db.db_path)
    result = runner.invoke(app, ["measures", "show", "15-1252.00", "--db", db])
    assert result.exit_code == 0, result.output
    assert "Software Developers" in result.output
    assert "AIOE" in result.output
    result = runner.invoke(app, ["measures", "show", "99-9999", "--db", db])
    assert result.exit_code == 1
    assert "99-9999 is not a SOC 2018 detailed occupation" in result.output


def test_report_section(measures_db):
    section = measures_section(measures_db)
    assert section.id == "measures"
    assert "Coverage" in section.html
    assert "Spearman correlation" in section.html
    assert "CC BY 4.0" in section.html  # licenses are stated
    pairs = section.tables["measure_correlations"]
    assert len(pairs) == 36  # 9 measures with values -> 9*8/2
    assert {"pearson", "spearman", "weighted_pearson", "top50_overlap"} <= set(pairs.columns)
