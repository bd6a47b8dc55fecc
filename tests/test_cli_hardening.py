"""The command line under issue 17's bad inputs: each one is a single error line naming the file
or field, a non-zero exit, and nothing written; the CSV round trip of `exposure score`; and a
`kill -9` leftover removed by the next run. Over the real built database and models."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app

pytestmark = pytest.mark.slow
SRC = Path(__file__).resolve().parents[1] / "src"
runner = CliRunner()


@pytest.fixture(scope="module")
def env(built_full):
    settings = built_full[0]
    return {
        "LABORLENS_DB": str(settings.db_path),
        "LABORLENS_MODELS": str(settings.models_dir),
        "LABORLENS_CACHE": str(settings.cache_dir),
        "LABORLENS_MIRROR": str(settings.mirror),
        "LABORLENS_OFFLINE": "1",
    }


def _run(env, args: list[str]):
    return runner.invoke(app, args, env=env)


def _one_error_line(result, *needles: str) -> str:
    assert result.exit_code != 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- CSV out: the bare CR and formulas -----------------------------------------------------------
def test_exposure_score_output_reads_back_with_every_row(env, tmp_path):
    src = tmp_path / "cr.csv"
    src.write_bytes(b'Task,Title\n"Prepare reports\r=1+2",x\nAudit accounts.,=cmd\n')
    out = tmp_path / "o.csv"
    result = _run(env, ["exposure", "score", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Scored 2 tasks" in result.output
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back["Task"].tolist() == ["Prepare reports\r=1+2", "Audit accounts."]
    assert back["Title"].tolist() == ["x", "'=cmd"]  # a spreadsheet shows it, does not run it
    assert set(back["exposure"]) <= {"E0", "E1", "E2"}
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    raw = tmp_path / "raw.tsv"
    result = _run(env, ["exposure", "score", "--input", str(src), "-o", str(raw), "--raw-csv"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(raw, sep="\t", dtype=str)["Title"].tolist() == ["x", "=cmd"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- malformed input files -------------------------------------------------------------------------
def test_titles_file_with_unquoted_comma_is_refused(env, tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("title\nRN - ICU nights, $5k bonus\nHR generalist II\n")
    out = tmp_path / "c.csv"
    result = _run(env, ["titles", "code", "--input", str(src), "--output", str(out)])
    _one_error_line(result, str(src), "row 2", "unquoted comma")
    assert _files(tmp_path) == ["t.csv"]


def test_tasks_file_with_whitespace_line_is_refused(env, tmp_path):
    src = tmp_path / "tasks.csv"
    src.write_text("Task\nAudit accounts.\n   \nPrepare reports.\n")
    result = _run(env, ["exposure", "score", "--input", str(src), "-o", str(tmp_path / "o.csv")])
    _one_error_line(result, str(src), "row 3: blank")
    assert _files(tmp_path) == ["tasks.csv"]


def test_titles_rows_are_one_based_and_name_the_file(env, tmp_path):
    src = tmp_path / "t.tsv"
    src.write_text("title\nWelder\n" + "x" * 301 + "\n")
    result = _run(env, ["titles", "code", "--input", str(src), "-o", str(tmp_path / "c.csv")])
    _one_error_line(result, str(src), "row 3", "longer than 300 characters")
    src.write_bytes(b"title\nWelder\nCaf\xe9\n")
    result = _run(env, ["titles", "code", "--input", str(src)])
    _one_error_line(result, str(src), "byte 0xe9 at byte offset 16 (line 3)")


def test_empty_title_exits_non_zero(env):
    _one_error_line(_run(env, ["titles", "code", "  "]), "TITLE is empty")


# -- paths and arguments checked before any work ---------------------------------------------------
def test_output_paths_are_refused_before_the_work(env, tmp_path):
    src = tmp_path / "tasks.csv"
    src.write_text("Task\nAudit accounts.\n")
    (tmp_path / "afile").write_text("x")
    for output, needle in [
        (tmp_path / "o.xlsx", "unsupported output type '.xlsx'"),
        (tmp_path / "afile" / "o.csv", "is a file, not a folder"),
        (tmp_path, "is a folder"),
    ]:
        started = time.monotonic()
        result = _run(env, ["exposure", "score", "--input", str(src), "-o", str(output)])
        _one_error_line(result, str(output), needle)
        assert time.monotonic() - started < 5  # refused before loading any model
        result = _run(env, ["titles", "code", "nurse", "-o", str(output)])
        _one_error_line(result, needle)
    assert _files(tmp_path) == ["afile", "tasks.csv"]


def test_missing_input_and_folder_input(env, tmp_path):
    for path, needle in [(tmp_path / "none.csv", "no such file"), (tmp_path, "is a folder")]:
        out = str(tmp_path / "o.csv")
        result = _run(env, ["exposure", "score", "--input", str(path), "-o", out])
        _one_error_line(result, str(path), needle)
        result = _run(env, ["posting", "analyze", str(path)])
        _one_error_line(result, str(path), needle)
    assert not (tmp_path / "o.csv").exists()


def test_posting_from_dev_zero_is_bounded(env):
    result = _run(env, ["posting", "analyze", "/dev/zero"])
    _one_error_line(result, "/dev/zero", "more than 1000000 bytes")


def test_measures_show_refuses_an_onet_code_that_does_not_exist(env):
    _one_error_line(_run(env, ["measures", "show", "15-1252.99"]), "15-1252.99")
    result = _run(env, ["measures", "show", "15-1252.00"])
    assert result.exit_code == 0, result.output


def test_truncated_database_is_one_line(env, tmp_path):
    db = tmp_path / "trunc.duckdb"
    db.write_bytes(Path(env["LABORLENS_DB"]).read_bytes()[:1_000_000])
    for args in (
        ["measures", "show", "15-1252", "--db", str(db)],
        ["careers", "recommend", "15-1252.00", "--db", str(db)],
        ["serve", "--db", str(db), "--port", "1"],
    ):
        _one_error_line(_run(env, args), str(db))
    assert _files(tmp_path) == ["trunc.duckdb"]


def test_non_utf8_argument_is_one_line(env, tmp_path):
    arg = os.fsdecode(b"\xff\xfe")
    proc = subprocess.run(
        [sys.executable, "-m", "laborlens", "careers", "recommend", arg],
        capture_output=True,
        env={**os.environ, **env, "PYTHONPATH": str(SRC)},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == b""
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "argument 3" in lines[0]
    assert "byte 0xff at byte offset 0" in lines[0]


# -- a kill -9 leftover ------------------------------------------------------------------------
def test_kill_9_leftover_is_removed_by_the_next_run(env, tmp_path):
    out = tmp_path / "o.csv"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from laborlens.io import atomic_path\n"
            f"with atomic_path({str(out)!r}) as tmp:\n"
            "    tmp.write_text('Task\\nhalf a ro')\n"
            "    print(tmp, flush=True)\n"
            "    time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    leftover = Path(writer.stdout.readline().strip())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(30)
    assert leftover.exists()
    assert not out.exists()
    src = tmp_path / "tasks.csv"
    src.write_text("Task\nAudit accounts.\n")
    result = _run(env, ["exposure", "score", "--input", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert not leftover.exists()
    assert _files(tmp_path) == ["o.csv", "tasks.csv"]
    assert len(pd.read_csv(out)) == 1


def test_database_under_a_file_is_one_line(env, tmp_path):
    (tmp_path / "afile").write_text("x")
    db = tmp_path / "afile" / "ll.duckdb"
    for args in (
        ["measures", "show", "15-1252", "--db", str(db)],
        ["build", "--db", str(db)],
    ):
        started = time.monotonic()
        _one_error_line(_run(env, args), str(tmp_path / "afile"))
        assert time.monotonic() - started < 30
    assert _files(tmp_path) == ["afile"]
