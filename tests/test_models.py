"""Exposure models on slices of the real labels: the estimator contract, calibration, CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.exceptions import LayoutError
from laborlens.models.base import ExposureModel, ModelInputError, NotFittedError, fit_temperature
from laborlens.models.data import read_labels
from laborlens.models.metrics import expected_calibration_error
from laborlens.models.registry import ARCHS, get_arch

runner = CliRunner()


@pytest.fixture(scope="module")
def labels(source_path) -> pd.DataFrame:
    return read_labels(source_path("gpts_full_labelset"))


def _slice(labels: pd.DataFrame, n_occupations: int, seed: int = 0) -> pd.DataFrame:
    codes = pd.Series(labels["group"].unique()).sample(n_occupations, random_state=seed)
    return labels[labels["group"].isin(codes)].reset_index(drop=True)


@pytest.fixture(scope="module")
def split(labels):
    train = _slice(labels, 160, seed=1)
    test = _slice(labels[~labels["group"].isin(train["group"])], 40, seed=2)
    return train, test


@pytest.fixture(scope="module")
def tfidf_model(split):
    train, _ = split
    return get_arch("tfidf")().fit(train[["task", "title"]], train["label"], groups=train["group"])


def test_tfidf_learns_the_human_labels_on_unseen_occupations(tfidf_model, split):
    _, test = split
    proba = tfidf_model.predict_proba(test[["task", "title"]])
    assert proba.shape == (len(test), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    y = test["label"].map({"E0": 0, "E1": 1, "E2": 2}).to_numpy()
    accuracy = (tfidf_model.predict(test[["task", "title"]]) == test["label"]).mean()
    majority = test["label"].value_counts(normalize=True).max()
    assert accuracy > majority + 0.03
    assert expected_calibration_error(proba, y) < 0.12
    assert 0.2 < tfidf_model.temperature_ < 5


def test_save_and_load_give_the_same_probabilities(tfidf_model, split, tmp_path):
    _, test = split
    tfidf_model.save(tmp_path / "m")
    loaded = ExposureModel.load(tmp_path / "m")
    assert type(loaded) is type(tfidf_model)
    np.testing.assert_allclose(
        loaded.predict_proba(test[["task", "title"]]),
        tfidf_model.predict_proba(test[["task", "title"]]),
    )
    assert loaded.classes_ == ["E0", "E1", "E2"]


def test_title_is_optional_and_context_changes_scores(tfidf_model, split):
    train, _ = split
    beta = train["label"].map({"E0": 0, "E1": 1, "E2": 0.5}).groupby(train["title"]).mean()
    low, high = beta.idxmin(), beta.idxmax()
    task = "Prepare reports summarizing findings."
    alone = tfidf_model.predict_proba([task])
    with_title = tfidf_model.predict_proba(
        pd.DataFrame({"task": [task, task], "title": [low, high]})
    )
    assert alone.shape == (1, 3)
    b = with_title[:, 1] + 0.5 * with_title[:, 2]
    assert b[1] > b[0]


def test_contract_errors(tfidf_model, split):
    train, _ = split
    with pytest.raises(NotFittedError, match="call fit"):
        get_arch("tfidf")().predict_proba(["Drive a truck."])
    with pytest.raises(ModelInputError, match="row 1: the task text is empty"):
        tfidf_model.predict_proba(["Write code.", "  "])
    with pytest.raises(ModelInputError, match="row 0: the task text has 2500 characters"):
        tfidf_model.predict_proba(["x" * 2500])
    with pytest.raises(ModelInputError, match="no 'task' column"):
        tfidf_model.predict_proba(pd.DataFrame({"text": ["a"]}))
    bad = train["label"].copy()
    bad.iloc[3] = "E3"
    with pytest.raises(ModelInputError, match="row 3: label 'E3' is not one of E0, E1, E2"):
        get_arch("tfidf")().fit(train[["task", "title"]], bad, groups=train["group"])
    with pytest.raises(Exception, match="arch must be one of"):
        get_arch("bert")


def test_temperature_fixes_overconfident_logits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 2000)
    logits = rng.normal(size=(2000, 3))
    logits[np.arange(2000), y] += 1.0
    t = fit_temperature(logits * 5, y)
    assert 3.0 < t < 7.0


@pytest.mark.parametrize("arch", ["cnn", "gru", "minilm"])
def test_neural_archs_beat_the_majority_class(arch, labels):
    train = _slice(labels, 60, seed=3)
    test = _slice(labels[~labels["group"].isin(train["group"])], 20, seed=4)
    params = {"cnn": {"epochs": 4}, "gru": {"epochs": 3}}.get(arch, {})
    model = get_arch(arch)(**params).fit(
        train[["task", "title"]], train["label"], groups=train["group"]
    )
    proba = model.predict_proba(test[["task", "title"]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    y = test["label"].map({"E0": 0, "E1": 1, "E2": 2}).to_numpy()
    log_loss = -np.log(proba[np.arange(len(y)), y]).mean()
    # Better than knowing only the class frequencies of the training occupations.
    prior = train["label"].value_counts(normalize=True).reindex(["E0", "E1", "E2"]).to_numpy()
    assert log_loss < -np.log(prior[y]).mean()


@pytest.mark.parametrize(
    ("arch", "params"), [("tfidf", {}), ("cnn", {"epochs": 2}), ("gru", {"epochs": 2})]
)
def test_same_seed_gives_the_same_scores(arch, params, labels):
    train = _slice(labels, 15, seed=6)
    test = _slice(labels[~labels["group"].isin(train["group"])], 5, seed=7)

    def scores(seed):
        model = get_arch(arch)(random_state=seed, **params)
        model.fit(train[["task", "title"]], train["label"], groups=train["group"])
        return model.predict_proba(test[["task", "title"]])

    first = scores(0)
    np.testing.assert_array_equal(scores(0), first)
    if arch in ("cnn", "gru"):  # the seed drives initialisation and batch order
        assert not np.array_equal(scores(1), first)


def test_finetuned_encoder_trains_saves_and_loads(labels, tmp_path):
    train = _slice(labels, 6, seed=5)
    model = get_arch("minilm-ft")(epochs=1, max_minutes=2, batch_size=16).fit(
        train[["task", "title"]], train["label"], groups=train["group"]
    )
    model.save(tmp_path / "ft")
    loaded = ExposureModel.load(tmp_path / "ft")
    some = train[["task", "title"]].head(8)
    np.testing.assert_allclose(loaded.predict_proba(some), model.predict_proba(some), atol=1e-5)


def test_automation_target(source_path):
    frame = read_labels(source_path("gpts_automation_labels"), "automation")
    assert len(frame) == 19265
    assert set(frame["label"]) == {"T0", "T1", "T2", "T3", "T4"}
    human = read_labels(source_path("gpts_automation_labels"), "automation", "human_automation")
    assert len(human) == 100
    part = _slice(frame, 80, seed=6)
    model = get_arch("tfidf")(target="automation").fit(
        part[["task", "title"]], part["label"], groups=part["group"]
    )
    assert model.predict_proba(part[["task", "title"]].head(5)).shape == (5, 5)


def test_every_registered_arch_loads():
    for name in ARCHS:
        assert get_arch(name).arch == name


def test_read_labels_errors(source_path, tmp_path):
    raw = pd.read_csv(
        source_path("gpts_full_labelset"), sep="\t", dtype=str, keep_default_na=False
    ).head(20)
    raw.loc[7, "Task"] = ""
    bad = tmp_path / "bad.tsv"
    raw.to_csv(bad, sep="\t", index=False)
    with pytest.raises(LayoutError, match=r"row 9, column 'Task': expected a task statement"):
        read_labels(bad)
    raw.drop(columns="human_exposure_agg").to_csv(bad, sep="\t", index=False)
    with pytest.raises(LayoutError, match=r"missing column\(s\) 'human_exposure_agg'"):
        read_labels(bad)


def test_cli_train_score_evaluate(source_path, tmp_path, labels):
    part = _slice(labels, 70, seed=7)
    raw = pd.read_csv(source_path("gpts_full_labelset"), sep="\t", dtype=str, keep_default_na=False)
    raw = raw[raw["O*NET-SOC Code"].isin(part["group"])]
    train_file = tmp_path / "labels.tsv"
    raw.to_csv(train_file, sep="\t", index=False)
    result = runner.invoke(
        app, ["exposure", "train", "--labels", str(train_file), "--out", str(tmp_path / "model")]
    )
    assert result.exit_code == 0, result.output

    tasks = pd.DataFrame(
        {
            "Task ID": ["a", "b", "c"],
            "Task": [
                "Write marketing copy for product launches.",
                "Repair hydraulic lines on excavators.",
                "Summarize legal documents for attorneys.",
            ],
            "Title": ["Copywriters", "Mobile Heavy Equipment Mechanics", "Paralegals"],
            "note": ["x", "y", "z"],
        }
    )
    inp = tmp_path / "tasks.csv"
    tasks.to_csv(inp, index=False)
    out = tmp_path / "scored.csv"
    result = runner.invoke(
        app,
        [
            "exposure",
            "score",
            "--model",
            str(tmp_path / "model"),
            "--input",
            str(inp),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    assert list(scored.columns) == [
        "Task ID",
        "Task",
        "Title",
        "note",
        "exposure",
        "p_E0",
        "p_E1",
        "p_E2",
        "beta",
    ]
    assert scored["note"].tolist() == ["x", "y", "z"]
    # Probabilities and β are rounded to 3 decimals (--precision).
    np.testing.assert_allclose(scored["beta"], scored["p_E1"] + 0.5 * scored["p_E2"], atol=1e-3)
    beta = scored.set_index("Task ID")["beta"]
    assert beta["a"] > beta["b"]

    tasks.loc[1, "Task"] = ""
    tasks.to_csv(inp, index=False)
    result = runner.invoke(
        app,
        [
            "exposure",
            "score",
            "--model",
            str(tmp_path / "model"),
            "--input",
            str(inp),
            "--output",
            str(tmp_path / "x.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "row 3" in result.output
    assert "the task is empty" in result.output
    assert not (tmp_path / "x.csv").exists()

    result = runner.invoke(
        app,
        ["exposure", "evaluate", "--labels", str(train_file), "--folds", "3"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for metric in ("kappa", "macro_f1", "occupation_r", "auc_ovr", "ece", "recall_E1"):
        assert metric in result.output
    assert "GPT-4 labels" in result.output


def test_gru_end_to_end_in_the_cli(source_path, tmp_path, labels):
    """``--arch gru``: train, save, score a file with the saved model, cross-validate."""
    part = _slice(labels, 20, seed=8)
    raw = pd.read_csv(source_path("gpts_full_labelset"), sep="\t", dtype=str, keep_default_na=False)
    raw = raw[raw["O*NET-SOC Code"].isin(part["group"])]
    train_file = tmp_path / "labels.tsv"
    raw.to_csv(train_file, sep="\t", index=False)
    model_dir = tmp_path / "gru"
    result = runner.invoke(
        app,
        ["exposure", "train", "--labels", str(train_file), "--arch", "gru", "-o", str(model_dir)],
    )
    assert result.exit_code == 0, result.output
    assert (model_dir / "gru.pt").is_file()
    loaded = ExposureModel.load(model_dir)
    assert loaded.arch == "gru"
    assert loaded.get_params()["hidden"] == 96
    inp = tmp_path / "tasks.csv"
    pd.DataFrame({"Task": part["task"].head(5), "Title": part["title"].head(5)}).to_csv(
        inp, index=False
    )
    out = tmp_path / "scored.csv"
    result = runner.invoke(
        app, ["exposure", "score", "--model", str(model_dir), "--input", str(inp), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    np.testing.assert_allclose(
        scored[["p_E0", "p_E1", "p_E2"]].to_numpy(),
        loaded.predict_proba(part[["task", "title"]].head(5)),
        atol=5.1e-4,  # rounded to 3 decimals (--precision)
    )
    result = runner.invoke(
        app,
        ["exposure", "evaluate", "--labels", str(train_file), "--folds", "2", "--arch", "gru"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "kappa" in result.output
