"""Labor-market impact engine on a database built from the real mirror (without models)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.exceptions import ConfigError, LayoutError
from laborlens.impact import PAPER_CHOICES, Choices, compute_impact, load
from laborlens.impact.aggregate import TOLERANCE, task_arrays
from laborlens.impact.automation import (
    CLASSES,
    IloThresholds,
    classify,
    employment_by_class,
    occupation_classes,
)
from laborlens.impact.bootstrap import occupation_draws
from laborlens.impact.skills import skills_shift
from laborlens.sources.aei_collaboration import read_collaboration_by_task

N_DRAWS = 200


@pytest.fixture(scope="session")
def impact_settings(built_db):
    return built_db


@pytest.fixture(scope="session")
def data(impact_settings):
    return load(impact_settings)


@pytest.fixture(scope="session")
def default_result(data):
    return compute_impact(data, Choices(), n_draws=N_DRAWS, seed=1)


def _published_share(source_path, threshold: float, tolerance: float) -> float:
    """The paper's headline straight from its files, with pandas only."""
    occ = pd.read_csv(source_path("gpts_occ_level"))
    match = pd.read_csv(source_path("gpts_occupations_onet_bls_matched"))
    j = match.dropna(subset=["occupation", "TOT_EMP"]).merge(
        occ, left_on="occupation", right_on="Title"
    )
    exposed = j["human_rating_beta"] >= threshold - tolerance
    return j.loc[exposed, "TOT_EMP"].sum() / j["TOT_EMP"].sum()


def test_paper_choices_reproduce_the_published_files(data, source_path):
    result = compute_impact(data, PAPER_CHOICES, n_draws=0)
    head = result.headline()
    for t in (0.1, 0.5):
        assert head[f"share_ge_{t:g}"] == pytest.approx(
            _published_share(source_path, t, TOLERANCE), abs=1e-12
        )
    # the abstract's "around 80 %" and "approximately 19 %", within a point
    assert abs(head["share_ge_0.1"] - 0.80) < 0.01
    assert abs(head["share_ge_0.5"] - 0.19) < 0.01
    # exact float comparison (as a script comparing stored values would) gives 19.43 %
    assert _published_share(source_path, 0.5, 0.0) == pytest.approx(0.19434, abs=1e-4)


def test_paper_link_uses_the_matched_oews_2021_employment(data, source_path):
    result = compute_impact(data, PAPER_CHOICES, n_draws=0)
    units = result.tables["units"]
    match = pd.read_csv(source_path("gpts_occupations_onet_bls_matched"))
    assert len(units) == len(match) == 972
    np.testing.assert_allclose(
        units["employment"].to_numpy(), match["TOT_EMP"].fillna(0).to_numpy()
    )


def test_national_coverage_adds_up_to_the_published_total(default_result, data, source_path):
    head = default_result.headline()
    parts = head["employment_covered"] + head["employment_unscored"]
    parts += head["employment_unpublished"]
    assert parts == pytest.approx(head["employment_total"], rel=1e-12)
    from laborlens.sources import bls

    oews = bls.read_oews_national(source_path("bls_oews_national_m2025"))
    assert head["employment_total"] == oews.loc[oews["o_group"] == "total", "employment"].iloc[0]
    detailed = oews[oews["o_group"] == "detailed"].drop_duplicates("soc_code")
    assert head["employment_covered"] + head["employment_unscored"] == pytest.approx(
        detailed["employment"].sum()
    )
    assert 0.95 < head["employment_share_covered"] < 1
    units = default_result.tables["units"]
    assert units["score"].isna().sum() == head["units_total"] - head["units_covered"] > 0
    groups = default_result.tables["major_group"]
    assert groups["employment_total"].sum() == pytest.approx(detailed["employment"].sum())


def test_2021_vintage_totals_come_from_the_2021_file(data, source_path):
    result = compute_impact(data, dataclasses.replace(Choices(), vintage=2021), n_draws=0)
    raw = pd.read_csv(source_path("gpts_oews_national_may2021"), encoding="utf-8-sig")
    total = float(raw.loc[raw["O_GROUP"] == "total", "TOT_EMP"].iloc[0].replace(",", ""))
    assert result.headline()["employment_total"] == total


def test_state_coverage_counts_suppressed_cells_as_uncovered(default_result, data):
    states = default_result.tables["state"]
    assert len(states) == 54
    parts = states[["employment_covered", "employment_unscored", "employment_unpublished"]]
    np.testing.assert_allclose(parts.sum(axis=1), states["employment_total"], rtol=1e-12)
    assert (states["employment_unpublished"] > 0).sum() > 40
    areas = data.areas()
    ca = areas[(areas["area_name"] == "California") & (areas["o_group"] == "total")]
    row = states[states["area_name"] == "California"].iloc[0]
    assert row["employment_total"] == ca["employment"].iloc[0]
    assert len(default_result.tables["metro"]) == 393


