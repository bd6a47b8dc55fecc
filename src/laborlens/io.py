"""Writing user-facing tables: the one writer of every CSV, TSV and Parquet table laborlens
produces (command outputs, report and impact tables).

- **Quoting**: a field holding the delimiter, a quote, a line feed or a bare carriage return
  is quoted, so every table reads back with the same rows and values (Python's csv module
  and pandas' ``to_csv`` leave a bare CR unquoted when lines end in LF). Lines end in LF.
- **Spreadsheet formulas**: text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading apostrophe (``'=1+2``), the OWASP advice against formula
  injection: a spreadsheet then shows the text instead of evaluating it. Numbers are never
  changed (a negative number stays a number); column names are treated like text.
  ``neutralize_formulas=False`` (the CLI's ``--raw-csv``) writes text verbatim, for
  programs that read the file and expect the exact strings.
- **Atomic**: the table goes to a temporary file beside the target
  (``.<name>.<pid>.<random>.tmp``), which then replaces it (``os.replace``): a reader sees the
  old file or the new one, never half of one. The writer removes its own temporary file when
  it fails, and temporary files of the same target left by a process that no longer runs (a
  ``kill -9``); it never removes anything it did not create under that pattern.
- **Mode**: files are created with 0666 less the umask (usually 0644), like any other
  program's output; folders likewise with 0777 less the umask.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pandas as pd

from laborlens.exceptions import ConfigError, LayoutError

WRITERS = {".csv": ",", ".tsv": "\t", ".parquet": None}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cells(series: pd.Series, neutralize_formulas: bool) -> list:
    missing = series.isna().to_numpy()
    values = series.astype(object).to_numpy()
    out = ["" if m else v for v, m in zip(values, missing, strict=True)]
    if neutralize_formulas and not (
        pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
    ):
        out = [neutralize(v) if isinstance(v, str) else v for v in out]
    return out


class _LineFeed:
    """A text stream that turns the csv writer's CRLF row ends into LF. The writer ends rows
    with CRLF so that both CR and LF inside a field make it quote the field; it writes one row
    per call, so the row end is always the last two characters."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, row: str) -> int:
        return self.stream.write(row[:-2] + "\n")


def write_delimited(
    frame: pd.DataFrame, stream: IO[str], sep: str = ",", *, neutralize_formulas: bool = True
) -> None:
    """``frame`` as CSV (``sep=","``) or TSV (``"\\t"``) into a text stream (no index; missing
    values as empty fields)."""
    writer = csv.writer(_LineFeed(stream), delimiter=sep, lineterminator="\r\n")
    header = [str(c) for c in frame.columns]
    writer.writerow([neutralize(h) for h in header] if neutralize_formulas else header)
    columns = [_cells(frame.iloc[:, i], neutralize_formulas) for i in range(frame.shape[1])]
    writer.writerows(zip(*columns, strict=True) if columns else ([] for _ in range(len(frame))))


def to_delimited(frame: pd.DataFrame, sep: str = ",", *, neutralize_formulas: bool = True) -> str:
    """:func:`write_delimited` into a string."""
    import io

    buffer = io.StringIO(newline="")
    write_delimited(frame, buffer, sep, neutralize_formulas=neutralize_formulas)
    return buffer.getvalue()


def umask() -> int:
    """The process's umask (read without changing it where Linux allows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def check_output_path(path: str | Path, suffixes: dict | tuple = tuple(WRITERS)) -> Path:
    """``path`` if a table can be written there: a supported suffix, not a folder, and a
    parent that is (or can be made) a folder. Raises :class:`ConfigError` naming the path,
    before any work is done."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        msg = f"{path}: is a folder; give a file name ending in {', '.join(suffixes)}"
        raise ConfigError(msg)
    if suffix not in suffixes:
        msg = (
            f"{path}: unsupported output type {suffix or '(none)'!r}; "
            f"expected {', '.join(suffixes)}"
        )
        raise ConfigError(msg)
    for parent in [path.parent, *path.parent.parents]:
        if parent.exists():
            if not parent.is_dir():
                msg = f"{path}: cannot write there, {parent} is a file, not a folder"
                raise ConfigError(msg)
            if not os.access(parent, os.W_OK | os.X_OK) and parent == path.parent:
                msg = f"{path}: the folder {parent} is not writable"
                raise ConfigError(msg)
            break
    return path


