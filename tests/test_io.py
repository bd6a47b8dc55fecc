"""The one table writer and the one list reader (issue 17): CSV/TSV round trips with the
characters that broke them (a bare CR, quotes, delimiters, formulas), atomic writes and their
leftovers, file modes, and input rows that cannot be read, counted and named."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from laborlens.exceptions import ConfigError, LayoutError
from laborlens.io import (
    check_output_path,
    read_list,
    remove_stale_temps,
    to_delimited,
    write_table,
)
from laborlens.models.data import read_tasks_to_score
from laborlens.posting.extract import MAX_BYTES, PostingInputError, read_posting
from laborlens.titles.io import read_titles

DATA = Path(__file__).parent / "data"
HARD = [
    "Prepare reports\r=1+2",  # the bare CR of the issue, then a formula
    "Audit accounts, \"quoted\"\tand tabbed",
    "line one\nline two\r\nline three",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+1 555 0100",
    "-5% of budget",
    "@SUM(A1:A2)",
    "\tleading tab",
    "plain text",
    "",
]


def _titles() -> pd.DataFrame:
    """The committed job-title test set, with the hard strings appended as extra rows."""
    frame = pd.read_csv(DATA / "job_titles.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame({c: HARD for c in frame.columns})
    return pd.concat([frame, extra], ignore_index=True)


def _read_back(path: Path) -> pd.DataFrame:
    sep = "\t" if path.suffix == ".tsv" else ","
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=sep, strict=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_round_trip_keeps_every_row_and_neutralizes_formulas(tmp_path, suffix):
    frame = _titles()
    frame["n"] = range(len(frame))
    frame["x"] = [-1.5 if i % 2 else None for i in range(len(frame))]
    path = write_table(frame, tmp_path / f"out{suffix}")
    back = _read_back(path)
    assert len(back) == len(frame) == 144 + len(HARD)
    # pandas reads it back the same way (the bare CR no longer splits a row)
    sep = "\t" if suffix == ".tsv" else ","
    assert len(pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)) == len(frame)
    for column in ("title", "note"):
        expected = [
            "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in frame[column]
        ]
        assert back[column].tolist() == expected
    # numbers are numbers: a negative one is not "neutralized"
    assert back["n"].tolist() == [str(i) for i in range(len(frame))]
    assert back["x"].tolist() == ["-1.5" if i % 2 else "" for i in range(len(frame))]
    # the opt-out writes the text verbatim
    raw = _read_back(write_table(frame, tmp_path / f"raw{suffix}", neutralize_formulas=False))
    assert raw["title"].tolist() == frame["title"].tolist()
    # lines end in LF; a CR appears only inside quoted fields
    text = path.read_bytes()
    assert text.endswith(b"\n")
    assert not text.endswith(b"\r\n")


def test_issue_repro_bare_cr_scores_file_reads_back_as_two_rows(tmp_path):
    src = tmp_path / "cr.csv"
    src.write_bytes(b'Task,Title\n"Prepare reports\r=1+2",x\nAudit accounts.,y\n')
    tasks = read_tasks_to_score(src)
    assert tasks["Task"].tolist() == ["Prepare reports\r=1+2", "Audit accounts."]
    out = write_table(tasks, tmp_path / "o.csv")
    back = pd.read_csv(out, dtype=str)
    assert back["Task"].tolist() == ["Prepare reports\r=1+2", "Audit accounts."]
    assert to_delimited(pd.DataFrame({"=a": ["=b"]})) == "'=a\n'=b\n"


def test_write_is_atomic_and_cleans_up_after_itself(tmp_path):
    target = tmp_path / "out.parquet"
    write_table(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    bad = pd.DataFrame({"a": [object()]})  # pyarrow cannot write an arbitrary object
    with pytest.raises(Exception, match="object"):
        write_table(bad, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet"]


def test_stale_temps_of_dead_processes_are_removed_and_nothing_else(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    target = tmp_path / "o.csv"
    stale = tmp_path / f".o.csv.{dead_pid}.0123abcd.tmp"  # left by a kill -9
    live = tmp_path / f".o.csv.{os.getppid()}.0123abcd.tmp"  # a writer still running
    other = [tmp_path / ".o.csv.tmp", tmp_path / f".o.csv.{dead_pid}.notmine.tmp",
             tmp_path / f".p.csv.{dead_pid}.0123abcd.tmp"]
    for p in (stale, live, *other):
        p.write_text("partial")
    write_table(pd.DataFrame({"a": ["x"]}), target)
    assert not stale.exists()
    assert live.exists()
    assert all(p.exists() for p in other)
    assert remove_stale_temps(target) == []


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_file_and_folder_modes_follow_the_umask(tmp_path, mask):
    from laborlens.io import staging_dir

    old = os.umask(mask)
    try:
        path = write_table(pd.DataFrame({"a": [1]}), tmp_path / "sub" / "o.csv")
        folder = staging_dir(tmp_path, ".stage-")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    assert folder.stat().st_mode & 0o777 == 0o777 & ~mask


def test_output_path_is_checked_before_any_work(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir.csv").mkdir()
    cases = {
        tmp_path / "o.xlsx": "unsupported output type '.xlsx'",
        tmp_path / "file" / "o.csv": "is a file, not a folder",
        tmp_path / "file" / "deeper" / "o.csv": "is a file, not a folder",
        tmp_path / "dir.csv": "is a folder",
        tmp_path / "noext": r"unsupported output type '\(none\)'",
    }
    for path, message in cases.items():
        with pytest.raises(ConfigError, match=message) as info:
            check_output_path(path)
        assert str(path) in str(info.value)
        assert "\n" not in str(info.value)
        with pytest.raises(ConfigError):
            write_table(pd.DataFrame({"a": [1]}), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.csv", "file"]


# -- reading lists ----------------------------------------------------------------------------
def test_unquoted_comma_is_refused_naming_file_and_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("title\nRN - ICU nights, $5k bonus\nHR generalist II\n")
    with pytest.raises(LayoutError) as info:
        read_titles(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}, row 2: 1 row of 2 cannot be read")
    assert "2 fields where the header has 1" in msg
    assert "unquoted comma" in msg
    assert "\n" not in msg
    path.write_text('title\n"RN - ICU nights, $5k bonus"\nHR generalist II\n')
    assert read_titles(path) == ["RN - ICU nights, $5k bonus", "HR generalist II"]


def test_every_bad_row_is_counted(tmp_path):
    rows = ["Task,Title"] + [f"Task {i},T" for i in range(1, 13)]
    rows[3] = "   "  # whitespace only
    rows[5] = "Extra, comma, here"
    rows[8] = " ,T"  # empty task
    rows[10] = ""
    for i in (11, 12):
        rows[i] = "a,b,c"
    path = tmp_path / "tasks.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(LayoutError) as info:
        read_tasks_to_score(path)
    msg = str(info.value)
    assert info.value.row == 4
    assert "6 rows of 12 cannot be read" in msg
    assert "row 4: blank" in msg
    assert "row 6: 3 fields where the header has 2" in msg
    assert "row 9: the task is empty" in msg
    assert "row 11: blank" in msg
    assert "and 1 more" in msg


def test_whitespace_only_line_is_not_dropped_silently(tmp_path):
    path = tmp_path / "tasks.tsv"
    path.write_text("Task\nAudit accounts.\n \t \nPrepare reports.\n")
    with pytest.raises(LayoutError, match=r"row 3: blank"):
        read_tasks_to_score(path)


def test_non_utf8_names_the_true_byte_offset_and_line(tmp_path):
    # far past pandas' 64 kB read chunk, whose offsets were relative to the chunk
    lines = ["title"] + [f"Title number {i}" for i in range(8000)]
    data = ("\n".join(lines) + "\n").encode()
    offset = len(data)
    data += b"Caf\xe9 manager\nCashier\n\xff\n"
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(LayoutError) as info:
        read_titles(path)
    msg = str(info.value)
    assert f"byte 0xe9 at byte offset {offset + 3} (line 8002)" in msg
    assert "2 lines with such bytes" in msg
    assert str(path) in msg
    # with a BOM, the offset still counts from the file's first byte
    path.write_bytes(b"\xef\xbb\xbftitle\n\xffx\n")
    with pytest.raises(LayoutError, match=r"byte 0xff at byte offset 9 \(line 2\)"):
        read_titles(path)


def test_text_lists_and_quoted_newlines(tmp_path):
    txt = tmp_path / "t.txt"
    txt.write_text("Welder\nCashier\r\n")
    assert read_titles(txt) == ["Welder", "Cashier"]
    txt.write_text("Title\nWelder\n")
    assert read_titles(txt) == ["Welder"]
    txt.write_text("Welder\n\nCashier\n")
    with pytest.raises(LayoutError, match=r"row 2: blank"):
        read_titles(txt)
    csvf = tmp_path / "t.csv"
    csvf.write_text('title,x\n"Night\nnurse",1\nWelder,2\n')
    frame = read_list(csvf, "title")
    assert frame["title"].tolist() == ["Night\nnurse", "Welder"]
    assert frame.attrs["rows"] == [2, 4]  # the line where each record starts
    csvf.write_text('title\n"unterminated\n')
    with pytest.raises(LayoutError, match="cannot be read as CSV"):
        read_titles(csvf)


def test_missing_file_folder_and_empty_file(tmp_path):
    for path, message in [
        (tmp_path / "none.csv", "no such file"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(LayoutError, match=message):
            read_titles(path)
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(LayoutError, match="empty"):
        read_titles(tmp_path / "e.csv")
    (tmp_path / "h.csv").write_text("title\n")
    with pytest.raises(LayoutError, match="header but no titles"):
        read_titles(tmp_path / "h.csv")


def test_the_real_title_set_reads_whole():
    titles = read_titles(DATA / "job_titles.csv")
    expected = pd.read_csv(DATA / "job_titles.csv", dtype=str)["title"].tolist()
    assert titles == expected
    assert len(titles) == 144


def test_posting_reads_are_bounded_and_named(tmp_path):
    with pytest.raises(PostingInputError, match=f"more than {MAX_BYTES} bytes"):
        read_posting(Path("/dev/zero"))
    with pytest.raises(PostingInputError, match="is a folder"):
        read_posting(tmp_path)
    with pytest.raises(PostingInputError, match="no such file"):
        read_posting(tmp_path / "missing.html")
    bad = tmp_path / "p.txt"
    bad.write_bytes(b"Nurse\nCare for patients \xff\n")
    with pytest.raises(PostingInputError, match=r"byte 0xff at byte offset 24, line 2"):
        read_posting(bad)


def test_to_delimited_matches_csv_module_reading():
    frame = pd.DataFrame({"a": HARD, "b": list(range(len(HARD)))})
    rows = list(csv.reader(io.StringIO(to_delimited(frame, neutralize_formulas=False), newline="")))
    assert [r[0] for r in rows[1:]] == HARD