def test_intervals_contain_the_point_and_are_deterministic(data, default_result):
    head = default_result.headline()
    for col in ("mean_exposure", "share_ge_0.1", "share_ge_0.5"):
        assert head[f"{col}_lo"] < head[col] < head[f"{col}_hi"]
    inside, total = 0, 0
    for name in ("major_group", "job_zone", "wage_decile", "state", "metro"):
        t = default_result.tables[name].dropna(subset=["mean_exposure"])
        # means are smooth in the task scores: always inside
        assert (t["mean_exposure_lo"] <= t["mean_exposure"] + 1e-12).all(), name
        assert (t["mean_exposure"] <= t["mean_exposure_hi"] + 1e-12).all(), name
        # a share above a threshold jumps when a large occupation sits on the threshold, and
        # resampling moves such occupations one way only: its point may sit at the edge of
        # the bootstrap distribution (docs/impact.md); nearly all groups still contain it
        for col in ("share_ge_0.1", "share_ge_0.5"):
            ok = (t[f"{col}_lo"] <= t[col] + 1e-12) & (t[col] <= t[f"{col}_hi"] + 1e-12)
            inside += int(ok.sum())
            total += len(t)
    assert inside / total > 0.95
    again = compute_impact(data, Choices(), n_draws=N_DRAWS, seed=1, geography=False)
    pd.testing.assert_frame_equal(again.tables["major_group"], default_result.tables["major_group"])
    other = compute_impact(data, Choices(), n_draws=N_DRAWS, seed=2, geography=False)
    assert not other.tables["major_group"].equals(default_result.tables["major_group"])


def test_intervals_shrink_with_more_tasks(data):
    more = dataclasses.replace(data, tasks={"human": pd.concat([data.tasks["human"]] * 4)})
    small = compute_impact(data, Choices(), n_draws=N_DRAWS, geography=False)
    large = compute_impact(more, Choices(), n_draws=N_DRAWS, geography=False)
    pd.testing.assert_series_equal(
        small.tables["major_group"]["mean_exposure"], large.tables["major_group"]["mean_exposure"]
    )

    def width(r, table, col):
        t = r.tables[table]
        return (t[f"{col}_hi"] - t[f"{col}_lo"]).to_numpy()

    w_small, w_large = (
        width(small, "all_workers", "mean_exposure"),
        width(large, "all_workers", "mean_exposure"),
    )
    assert w_large[0] < 0.7 * w_small[0]
    g_small = width(small, "major_group", "mean_exposure")
    g_large = width(large, "major_group", "mean_exposure")
    ok = ~np.isnan(g_small)
    assert (g_large[ok] <= g_small[ok] + 1e-12).mean() > 0.9


def test_label_sampling_for_probabilistic_scores(data):
    """Model-score path on a real slice: p(E) from the human and GPT-4 labels' average."""
    h, g = data.tasks["human"], data.tasks["gpt4"]
    codes = sorted(h["onet_soc_code"].unique())[:40]
    sel = h["onet_soc_code"].isin(codes)
    probs = h[sel].copy()
    probs["p_E1"] = (h.loc[sel, "p_E1"] + g.loc[sel, "p_E1"]) / 2
    probs["p_E2"] = (h.loc[sel, "p_E2"] + g.loc[sel, "p_E2"]) / 2
    ta = task_arrays(probs, "equal", probabilistic=True)
    s, has = occupation_draws(ta, "beta", 2000, seed=3)
    assert has.all()
    expected = (
        probs.assign(b=probs["p_E1"] + probs["p_E2"] / 2).groupby("onet_soc_code")["b"].mean()
    )
    np.testing.assert_allclose(s.mean(axis=0), expected.to_numpy(), atol=0.02)
    # label draws add spread beyond resampling hard labels alone
    hard = task_arrays(h[sel], "equal", probabilistic=False)
    s_hard, _ = occupation_draws(hard, "beta", 2000, seed=3)
    assert np.all(np.isin(np.round(s_hard * 2 * hard.counts, 6) % 1, [0]))
    s2, _ = occupation_draws(ta, "beta", 2000, seed=3)
    np.testing.assert_array_equal(s, s2)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "claude", "source must be one of human, gpt4, model; got 'claude'"),
        ("measure", "delta", "measure must be one of alpha, beta, gamma; got 'delta'"),
        ("vintage", 2019, "vintage must be one of 2021, 2025; got 2019"),
        ("weighting", "importance", "weighting must be one of paper, equal, core"),
        ("link", "fuzzy", "link must be one of crosswalk, paper"),
        ("threshold", 0.0, r"threshold must be a number in \(0, 1\]; got 0.0"),
    ],
)
def test_bad_choices_are_clear_errors(field, value, message):
    with pytest.raises(ConfigError, match=message):
        Choices(**{field: value})


