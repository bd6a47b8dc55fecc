"""CLI manners (issue 18): an example in every command's help, probabilities rounded to a
sensible precision, a line on how reliable one rating is, and plain output off a terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer

from laborlens.cli import app

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def _commands(cmd, path=()):
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), cmd


def test_every_command_has_an_example_in_its_help():
    commands = dict(_commands(typer.main.get_command(app)))
    assert len(commands) >= 20
    missing = [
        name
        for name, cmd in commands.items()
        if not re.search(r"Examples?: laborlens " + re.escape(name.split()[0]), cmd.help or "")
    ]
    assert missing == []


def test_the_reliability_line_quotes_the_model_card():
    """The agreement figures printed after scoring are those of docs/model_cv_results.json."""
    from laborlens.models.scoring import AGREEMENT, reliability_note

    card = json.loads((REPO / "docs" / "model_cv_results.json").read_text())
    exp, auto = card["exposure/tfidf"], card["automation/tfidf"]
    expected = {
        "exposure": {
            "accuracy": exp["metrics"]["accuracy"],
            "kappa": exp["metrics"]["kappa"],
            "occupation_r": exp["metrics"]["occupation_r"],
            "reference_accuracy": exp["comparison"]["accuracy"],
            "reference_kappa": exp["comparison"]["kappa"],
        },
        "automation": {k: auto["metrics"][k] for k in ("accuracy", "kappa", "occupation_r")},
    }
    for target, values in expected.items():
        for key, value in values.items():
            assert AGREEMENT[target][key] == pytest.approx(value, abs=5e-4), (target, key)
    line = reliability_note("exposure")
    assert "74 % of tasks" in line
    assert "κ 0.55" in line
    assert "GPT-4's own labels: 66 %" in line
    assert "docs/models.md" in line
    assert "model card" in reliability_note("exposure", default_model=False)


@pytest.fixture(scope="module")
def small_model(source_path, tmp_path_factory):
    """A TF-IDF exposure model trained on the real labels of 40 occupations (fast)."""
    from laborlens.models.data import read_labels
    from laborlens.models.registry import get_arch

    labels = read_labels(source_path("gpts_full_labelset"), "exposure")
    keep = sorted(labels["group"].unique())[:40]
    frame = labels[labels["group"].isin(keep)]
    model = get_arch("tfidf")(target="exposure", random_state=0)
    model.fit(frame[["task", "title"]], frame["label"], groups=frame["group"])
    folder = tmp_path_factory.mktemp("model") / "small"
    model.save(folder)
    tasks = labels[~labels["group"].isin(keep)].head(300)
    path = folder.parent / "tasks.csv"
    tasks[["task", "title"]].rename(columns={"task": "Task", "title": "Title"}).to_csv(
        path, index=False
    )
    return folder, path


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "laborlens", *args],
        capture_output=True,  # pipes: neither stdout nor stderr is a terminal
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _decimals(series: pd.Series) -> int:
    return max(len(s.split(".")[1]) if "." in s else 0 for s in series.astype(str))


def test_scoring_off_a_terminal_prints_plain_lines_rounded(small_model, tmp_path):
    model, tasks = small_model
    out = tmp_path / "scored.csv"
    done = _run("exposure", "score", "--input", str(tasks), "-o", str(out), "--model", str(model))
    assert done.returncode == 0, done.stderr
    # no bars, no cursor movement, no colour codes: a log file reads line by line
    assert "\r" not in done.stderr
    assert "\x1b[" not in done.stderr + done.stdout
    assert re.search(r"^\[300/300\] scoring$", done.stderr, re.M), done.stderr
    assert "%|" not in done.stderr  # no third-party (tqdm) progress bar
    assert "Scored 300 tasks" in done.stdout
    assert "How reliable one rating is" in done.stdout
    scored = pd.read_csv(out, dtype=str)
    probs = ["p_E0", "p_E1", "p_E2", "beta"]
    assert max(_decimals(scored[c]) for c in probs) <= 3
    assert _decimals(scored["p_E1"]) >= 2  # rounded, not truncated to labels
    finer = tmp_path / "finer.csv"
    done = _run(
        "exposure", "score", "--input", str(tasks), "-o", str(finer), "--model", str(model),
        "--precision", "6",
    )
    assert done.returncode == 0, done.stderr
    assert "6 decimals" in done.stdout
    assert 3 < max(_decimals(pd.read_csv(finer, dtype=str)[c]) for c in probs) <= 6
    bad = _run("exposure", "score", "--input", str(tasks), "-o", str(finer), "--precision", "-1")
    assert bad.returncode != 0
    assert "precision" in bad.stderr.lower()
