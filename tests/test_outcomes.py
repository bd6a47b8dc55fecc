"""Outcomes: OEWS readers by meaning, the harmonized panel, trends, dissimilarity, hiring, CPS.

Fast tier: the committed slices in tests/fixtures/outcomes (tests/fixtures/make_outcomes.py)
and a constructed panel with a known effect. Full tier: the raw files of the mirror.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from laborlens.exceptions import ConfigError, LayoutError
from laborlens.outcomes import dissimilarity, postings, trends
from laborlens.outcomes.capability import OEWS_SOURCES
from laborlens.outcomes.panel import HYBRID_2019, harmonize
from laborlens.sources.cps import (
    census_soc_links,
    normalise_title,
    read_census_occ_2018,
    read_cps_age_2025,
    read_cps_sex_race,
)
from laborlens.sources.oews_history import _derive_groups, read_oews_year

FIX = Path(__file__).resolve().parent / "fixtures" / "outcomes"
OEWS = OEWS_SOURCES  # the capability declares the registered file of each year
MILITARY = "55-"

# --------------------------------------------------------------------------------------------
# Fast tier: readers on committed slices


def test_oews_2018_slice_takes_the_code_column_not_the_pasted_education():
    frame = read_oews_year(FIX / "oews_m2018_slice.xlsx")
    assert frame["soc_code"].str.fullmatch(r"\d{2}-\d{4}").all()
    assert frame.loc[frame["o_group"] == "total", "employment"].iloc[0] == 144_733_270
    raw = pd.read_excel(FIX / "oews_m2018_slice.xlsx", header=None, dtype=object, engine="calamine")
    assert list(raw.iloc[0]).count("OCC_CODE") == 2  # the fixture keeps the duplicate
    assert len(frame) == len(raw) - 1


def test_oews_2019_slice_reads_the_data_sheet_with_lower_case_headers():
    frame = read_oews_year(FIX / "oews_m2019_slice.xlsx")
    assert frame.loc[frame["o_group"] == "total", "employment"].iloc[0] == 146_875_480
    assert set(frame["o_group"]) <= {"total", "major", "minor", "broad", "detailed"}


def test_oews_groups_are_derived_from_codes_when_the_column_is_absent(tmp_path):
    src = FIX / "oews_m2019_slice.xlsx"
    published = read_oews_year(src)
    book = openpyxl.load_workbook(src)
    ws = book["national_M2019_dl"]
    col = [c.value for c in ws[1]].index("o_group") + 1
    ws.delete_cols(col)
    book.save(tmp_path / "no_group.xlsx")
    derived = read_oews_year(tmp_path / "no_group.xlsx")
    # BLS lists a few codes twice (broad and detailed, identical rows) in either order
    pairs = lambda f: sorted(zip(f["soc_code"], f["o_group"], strict=True))  # noqa: E731
    assert pairs(derived) == pairs(published)


def _edit(src: Path, dst: Path, sheet: str, fn) -> Path:
    book = openpyxl.load_workbook(src)
    fn(book[sheet])
    book.save(dst)
    return dst


def test_oews_bad_layouts_raise_layout_errors_naming_the_place(tmp_path):
    src = FIX / "oews_m2018_slice.xlsx"

    def drop_emp(ws):
        ws.delete_cols([c.value for c in ws[1]].index("TOT_EMP") + 1)

    with pytest.raises(LayoutError, match="missing column 'TOT_EMP'"):
        read_oews_year(_edit(src, tmp_path / "a.xlsx", "national_dl", drop_emp))

    def bad_value(ws):
        ws.cell(row=5, column=[c.value for c in ws[1]].index("TOT_EMP") + 1, value="n/a")

    with pytest.raises(LayoutError, match=r"row 5, column 'TOT_EMP'.*'n/a'"):
        read_oews_year(_edit(src, tmp_path / "b.xlsx", "national_dl", bad_value))

    def second_codes(ws):  # the pasted column now holds different SOC codes
        for r in range(2, ws.max_row + 1):
            ws.cell(row=r, column=3, value="11-1011")

    with pytest.raises(LayoutError, match="appears 2 times with different codes"):
        read_oews_year(_edit(src, tmp_path / "c.xlsx", "national_dl", second_codes))

    def bad_code(ws):
        ws.cell(row=4, column=1, value="11-10X1")

    with pytest.raises(LayoutError, match=r"row 4, column 'OCC_CODE'"):
        read_oews_year(_edit(src, tmp_path / "d.xlsx", "national_dl", bad_code))

    def no_codes(ws):  # both OCC_CODE columns gone
        ws.delete_cols(3)
        ws.delete_cols(1)

    with pytest.raises(LayoutError, match="no sheet has an OCC_CODE"):
        read_oews_year(_edit(src, tmp_path / "e.xlsx", "national_dl", no_codes))
    # the copy's pasted column alone is not taken for codes
    with pytest.raises(LayoutError, match=r"row 2, column 'OCC_CODE'.*Bachelor"):
        read_oews_year(_edit(src, tmp_path / "f.xlsx", "national_dl", lambda ws: ws.delete_cols(1)))


def test_cps_age_slice_counts_persons_and_shares_add_up():
    frame = read_cps_age_2025(FIX / "cpsaat11b_slice.xlsx")
    total = frame.iloc[0]
    assert total["occupation"] == "Total employed"
    assert total["employed"] == 163_493_000
    ages = [c for c in frame.columns if c.startswith("age_")]
    # the age groups add up to the total (within the table's rounding to thousands)
    assert abs(frame[ages].sum(axis=1) - frame["employed"]).max() <= 4000
    assert frame["median_age"].isna().any()  # dashes for small bases


def test_cps_bad_cell_names_row_and_column(tmp_path):
    def bad(ws):
        ws.cell(row=12, column=4, value="many")

    path = _edit(FIX / "cpsaat11b_slice.xlsx", tmp_path / "bad.xlsx", "cpsaat11b", bad)
    with pytest.raises(LayoutError, match=r"row 12, column 'age_20_24'.*'many'"):
        read_cps_age_2025(path)


# --------------------------------------------------------------------------------------------
# Fast tier: the estimator on a constructed panel with a known effect


def _constructed(effect: float, noise: float = 0.01, n: int = 500, seed: int = 1):
    rng = np.random.default_rng(seed)
    years = list(range(2017, 2026))
    codes = [f"{11 + i % 20:02d}-{1000 + i:04d}" for i in range(n)]
    x = rng.uniform(0, 1, n)
    e0 = rng.lognormal(10, 1, n)
    grow = np.array(years) - 2017
    after = np.maximum(0, np.array(years) - 2022)
    # every occupation grows 2 %/yr; after 2022 the top fifth of exposure grows `effect` less
    top = x >= np.quantile(x, 0.8)
    logs = (
        np.log(e0)[:, None]
        + 0.02 * grow[None, :]
        + (effect / 100) * after[None, :] * top[:, None]
        + rng.normal(0, noise, (n, len(years)))
    )
    panel = pd.DataFrame(
        {
            "soc_2018_code": np.repeat(codes, len(years)),
            "year": np.tile(years, n),
            "employment": np.exp(logs).ravel(),
            "median_wage": 50_000.0,
        }
    )
    return panel, pd.DataFrame({"soc_2018_code": codes, "fake": x})


def test_estimator_recovers_a_known_effect_and_the_placebo_is_null():
    panel, measures = _constructed(effect=-3.0)
    _, summary = trends.analyse(panel, measures, ["fake"], n_draws=300)
    got = trends.summary_json(summary, "fake")
    for stat in ("diff_in_trends", "diff_in_trends_fe"):
        assert got[stat]["ci_low"] < -3.0 < got[stat]["ci_high"], (stat, got[stat])
        assert abs(got[stat]["estimate"] + 3.0) < 0.5
    assert got["placebo"]["ci_low"] < 0 < got["placebo"]["ci_high"]
    assert got["slope_change_in_growth"]["ci_high"] < 0
    assert set(got["diff_in_trends"]) == {"estimate", "ci_low", "ci_high", "n"}


def test_estimator_finds_nothing_without_an_effect():
    panel, measures = _constructed(effect=0.0, seed=2)
    _, summary = trends.analyse(panel, measures, ["fake"], n_draws=300)
    got = trends.summary_json(summary, "fake")["diff_in_trends"]
    assert got["ci_low"] < 0 < got["ci_high"]


def test_groups_are_quintiles_of_workers_and_add_up():
    panel, measures = _constructed(effect=-3.0)
    s = trends.sample(panel, measures.set_index("soc_2018_code")["fake"], groups=5)
    tr = trends.group_trends(s, "fake")
    base = tr[tr["year"] == 2022]
    share = base["employment"] / base["employment"].sum()
    assert share.between(0.12, 0.28).all()  # ~ a fifth of workers each
    by_year = tr.groupby("year")["employment"].sum()
    total = panel.groupby("year")["employment"].sum()
    assert np.allclose(by_year.to_numpy(), total.to_numpy())
    assert np.allclose(base["employment_index"], 100.0)
    with pytest.raises(ConfigError):
        trends.worker_groups(measures["fake"], measures["fake"], 1)


def test_worker_groups_keep_ties_together():
    x = pd.Series([0.0] * 6 + [1.0, 2.0, 3.0, 4.0])
    g = trends.worker_groups(x, pd.Series(1.0, index=x.index), 5)
    assert g[:6].nunique() == 1


def test_dissimilarity_is_half_the_absolute_share_difference():
    panel = pd.DataFrame(
        {
            "soc_2018_code": ["a", "b", "a", "b", "a", "b"],
            "year": [2020, 2020, 2021, 2021, 2022, 2022],
            "employment": [50.0, 50.0, 60.0, 40.0, 50.0, 50.0],
        }
    )
    d = dissimilarity.dissimilarity(panel).set_index(["year_from", "year_to"])["dissimilarity"]
    assert d[(2020, 2021)] == pytest.approx(0.10)
    assert d[(2020, 2022)] == pytest.approx(0.0)
    w = dissimilarity.windows(dissimilarity.dissimilarity(panel), 1, end_after=2021)
    assert w["post"].tolist() == [False, True]


# --------------------------------------------------------------------------------------------
# Full tier: the mirror's raw files


@pytest.fixture(scope="module")
def oews(source_path):
    return {y: read_oews_year(source_path(n)) for y, n in OEWS.items()}


@pytest.fixture(scope="module")
def structure(source_path):
    from laborlens.sources.crosswalks import read_soc2010_to_2018
    from laborlens.sources.soc import read_onet_soc_crosswalk, read_soc_structure

    return (
        read_soc_structure(source_path("soc_structure_2018")),
        read_soc2010_to_2018(source_path("frey_osborne_soc2010_to_soc2018_crosswalk")),
        read_onet_soc_crosswalk(source_path("gpts_nem_onet_to_soc_crosswalk")),
    )


@pytest.fixture(scope="module")
def panel(oews, structure):
    return harmonize(oews, *structure)


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_oews_reader_agrees_with_the_bls_reader(source_path, year):
    from laborlens.sources.bls import read_oews_national

    path = source_path(OEWS[year])
    a, b = read_oews_year(path), read_oews_national(path)
    assert a["soc_code"].tolist() == b["soc_code"].tolist()
    assert a["o_group"].tolist() == b["o_group"].tolist()
    for col in ("employment", "a_mean", "a_median", "h_median"):
        assert np.allclose(a[col], b[col], equal_nan=True), col


def test_oews_totals_of_every_year_match_the_manifest(oews):
    totals = {y: f.loc[f["o_group"] == "total", "employment"].iloc[0] for y, f in oews.items()}
    assert totals[2017] == 142_549_250
    assert totals[2018] == 144_733_270
    assert totals[2019] == 146_875_480
    assert totals[2020] == 139_099_570
    assert totals[2022] == 147_886_000
    for y, f in oews.items():
        majors = f.loc[f["o_group"] == "major", "employment"].sum()
        assert abs(majors - totals[y]) <= 30, y  # "within 30 workers (rounding)"


def test_derived_groups_match_the_published_ones_every_year(oews):
    for y, f in oews.items():
        derived = sorted(zip(f["soc_code"], _derive_groups(f["soc_code"]), strict=True))
        assert derived == sorted(zip(f["soc_code"], f["o_group"], strict=True)), y


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_panel_equals_the_published_figure_for_every_direct_code(panel, oews, year):
    f = oews[year]
    pub = f[f["o_group"] == "detailed"].drop_duplicates("soc_code").set_index("soc_code")
    p = panel.frame[(panel.frame["year"] == year) & (panel.frame["rule"] == "direct")]
    p = p.set_index("soc_2018_code")
    assert len(p) > 800
    assert np.array_equal(p["employment"].to_numpy(), pub.loc[p.index, "employment"].to_numpy())
    mean = pub.loc[p.index, "a_mean"].fillna(pub.loc[p.index, "h_mean"] * 2080)
    assert np.allclose(p["mean_wage"], mean, equal_nan=True)
    median = pub.loc[p.index, "a_median"].fillna(pub.loc[p.index, "h_median"] * 2080)
    assert np.allclose(p["median_wage"], median, equal_nan=True)
    # the only SOC 2018 codes of these years that are not published directly are pool members
    other = panel.frame[(panel.frame["year"] == year) & (panel.frame["rule"] != "direct")]
    assert set(other["rule"]) == {"split_equal"}


def test_panel_coverage_and_nothing_dropped(panel, oews):
    cov = panel.coverage.set_index("year")
    assert (cov["coverage"] >= 0.95).all()
    assert (cov["unmapped_codes"] == 0).all()
    assert panel.unmapped.empty
    for y, f in oews.items():
        detailed = f[f["o_group"] == "detailed"].drop_duplicates("soc_code")["employment"]
        harmonized = panel.frame.loc[panel.frame["year"] == y, "employment"].sum()
        assert harmonized == pytest.approx(detailed.sum(), rel=1e-9), y


def test_hybrid_2019_codes_split_by_2021_shares(panel, oews):
    f = panel.frame.set_index(["year", "soc_2018_code"])
    for year in (2019, 2020):
        pub = oews[year].drop_duplicates("soc_code").set_index("soc_code")
        parts = f.loc[year].loc[["15-1252", "15-1253"]]
        assert set(parts["rule"]) == {"split_later"}
        assert set(parts["sources"]) == {"15-1256"}
        assert parts["employment"].sum() == pytest.approx(pub.loc["15-1256", "employment"])
        assert (parts["share_year"] == 2021).all()
        later = f.loc[2021].loc[["15-1252", "15-1253"], "employment"]
        assert np.allclose(
            parts["employment"] / parts["employment"].sum(), later / later.sum()
        )
        assert (parts["mean_wage"] == pub.loc["15-1256", "a_mean"]).all()


def test_hybrid_members_are_soc2018_codes_the_year_does_not_publish(oews, structure):
    soc = structure[0]
    detailed = set(soc.loc[soc["level"] == "detailed", "soc_code"])
    published = set(oews[2019]["soc_code"])
    for code, members in HYBRID_2019.items():
        assert code in published, code
        assert set(members) <= detailed, code
        assert not set(members) & published, code


def test_every_civilian_code_has_a_value_in_most_years(panel, structure):
    soc = structure[0]
    civilian = {c for c in soc.loc[soc["level"] == "detailed", "soc_code"] if c[:3] != MILITARY}
    cov = panel.coverage.set_index("year")
    for y in panel.frame["year"].unique():
        have = set(panel.frame.loc[panel.frame["year"] == y, "soc_2018_code"])
        assert len(civilian - have) <= 3, (y, sorted(civilian - have))
        # and the coverage table names them
        listed = cov.loc[y, "civilian_codes_without_value"]
        assert set(filter(None, listed.split(","))) == civilian - have


def test_soc2010_years_use_the_crosswalk_rules(panel):
    f = panel.frame.set_index(["year", "soc_2018_code"])
    sd = f.loc[(2017, "15-1252")]
    assert sd["rule"] == "split_merge"
    assert sd["sources"] == "15-1132,15-1133"
    assert f.loc[(2017, "13-1021"), "rule"] == "split_equal"  # pooled 13-1020, never split
    assert set(panel.frame.loc[panel.frame["year"] == 2017, "rule"]) >= {
        "direct",
        "recode",
        "merge",
        "split_later",
    }


def test_group_employment_adds_up_on_the_real_panel(panel, source_path, structure):
    from laborlens.measures.core import pooled_to_members
    from laborlens.sources.microsoft import read_ai_applicability

    ms = read_ai_applicability(source_path("msft_soc_ai_applicability_scores"))
    scores = pooled_to_members(ms.set_index("soc_2018_code")["ai_applicability"], structure[2])
    measures = scores.rename("ms").rename_axis("soc_2018_code").reset_index()
    tr, summary = trends.analyse(panel.frame, measures, ["ms"], n_draws=200)
    s = trends.sample(panel.frame, scores, 5)
    for y, part in tr.groupby("year"):
        assert part["employment"].sum() == pytest.approx(s[f"e{y}"].sum())
    covered = panel.frame[panel.frame["soc_2018_code"].isin(s.index)]
    by_year = covered.groupby("year")["employment"].sum()
    assert np.allclose(tr.groupby("year")["employment"].sum().to_numpy(), by_year.to_numpy())
    assert (summary["ci_low"] <= summary["estimate"]).all()
    assert (summary["estimate"] <= summary["ci_high"]).all()


def test_cps_titles_link_to_soc_through_the_census_list(source_path, structure):
    soc = structure[0]
    census = read_census_occ_2018(source_path("soc_census_2018_crosswalk"))
    links = census_soc_links(census, soc.loc[soc["level"] == "detailed", "soc_code"].tolist())
    assert links["soc_2018_code"].notna().all()
    assert links["soc_2018_code"].nunique() == 867  # every SOC 2018 code reached once or more
    titles = set(census["census_title"].map(normalise_title))
    for frame in (
        read_cps_age_2025(source_path("bls_cps_cpsaat11b_2025")),
        read_cps_sex_race(source_path("gpts_cpsaat11")),
    ):
        matched = frame["occupation"].map(normalise_title).isin(titles)
        # the rest are aggregates ("Management occupations"), whose employment is the sum of
        # their members: the detailed rows matched cover all employed
        assert matched.sum() > 520
        assert frame.loc[matched, "employed"].sum() == pytest.approx(
            frame["employed"].iloc[0], rel=0.01
        )


def test_indeed_sectors_all_have_soc_codes(source_path, structure):
    soc = structure[0]
    xwalk = postings.read_sector_crosswalk()
    sectors = postings.expand_sectors(xwalk, soc.loc[soc["level"] == "detailed", "soc_code"])
    examples = pd.read_csv(source_path("indeed_sector_title_examples"))
    assert set(examples["sector"]) == set(sectors["sector"])
    data = postings.read_sector_postings(source_path("indeed_postings_us_by_sector"))
    assert set(data["sector"]) <= set(sectors["sector"])
    first = data[data["date"] == data["date"].min()]
    assert first["date"].iloc[0] == pd.Timestamp("2020-02-01")
    assert (first["index"] == 100).all()
    changes = postings.sector_changes(data)
    assert changes["change_since_feb2020"].notna().all()
    # every sector row of the crosswalk has at least one example-title link
    assert set(xwalk.loc[xwalk["basis"] == "example", "sector"]) == set(xwalk["sector"])


# --------------------------------------------------------------------------------------------
# Full tier: the CLI over a database holding the real panel and one real measure


@pytest.fixture(scope="module")
def small_db(panel, source_path, structure, tmp_path_factory):
    import duckdb

    from laborlens.db.connection import write_table
    from laborlens.measures.core import MEASURE_NAMES, pooled_to_members
    from laborlens.sources.microsoft import read_ai_applicability

    ms = read_ai_applicability(source_path("msft_soc_ai_applicability_scores"))
    scores = pooled_to_members(ms.set_index("soc_2018_code")["ai_applicability"], structure[2])
    measures = pd.DataFrame({"soc_2018_code": sorted(set(panel.frame["soc_2018_code"]))})
    for name in MEASURE_NAMES:
        measures[name] = np.nan
    measures["ms_ai_applicability"] = measures["soc_2018_code"].map(scores)
    tr, summary = trends.analyse(panel.frame, measures, ["ms_ai_applicability"], n_draws=200)
    path = tmp_path_factory.mktemp("outcomes-db") / "small.duckdb"
    with duckdb.connect(str(path)) as con:
        write_table(con, "outcomes_panel", panel.frame)
        write_table(con, "outcomes_panel_coverage", panel.coverage)
        write_table(con, "measures_soc2018", measures)
        write_table(con, "outcomes_trends", tr)
        write_table(con, "outcomes_summary", summary)
        write_table(con, "outcomes_dissimilarity", dissimilarity.dissimilarity(panel.frame))
    return str(path)


def test_cli_panel_trends_and_summary(small_db, tmp_path):
    import json

    from typer.testing import CliRunner

    from laborlens.cli import app

    runner = CliRunner()
    out = tmp_path / "panel.csv"
    r = runner.invoke(app, ["outcomes", "panel", "--db", small_db, "-o", str(out)])
    assert r.exit_code == 0, r.output
    frame = pd.read_csv(out, dtype={"soc_2018_code": str})
    assert list(frame.columns[:7]) == [
        "soc_2018_code", "title", "year", "employment", "mean_wage", "median_wage", "rule",
    ]  # fmt: skip
    assert "coverage" in r.output

    tr_out, summary = tmp_path / "trends.csv", tmp_path / "summary.json"
    args = ["outcomes", "trends", "--measure", "ms_ai_applicability", "--db", small_db]
    r = runner.invoke(app, [*args, "-o", str(tr_out), "--summary", str(summary)])
    assert r.exit_code == 0, r.output
    tr = pd.read_csv(tr_out)
    assert list(tr.columns) == [
        "measure", "group", "year", "employment", "employment_index", "median_wage_index",
        "n_occupations",
    ]  # fmt: skip
    assert sorted(tr["group"].unique()) == [1, 2, 3, 4, 5]
    doc = json.loads(summary.read_text())
    for stat in ("pre_growth_top", "post_growth_top", "diff_in_trends", "diff_in_trends_fe",
                 "placebo"):
        assert set(doc[stat]) == {"estimate", "ci_low", "ci_high", "n"}
    # another number of groups is computed from the stored panel
    r = runner.invoke(app, [*args, "--groups", "3", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "ms_ai_applicability,3,2025" in r.output
    bad = runner.invoke(app, ["outcomes", "trends", "--measure", "nope", "--db", small_db])
    assert bad.exit_code == 1
    assert "unknown measure 'nope'" in bad.output
    missing = runner.invoke(app, ["outcomes", "demographics", "--db", small_db])
    assert missing.exit_code == 1
    assert "outcomes_demographics" in missing.output
    r = runner.invoke(app, ["outcomes", "dissimilarity", "--db", small_db, "--format", "csv"])
    assert r.exit_code == 0
    assert r.output.startswith("year_from,year_to")


def test_sector_review_covers_every_example_title(source_path):
    examples = pd.read_csv(source_path("indeed_sector_title_examples"))
    titles = {(r.sector, t.strip()) for r in examples.itertuples() for t in r.job_titles.split(",")}
    review = pd.read_csv(postings.sector_crosswalk_file().with_name("indeed_sectors_review.csv"))
    assert set(zip(review["sector"], review["example_title"], strict=True)) == titles
    # every example title the crosswalk does not hold under the coder's code says why
    odd = review[~review["in_crosswalk"]]
    assert odd["reviewed"].str.startswith("coder:").all()


def test_build_step_writes_every_declared_table_and_the_section_renders(
    source_path, settings, structure, tmp_path
):
    """The capability's build step through a BuildContext over the real files, on a database
    holding the tables it reads (the Microsoft measure as the only measure), then the report
    section over the result."""
    import dataclasses

    import duckdb

    from laborlens.capability import BuildContext
    from laborlens.db.connection import write_table
    from laborlens.db.tables import SOURCE_TABLES
    from laborlens.measures.core import MEASURE_NAMES, pooled_to_members
    from laborlens.outcomes.capability import CAPABILITY
    from laborlens.outcomes.run import DB_INPUTS
    from laborlens.outcomes.section import outcomes_section
    from laborlens.sources.microsoft import read_ai_applicability

    db = tmp_path / "build.duckdb"
    specs = {s.name: s for s in SOURCE_TABLES}
    ms = read_ai_applicability(source_path("msft_soc_ai_applicability_scores"))
    scores = pooled_to_members(ms.set_index("soc_2018_code")["ai_applicability"], structure[2])
    soc = structure[0]
    measures = soc.loc[soc["level"] == "detailed", ["soc_code", "title"]].rename(
        columns={"soc_code": "soc_2018_code"}
    )
    measures["employment"] = 1000.0
    for name in MEASURE_NAMES:
        measures[name] = np.nan
    measures["ms_ai_applicability"] = measures["soc_2018_code"].map(scores)
    with duckdb.connect(str(db)) as con:
        for table in DB_INPUTS.values():
            if table == "measures_soc2018":
                write_table(con, table, measures)
            else:
                write_table(con, table, specs[table].reader(source_path(specs[table].source)))
        paths = {n: source_path(n) for n in CAPABILITY.sources}
        CAPABILITY.run_build(con, BuildContext(settings, paths, capability="outcomes"))
        for t in CAPABILITY.tables:
            n = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
            assert n > 0 or t.name == "outcomes_panel_unmapped", t.name
        got = set(con.execute("SELECT DISTINCT measure FROM outcomes_summary").df()["measure"])
        assert got == {"ms_ai_applicability"}
    section = outcomes_section(dataclasses.replace(settings, db_path=db))
    assert section.id == "outcomes"
    assert "exposure is not job loss" in section.html.lower()
    assert "May 2022" in section.html


def test_rest_endpoints_answer_the_stored_tables(built_db):
    """/api/outcomes/* over a real build (which runs the outcomes step) equal the tables."""
    import duckdb
    from fastapi.testclient import TestClient

    from laborlens.service.app import ServiceConfig, create_app

    settings = built_db
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        summary = con.execute(
            "SELECT * FROM outcomes_summary WHERE measure = 'beta_gpt4'"
        ).df().set_index("statistic")
        n_panel = con.execute(
            "SELECT count(*) FROM outcomes_panel WHERE soc_2018_code = '15-1252'"
        ).fetchone()[0]
    with TestClient(create_app(settings, ServiceConfig(warm=False))) as client:
        body = client.get("/api/outcomes/trends", params={"measure": "beta_gpt4"}).json()
        got = body["summary"]["diff_in_trends"]
        assert got["estimate"] == pytest.approx(summary.loc["diff_in_trends", "estimate"])
        assert set(got) == {"estimate", "ci_low", "ci_high", "n"}
        assert {r["group"] for r in body["trends"]} == {1, 2, 3, 4, 5}
        panel_rows = client.get("/api/outcomes/panel", params={"code": "15-1252"}).json()["rows"]
        assert len(panel_rows) == n_panel == 9
        assert client.get("/api/outcomes/trends", params={"measure": "nope"}).status_code == 422
        for path in ("dissimilarity", "postings", "demographics"):
            assert client.get(f"/api/outcomes/{path}").status_code == 200