def _temp_pattern(path: Path) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]{{8}}\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_temps(path: str | Path) -> list[Path]:
    """Remove temporary files of ``path`` (``.<name>.<pid>.<hex>.tmp`` beside it) whose writing
    process no longer runs on this machine; returns what was removed."""
    path = Path(path)
    pattern, removed = _temp_pattern(path), []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            try:
                (path.parent / name).unlink()
                removed.append(path.parent / name)
            except OSError:
                pass
    return removed


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` (created empty, mode from the umask) to write into;
    it replaces ``path`` when the block ends without an error, and is removed otherwise."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        msg = f"{path}: cannot write there, a part of {path.parent} is a file, not a folder"
        raise ConfigError(msg) from exc
    except PermissionError as exc:
        msg = f"{path}: cannot create the folder {path.parent} (permission denied)"
        raise ConfigError(msg) from exc
    remove_stale_temps(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except PermissionError as exc:
        msg = f"{path}: the folder {path.parent} is not writable"
        raise ConfigError(msg) from exc
    os.close(fd)
    try:
        yield tmp
        try:
            os.replace(tmp, path)
        except IsADirectoryError as exc:
            msg = f"{path}: is a folder; give a file name"
            raise ConfigError(msg) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def write_table(frame: pd.DataFrame, path: str | Path, *, neutralize_formulas: bool = True) -> Path:
    """Write ``frame`` as CSV, TSV or Parquet (by suffix) atomically (see the module)."""
    path = check_output_path(path)
    suffix = path.suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                write_delimited(
                    frame, handle, WRITERS[suffix], neutralize_formulas=neutralize_formulas
                )
    return path


def print_table(frame: pd.DataFrame, sep: str = ",", *, neutralize_formulas: bool = True) -> None:
    """:func:`write_delimited` to standard output (for the CLI's ``--format csv``)."""
    write_delimited(frame, sys.stdout, sep, neutralize_formulas=neutralize_formulas)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_path`)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
    return path


