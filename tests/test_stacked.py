"""``tfidf-dwa``: TF-IDF stacked with nearest-DWA label priors, on the committed slice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from laborlens.models.base import ExposureModel
from laborlens.models.data import read_labels
from laborlens.models.explain import explain
from laborlens.models.registry import get_arch
from laborlens.models.stacked import DWA_SOURCE, normalise_text, read_dwa_links
from laborlens.sources.fetch import fetch


@pytest.fixture(scope="module")
def data(slice_settings):
    labels = read_labels(fetch("gpts_full_labelset", slice_settings))
    links = read_dwa_links(fetch(DWA_SOURCE, slice_settings))
    codes = sorted(labels["group"].unique())
    test = labels[labels["group"].isin(codes[-3:])].reset_index(drop=True)
    train = labels[~labels["group"].isin(codes[-3:])].reset_index(drop=True)
    return train, test, links


@pytest.fixture(scope="module")
def model(data):
    train, _, links = data
    m = get_arch("tfidf-dwa")()
    m.dwa_links = links
    return m.fit(train[["task", "title"]], train["label"], groups=train["group"])


def test_dwa_priors_come_from_the_training_labels_only(model, data):
    train, test, links = data
    index = model.state_["dwa"]
    # Most slice statements are linked to their DWAs by their text.
    assert index["n_linked"] >= 0.8 * len(train)
    # Each DWA's counts are exactly the training labels of the statements linked to it.
    keyed = links.assign(key=links["task"].map(normalise_text))
    dwa = keyed["dwa_id"].value_counts().index[0]
    linked = set(keyed.loc[keyed["dwa_id"] == dwa, "key"])
    expected = train.loc[train["task"].map(normalise_text).isin(linked), "label"]
    j = list(index["ids"]).index(dwa)
    got = dict(zip(model.classes_, index["counts"][j], strict=True))
    assert got == {c: float((expected == c).sum()) for c in model.classes_}
    # Test-fold labels never enter: the counts sum to the linked training rows only.
    test_only = set(test["task"].map(normalise_text)) - set(train["task"].map(normalise_text))
    assert test_only
    assert index["counts"].sum() <= len(
        keyed[keyed["key"].isin(set(train["task"].map(normalise_text)))]
    )


def test_own_occupation_is_left_out_of_a_training_row_prior(model, data):
    train, _, links = data
    tasks, groups = train["task"].tolist(), train["group"].to_numpy()
    y = train["label"].map({c: i for i, c in enumerate(model.classes_)}).to_numpy()
    index = model._dwa_index(tasks, y, groups)
    own = model._dwa_features(index, tasks, own_rows=np.arange(len(tasks)))
    plain = model._dwa_features(index, tasks)
    # Linked training statements of each DWA, and their occupations.
    keyed = links.assign(key=links["task"].map(normalise_text))
    row_keys = train["task"].map(normalise_text)
    m = model.n_dwas
    sims = (index["vectorizer"].transform(tasks) @ index["matrix"].T).toarray()
    checked = 0
    for r in range(0, len(tasks), 7):
        top = np.argsort(-sims[r], kind="stable")[:m]
        for j, d in enumerate(top):
            texts = set(keyed.loc[keyed["dwa_id"] == index["ids"][d], "key"])
            linked = row_keys.isin(texts).to_numpy()
            others = int((linked & (groups != groups[r])).sum())
            assert own[r, -m + j] == pytest.approx(np.log1p(others))
            assert plain[r, -m + j] == pytest.approx(np.log1p(int(linked.sum())))
            checked += linked[r] and others < linked.sum()
    assert checked > 0  # some rows really lost their own occupation's tasks


def test_scores_save_load_and_explain(model, data, tmp_path):
    _, test, _ = data
    X = test[["task", "title"]]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {"E0", "E1", "E2"}
    model.save(tmp_path / "m")
    loaded = ExposureModel.load(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(X), proba)
    # Without a title the stage-1 scores change, and so the stacked ones.
    assert not np.allclose(model.predict_proba(X[["task"]]), proba)
    near = loaded.nearest_dwas(["Translate information for others."], k=1)[0][0]
    assert near["dwa_title"] == "Translate information for others." or near["similarity"] < 1


def test_explanations_name_neighbours_and_words_that_move_the_rating(model, data):
    _, test, _ = data
    rows = test[["task", "title"]].head(8)
    for e, (_, row) in zip(explain(model, rows, neighbours=2), rows.iterrows(), strict=True):
        assert e.method == "occlusion"
        assert len(e.neighbours) == 2
        assert e.neighbours[0]["label"] in {"E0", "E1", "E2"}
        word, contribution = e.top_words(1)[0]
        if contribution == 0:
            continue
        tokens = row["task"].split()
        i = tokens.index(word)
        rest = " ".join(tokens[:i] + tokens[i + 1 :])
        cls = model.classes_.index(e.label)
        before = model.predict_proba(pd.DataFrame({"task": [row["task"]], "title": [row["title"]]}))
        after = model.predict_proba(pd.DataFrame({"task": [rest], "title": [row["title"]]}))
        moved = np.log(before[0, cls]) - np.log(after[0, cls])
        assert np.sign(moved) == np.sign(contribution)
        assert moved == pytest.approx(contribution, abs=1e-9)


def test_cli_train_score_explain(monkeypatch, tmp_path):
    """``--arch tfidf-dwa`` end to end in the CLI; the DWA file comes from the settings."""
    from typer.testing import CliRunner

    from laborlens.cli import app

    slice_dir = Path(__file__).parent / "fixtures" / "slice"
    monkeypatch.setenv("LABORLENS_MIRROR", str(slice_dir / "data"))
    monkeypatch.setenv("LABORLENS_REGISTRY", str(slice_dir / "registry.toml"))
    monkeypatch.setenv("LABORLENS_OFFLINE", "1")
    labels = slice_dir / "data" / "gpts-are-gpts" / "full_labelset.tsv"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "exposure",
            "train",
            "--labels",
            str(labels),
            "-o",
            str(tmp_path / "m"),
            "--arch",
            "tfidf-dwa",
        ],
    )
    assert result.exit_code == 0, result.output
    tasks = tmp_path / "in.csv"
    tasks.write_text("Task,Title\nLay bricks for garden walls,Brickmasons\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "exposure",
            "score",
            "--input",
            str(tasks),
            "-o",
            str(tmp_path / "out.csv"),
            "--model",
            str(tmp_path / "m"),
            "--explain",
        ],
    )
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert out.loc[0, "exposure"] in {"E0", "E1", "E2"}
    assert "walls" in out.loc[0, "top_words"]
    assert out.loc[0, "similar_tasks"].count("|") == 2
