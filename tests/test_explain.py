"""Explanations on real tasks: exact linear contributions, occlusion, nearest labelled tasks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.exceptions import LaborlensError
from laborlens.models.base import ExposureModel
from laborlens.models.data import read_labels
from laborlens.models.explain import explain, explain_columns, nearest_training_tasks
from laborlens.models.registry import get_arch

runner = CliRunner()


@pytest.fixture(scope="module")
def labels(source_path) -> pd.DataFrame:
    return read_labels(source_path("gpts_full_labelset"))


def _slice(labels: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    codes = pd.Series(labels["group"].unique()).sample(n, random_state=seed)
    return labels[labels["group"].isin(codes)].reset_index(drop=True)


@pytest.fixture(scope="module")
def split(labels):
    train = _slice(labels, 120, seed=11)
    test = _slice(labels[~labels["group"].isin(train["group"])], 10, seed=12)
    return train, test.head(40)


@pytest.fixture(scope="module")
def tfidf(split):
    train, _ = split
    return get_arch("tfidf")().fit(train[["task", "title"]], train["label"], groups=train["group"])


def _p_rated(model, task, title, label):
    proba = model.predict_proba(pd.DataFrame({"task": [task], "title": [title]}))
    return proba[0, model.classes_.index(label)]


def _top(e) -> tuple[int, float]:
    """Position and contribution of the word with the largest absolute contribution."""
    i = max(range(len(e.words)), key=lambda k: abs(e.words[k][1]))
    return i, e.words[i][1]


def _without(task: str, word_index: int) -> str:
    tokens = task.split()
    return " ".join(tokens[:word_index] + tokens[word_index + 1 :])


def test_linear_contributions_add_up_to_the_rated_logit(tfidf, split):
    _, test = split
    X = test[["task", "title"]]
    proba = tfidf.predict_proba(X)
    for i, e in enumerate(explain(tfidf, X, neighbours=0)):
        assert e.method == "exact (linear)"
        assert [w for w, _ in e.words] == e.task.split()
        c = tfidf.classes_.index(e.label)
        logp = np.log(proba[i])
        centred = logp[c] - logp.mean()  # = (s_c − mean s) / T under the softmax
        parts = tfidf.word_contributions(e.task, e.title, c)
        total = sum(v for _, v in e.words) + e.title_contribution + parts["bias"]
        assert total == pytest.approx(centred, abs=1e-6)


def test_removing_the_top_word_moves_the_rating_its_way(tfidf, split):
    _, test = split
    agree = []
    for e in explain(tfidf, test[["task", "title"]], neighbours=0):
        if len(e.words) < 3:
            continue
        i, contribution = _top(e)
        assert e.top_words(1)[0][1] == contribution
        before = _p_rated(tfidf, e.task, e.title, e.label)
        after = _p_rated(tfidf, _without(e.task, i), e.title, e.label)
        agree.append((after < before) == (contribution > 0))
    # TF-IDF rows are re-normalised when a word goes, so the linear share is not the exact
    # effect of removing it; the sign still agrees almost always.
    assert len(agree) >= 30
    assert np.mean(agree) >= 0.9


def test_neighbours_are_labelled_training_tasks(tfidf, split, tmp_path):
    train, _ = split
    some = train.sample(5, random_state=0)
    near = nearest_training_tasks(tfidf, some[["task", "title"]], k=3)
    for (_, row), found in zip(some.iterrows(), near, strict=True):
        assert len(found) == 3
        assert found[0]["task"] == row["task"]  # a training task is its own nearest neighbour
        assert found[0]["label"] == row["label"]
        assert found[0]["similarity"] == pytest.approx(1.0, abs=1e-3)
        assert found[0]["similarity"] >= found[1]["similarity"] >= found[2]["similarity"]
    tfidf.save(tmp_path / "m")
    loaded = ExposureModel.load(tmp_path / "m")
    assert nearest_training_tasks(loaded, some[["task", "title"]], k=3) == near
    del loaded.neighbours_
    loaded.neighbours_ = None
    with pytest.raises(LaborlensError, match="without its training-task index"):
        nearest_training_tasks(loaded, ["Drive a truck."])


@pytest.mark.parametrize("arch", ["cnn", "gru"])
def test_occlusion_for_neural_models(arch, labels):
    train = _slice(labels, 25, seed=13)
    model = get_arch(arch)(epochs=2).fit(
        train[["task", "title"]], train["label"], groups=train["group"]
    )
    test = _slice(labels[~labels["group"].isin(train["group"])], 3, seed=14).head(8)
    for e in explain(model, test[["task", "title"]], neighbours=2):
        assert e.method == "occlusion"
        assert len(e.neighbours) == 2
        assert e.neighbours[0]["label"] in ("E0", "E1", "E2")
        i, contribution = _top(e)
        if contribution == 0:
            continue
        before = _p_rated(model, e.task, e.title, e.label)
        after = _p_rated(model, _without(e.task, i), e.title, e.label)
        assert (after < before) == (contribution > 0)
        assert np.log(before) - np.log(after) == pytest.approx(contribution, abs=1e-5)


def test_explain_columns_and_cli(tfidf, split, tmp_path):
    _, test = split
    cols = explain_columns(explain(tfidf, test[["task", "title"]].head(3), neighbours=2))
    assert list(cols.columns) == ["top_words", "similar_tasks"]
    assert all(s.count(" | ") == 1 for s in cols["similar_tasks"])
    tfidf.save(tmp_path / "model")
    inp = tmp_path / "tasks.csv"
    pd.DataFrame(
        {"Task": ["Translate marketing brochures from English into Spanish.", "Lay bricks."]}
    ).to_csv(inp, index=False)
    out = tmp_path / "scored.csv"
    result = runner.invoke(
        app,
        ["exposure", "score", "--model", str(tmp_path / "model"), "--input", str(inp),
         "-o", str(out), "--explain", "--neighbours", "2"],
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    assert {"top_words", "similar_tasks", "beta"} <= set(scored.columns)
    assert scored["top_words"].str.contains("bricks").iloc[1]
