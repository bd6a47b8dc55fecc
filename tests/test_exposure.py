"""Occupation exposure from task labels, reproduced against the published occ_level.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from laborlens.exceptions import LaborlensError, LayoutError
from laborlens.exposure import occupation_exposure, task_measures, task_weights
from laborlens.sources import eloundou


@pytest.fixture(scope="module")
def labels(source_path):
    return eloundou.read_exposure_labels(source_path("gpts_full_labelset"))


@pytest.fixture(scope="module")
def published(source_path):
    return eloundou.read_occupation_level(source_path("gpts_occ_level")).set_index("onet_soc_code")


@pytest.mark.parametrize(
    ("who", "column"), [("human", "human_exposure"), ("gpt4", "gpt4_exposure")]
)
def test_paper_weighting_reproduces_occ_level_csv(labels, published, who, column):
    ours = occupation_exposure(labels, label=column, weighting="paper").set_index("onet_soc_code")
    assert len(ours) == len(published) == 923
    assert set(ours.index) == set(published.index)
    ours = ours.reindex(published.index)
    for m in ("alpha", "beta", "gamma"):
        np.testing.assert_allclose(ours[m], published[f"{who}_{m}"], rtol=0, atol=1e-9)


def test_paper_weights_match_the_released_task_weights(labels, source_path):
    released = eloundou.read_task_weights(source_path("gpts_full_onet_data"))
    merged = labels.merge(released, on=["onet_soc_code", "task_id"], validate="one_to_one")
    assert len(merged) == 19265
    np.testing.assert_array_equal(task_weights(merged["task_type"], "paper"), merged["core_weight"])
    np.testing.assert_array_equal(
        task_weights(merged["task_type"], "equal"), merged["equal_weight"]
    )


def test_other_weightings_differ_and_core_keeps_occupations_without_core_tasks(labels, published):
    equal = occupation_exposure(labels, weighting="equal").set_index("onet_soc_code")
    core = occupation_exposure(labels, weighting="core").set_index("onet_soc_code")
    assert len(equal) == len(core) == 923
    assert (equal["beta"] - published["human_beta"]).abs().max() > 0.05
    no_core = core[core["n_weighted_tasks"] == 0]
    assert len(no_core) == 51
    assert no_core["beta"].isna().all()
    assert core["beta"].notna().sum() == 923 - 51


def test_measures_are_ordered_and_bounded(labels):
    occ = occupation_exposure(labels, label="gpt4_exposure")
    assert ((occ["alpha"] <= occ["beta"] + 1e-12) & (occ["beta"] <= occ["gamma"] + 1e-12)).all()
    assert occ[["alpha", "beta", "gamma"]].stack().between(0, 1).all()


def test_row_order_does_not_matter(labels):
    a = occupation_exposure(labels).set_index("onet_soc_code")
    b = occupation_exposure(labels.sample(frac=1.0, random_state=3)).set_index("onet_soc_code")
    pd.testing.assert_frame_equal(a, b.loc[a.index], atol=1e-12, rtol=0)


def test_unknown_label_and_weighting_are_errors():
    with pytest.raises(LaborlensError, match="row 1 is 'E3'; expected E0, E1 or E2"):
        task_measures(pd.Series(["E0", "E3"]))
    with pytest.raises(LaborlensError, match="weighting must be one of paper, equal, core"):
        task_weights(pd.Series(["Core"]), "importance")


def test_bad_label_in_labels_file_names_row(source_path, tmp_path):
    raw = pd.read_csv(
        source_path("gpts_full_labelset"), sep="\t", dtype=str, keep_default_na=False
    ).head(30)
    raw.loc[4, "human_exposure_agg"] = "E9"
    bad = tmp_path / "labels.tsv"
    raw.to_csv(bad, sep="\t", index=False)
    with pytest.raises(
        LayoutError,
        match=r"row 6, column 'human_exposure_agg': expected one of E0, E1, E2, found 'E9'",
    ):
        eloundou.read_exposure_labels(bad)


def test_the_rubric_is_defined_once():
    """Levels, sources, weightings and the α/β/γ formula live in laborlens.exposure.rubric;
    no other module spells the formula or the label table again."""
    import re
    from pathlib import Path

    import laborlens.exposure.rubric as rubric

    src = Path(rubric.__file__).resolve().parents[1]
    patterns = {
        "the β formula": re.compile(r"\+\s*0\.5\s*\*\s*\w*(p_?e2|p_E2|proba\[:, 2\])", re.I),
        "the hard-label table": re.compile(r"\"E2\":\s*\(0\.0,\s*1\.0\)"),
        "the source list": re.compile(r"\(\"human\", \"gpt4\", \"model\"\)"),
    }
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "rubric.py":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.name}: {what}" for what, p in patterns.items() if p.search(text)]
    assert offenders == []
    e1, e2 = rubric.label_probabilities(pd.Series(["E0", "E1", "E2"]))
    np.testing.assert_array_equal(rubric.measure_values(e1, e2, "alpha"), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(rubric.measure_values(e1, e2, "beta"), [0.0, 1.0, 0.5])
    np.testing.assert_array_equal(rubric.measure_values(e1, e2, "gamma"), [0.0, 1.0, 1.0])
    with pytest.raises(LaborlensError, match="expected E0, E1 or E2"):
        rubric.label_probabilities(pd.Series(["E0", "E3"]))
    with pytest.raises(LaborlensError, match="alpha, beta or gamma"):
        rubric.measure_values(e1, e2, "delta")