def staging_dir(parent: str | Path, prefix: str) -> Path:
    """A new temporary folder in ``parent`` for files that then replace a folder's at once,
    with the mode a folder made by ``mkdir`` would have (not mkdtemp's 0700)."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    staging.chmod(0o777 & ~umask())
    return staging


@contextmanager
def staged_folder(out_dir: str | Path) -> Iterator[Path]:
    """Write a folder's files atomically: yield a staging folder beside ``out_dir``; when the
    block succeeds, each staged item replaces the item of the same name in ``out_dir`` (created
    if needed). Files in ``out_dir`` that the block did not write are left alone; if the block
    fails, ``out_dir`` is untouched and the staging folder is removed. Folders get the mode
    ``mkdir`` would give them (the umask's)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"{out_dir} is a file; expected a folder (or a new name) for the output"
        raise ConfigError(msg)
    try:
        staging = staging_dir(out_dir.parent, f".{out_dir.name}-staging-")
    except (FileExistsError, NotADirectoryError) as exc:
        msg = f"{out_dir}: cannot write there, a part of {out_dir.parent} is a file, not a folder"
        raise ConfigError(msg) from exc
    try:
        yield staging
        out_dir.mkdir(exist_ok=True)
        for item in sorted(staging.iterdir()):
            dest = out_dir / item.name
            if dest.is_dir() and not dest.is_symlink():
                aside = Path(tempfile.mkdtemp(prefix=f".{item.name}-old-", dir=out_dir))
                os.replace(dest, aside / item.name)
                os.replace(item, dest)
                shutil.rmtree(aside, ignore_errors=True)
            else:
                os.replace(item, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# -- reading users' lists of tasks or titles ---------------------------------------------------

MAX_LISTED = 5  # rows named in an error message (with the count of all)


def _text_of(path: Path, data: bytes) -> str:
    """UTF-8 text (a BOM dropped); bytes that are not UTF-8 are an error naming the first
    one's byte offset and line, and how many lines have such bytes."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = data.count(b"\n", 0, offset) + 1
        bad_lines = 0
        for raw in data[bom:].split(b"\n"):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines += 1
        msg = (
            f"not UTF-8 text: byte 0x{data[offset]:02x} at byte offset {offset} (line {line}); "
            f"{bad_lines} line{'s' if bad_lines != 1 else ''} with such bytes. "
            "Save the file as UTF-8."
        )
        raise LayoutError(path, msg, row=line) from exc


def read_list(
    path: str | Path, column: str, *, aliases: tuple[str, ...] = (), what: str | None = None
) -> pd.DataFrame:
    """A user's list of tasks or titles: CSV (``.csv``), TSV (``.tsv``, ``.tab``) or text
    (``.txt``: one item per line, or a TSV if its first line has a tab), as strings with
    nothing dropped and nothing made up.

    ``column`` (or one of ``aliases``, matched case-insensitively) must be in the header; a
    ``.txt`` file without a tab is a list of items with no header (a first line equal to
    ``column`` is taken as the header). Every row that cannot be read is counted and named by
    its 1-based row (the line where it starts; the header is row 1): a row with more or fewer
    fields than the header (an unquoted comma), a blank or whitespace-only row, an empty
    ``column``, bytes that are not UTF-8. Any such row makes it raise :class:`LayoutError`
    naming the file, rather than return a table with missing or shifted rows.

    Returns the table with an ``attrs["rows"]`` list of each record's row number.
    """
    path = Path(path)
    what = what or column.lower()
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise LayoutError(path, "no such file") from exc
    except IsADirectoryError as exc:
        raise LayoutError(path, "is a folder; expected a CSV, TSV or text file") from exc
    except PermissionError as exc:
        raise LayoutError(path, "cannot be read (permission denied)") from exc
    text = _text_of(path, data)
    suffix = path.suffix.lower()
    first_line = text.split("\n", 1)[0].rstrip("\r")
    names = {n.lower() for n in (column, *aliases)}
    if suffix == ".csv":
        sep = ","
    elif suffix in (".tsv", ".tab") or (suffix == ".txt" and "\t" in first_line):
        sep = "\t"
    elif suffix == ".txt":
        sep = None  # one item per line
    else:
        msg = f"unsupported input type {suffix or '(none)'!r}; expected .csv, .tsv or .txt"
        raise LayoutError(path, msg)
    if not text.strip():
        raise LayoutError(path, f"the file is empty; expected a list of {what}s")

    records: list[list[str]] = []
    starts: list[int] = []
    if sep is None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the newline that ends the last line
        lines = [ln.removesuffix("\r") for ln in lines]
        has_header = lines[0].strip().lower() in names
        header = [lines[0].strip()] if has_header else [column]
        body = lines[1:] if has_header else lines
        first = 2 if has_header else 1
        records = [[ln] for ln in body]
        starts = list(range(first, first + len(body)))
    else:
        import io

        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
        line = 0
        try:
            for record in reader:
                starts.append(line + 1)
                records.append(record)
                line = reader.line_num
        except csv.Error as exc:
            raise LayoutError(
                path, f"cannot be read as {'CSV' if sep == ',' else 'TSV'}: {exc}", row=line + 1
            ) from exc
        header = [h.strip() for h in records.pop(0)]
        starts.pop(0)
    by_name = {h.lower(): i for i, h in enumerate(header)}
    found = next(
        (by_name[n] for n in (column.lower(), *(a.lower() for a in aliases)) if n in by_name), None
    )
    if found is None:
        msg = f"no {column!r} column; the header has {', '.join(map(repr, header))}"
        raise LayoutError(path, msg, row=1)

    problems: list[tuple[int, str]] = []
    width = len(header)
    delimiter = {",": "comma", "\t": "tab"}.get(sep or "", "")
    for row, record in zip(starts, records, strict=True):
        if not any(field.strip() for field in record):
            problems.append((row, "blank"))
        elif len(record) != width:
            hint = (
                f" (an unquoted {delimiter} in a field? put the field in double quotes)"
                if len(record) > width
                else ""
            )
            problems.append((row, f"{len(record)} fields where the header has {width}{hint}"))
        elif not record[found].strip():
            problems.append((row, f"the {what} is empty"))
    if problems:
        shown = "; ".join(f"row {r}: {p}" for r, p in problems[:MAX_LISTED])
        more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        n = len(problems)
        msg = (
            f"{n} row{'s' if n != 1 else ''} of {len(records)} cannot be read, nothing was "
            f"processed: {shown}{more}"
        )
        raise LayoutError(path, msg, row=problems[0][0])
    if not records:
        raise LayoutError(path, f"the file has a header but no {what}s", row=1)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame.attrs["rows"] = starts
    frame.attrs["column"] = header[found]
    return frame