def test_zero_bootstrap_draws_is_a_clear_error(data):
    with pytest.raises(ConfigError, match="bootstrap draws must be at least 1"):
        occupation_draws(task_arrays(data.tasks["human"], "paper", probabilistic=False), "beta", 0)


def test_ilo_thresholds_reproduce_the_ilo_classes(source_path):
    ilo = pd.read_csv(source_path("ilo_genai_isco4_scores_2023")).dropna(
        subset=["mean_score", "SD"]
    )
    ours = classify(ilo["mean_score"], ilo["SD"]).replace(
        {
            "automation potential": "Automation potential",
            "augmentation potential": "Augmentation potential",
            "big unknown": "Other occupations",
            "low exposure": "Other occupations",
        }
    )
    assert len(ilo) == 427
    assert (ours == ilo["potential"]).sum() >= 423
    with pytest.raises(ConfigError, match="automation_sd must be in"):
        IloThresholds(automation_sd=2.0)


def test_ilo_classes_and_employment(data):
    classes = occupation_classes(data)
    assert set(classes["ilo_class"].dropna()) <= set(CLASSES)
    human = classes[classes["scheme"] == "exposure_human"]
    assert len(human) == 923
    assert (human["sd"] >= 0).all()
    emp = employment_by_class(data, classes)
    for _, g in emp.groupby("scheme"):
        assert g["share_of_covered_employment"].sum() == pytest.approx(1.0)
        assert g["employment"].sum() == pytest.approx(g["employment_covered"].iloc[0])


def test_aei_collaboration_parser(source_path, tmp_path):
    v5 = read_collaboration_by_task(source_path("aei_automation_vs_augmentation_by_task_v5"))
    v2 = read_collaboration_by_task(source_path("aei_automation_vs_augmentation_by_task_v2"))
    assert len(v5) == 3259
    assert len(v2) == 3364
    for frame in (v2, v5):
        ok = frame["automation_share"].notna()
        np.testing.assert_allclose(
            frame.loc[ok, "automation_share"] + frame.loc[ok, "augmentation_share"], 1.0
        )
    raw = pd.read_csv(source_path("aei_automation_vs_augmentation_by_task_v5")).head(10)
    raw.loc[3, "directive"] = 1.7
    bad = tmp_path / "aei.csv"
    raw.to_csv(bad, index=False)
    with pytest.raises(LayoutError, match=r"row 5, column 'directive': expected a share"):
        read_collaboration_by_task(bad)


def test_skills_shift_ranks_real_skills(data):
    out = skills_shift(data, Choices())
    sk = out["skills_shift"].set_index("element_name")
    # desk skills concentrate in exposed employment, hands-on ones in unexposed employment
    assert sk.loc["Writing", "gap"] > 0.5 > 0 > -0.5 > sk.loc["Repairing", "gap"]
    assert np.sign(sk["gap"]).eq(np.sign(sk["slope_on_exposure"])).mean() > 0.9
    assert len(out["technology_shift"]) > 50


def test_cli_writes_every_table(impact_settings, tmp_path):
    out_dir = tmp_path / "impact"
    runner = CliRunner()
    args = [
        "impact",
        "--db",
        str(impact_settings.db_path),
        "--mirror",
        str(impact_settings.mirror),
        "--draws",
        "50",
        "--output",
        str(out_dir),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "workers with ≥ 50% of tasks exposed" in result.output
    for stem in (
        "impact_all_workers",
        "impact_state",
        "impact_reproduction",
        "impact_skills_shift",
        "impact_aei_by_class",
    ):
        csv = pd.read_csv(out_dir / f"{stem}.csv")
        assert len(csv) > 0
        assert len(pd.read_parquet(out_dir / f"{stem}.parquet")) == len(csv)
    head = pd.read_csv(out_dir / "impact_all_workers.csv").iloc[0]
    assert head["source"] == "human"
    assert head["vintage"] == 2025
    bad = runner.invoke(app, [*args[:5], "--source", "claude"])
    assert bad.exit_code == 1
    assert "source must be one of human, gpt4, model" in bad.output


def test_engine_agrees_with_the_report_roll_up(impact_settings, default_result):
    """The core report takes its shares and coverage from the engine."""
    from laborlens.report.main import compute_tables

    tables, coverage = compute_tables(impact_settings)
    shares = tables["share_of_workers_exposed"]
    shares = shares[(shares["source"] == "human") & (shares["measure"] == "beta")]
    head = default_result.headline()
    for row in shares.itertuples():
        assert head[f"share_ge_{row.threshold:g}"] == pytest.approx(row.share_of_workers, abs=1e-12)
    assert head["employment_covered"] == coverage["human"].employment_scored
    assert head["units_covered"] == coverage["human"].occupations_scored
