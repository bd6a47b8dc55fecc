"""Batch inputs and outputs: CSV/Parquet files streamed in chunks, Parquet partitions written
atomically, a manifest so that a rerun resumes (and refuses a different job in the same folder).

Layout of an output folder::

    _manifest.json              what the job is (kind, inputs, columns, chunk size, version)
    postings/<part>.parquet     one file per partition (tasks: tasks/<part>.parquet)
    statements/<part>.parquet
    _done/<part>.json           written last: the partition is finished (rows, seconds)
    _failed/<part>.json         the last error of a partition that failed (removed on success)

A partition is one chunk of one input file (``<file stem>-<chunk number>``), so partitions are
the same on every run and on every engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from laborlens._version import __version__
from laborlens.exceptions import ConfigError, InputError
from laborlens.io import atomic_path

SUFFIXES = (".csv", ".parquet", ".pq")
KINDS = {
    "postings": ("postings", "statements"),
    "tasks": ("tasks",),
}


@dataclass(frozen=True)
class Columns:
    """Input column names: ``id`` and ``title`` always; ``description`` for postings, ``task``
    for task lists (``title`` optional there)."""

    id: str = "id"
    title: str = "title"
    description: str = "description"
    task: str = "task"

    def wanted(self, kind: str) -> dict[str, str]:
        """Canonical name → input name of the columns a job of ``kind`` reads."""
        if kind == "postings":
            return {"id": self.id, "title": self.title, "description": self.description}
        return {"id": self.id, "task": self.task, "title": self.title}


@dataclass(frozen=True)
class Partition:
    name: str
    file: Path
    chunk: int


@dataclass
class Manifest:
    kind: str
    inputs: list[str]
    columns: dict
    chunk_size: int
    laborlens_version: str = __version__
    extra: dict = field(default_factory=dict)


def input_files(path: str | Path) -> list[Path]:
    """The CSV/Parquet files of ``path`` (a file, or a folder: its files, sorted by name)."""
    path = Path(path)
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
        if not files:
            msg = f"{path}: no .csv or .parquet files in this folder"
            raise InputError(msg)
    else:
        msg = f"{path}: no such file or folder"
        raise InputError(msg)
    for f in files:
        if f.suffix.lower() not in SUFFIXES:
            msg = f"{f}: unsupported input type {f.suffix!r}; expected .csv or .parquet"
            raise InputError(msg)
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        msg = f"{path}: two input files share a name stem; partitions are named by it"
        raise InputError(msg)
    return files


def read_chunks(
    file: Path, kind: str, columns: Columns, chunk_size: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    """(chunk number, frame with canonical columns) for each ``chunk_size`` rows of ``file``,
    streamed (one chunk in memory at a time). Missing columns or empty ids raise, naming the
    file, row and column."""
    wanted = columns.wanted(kind)
    optional = {"title"} if kind == "tasks" else set()
    if file.suffix.lower() == ".csv":
        header = pd.read_csv(file, nrows=0).columns
        present = [c for c in wanted.values() if c in header]
        _check_columns(file, wanted, header, optional)
        reader = pd.read_csv(
            file, usecols=present, dtype=str, keep_default_na=False, chunksize=chunk_size
        )
        chunks = (c for c in reader)
    else:
        pf = pq.ParquetFile(file)
        header = pf.schema_arrow.names
        _check_columns(file, wanted, header, optional)
        present = [c for c in wanted.values() if c in header]
        chunks = (
            b.to_pandas() for b in pf.iter_batches(batch_size=chunk_size, columns=present)
        )
    start = 0
    for number, chunk in enumerate(chunks):
        frame = pd.DataFrame(
            {
                canon: (chunk[name] if name in chunk else pd.Series([""] * len(chunk)))
                .astype("string")
                .fillna("")
                .to_numpy(object)
                for canon, name in wanted.items()
            }
        )
        empty = frame["id"].str.strip() == ""
        if empty.any():
            row = start + int(empty.to_numpy().argmax()) + 1
            msg = f"{file}: row {row}: column {wanted['id']!r} is empty; every row needs an id"
            raise InputError(msg)
        start += len(frame)
        yield number, frame


def _check_columns(file, wanted, header, optional) -> None:
    missing = [n for canon, n in wanted.items() if n not in header and canon not in optional]
    if missing:
        msg = (
            f"{file}: no column {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(str, header))} (name the columns with --id-column, --title-column, "
            "--description-column / --task-column)"
        )
        raise InputError(msg)


class OutputFolder:
    """The output folder of one job: manifest, partition files, done and failed markers."""

    def __init__(self, root: str | Path, manifest: Manifest) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            msg = f"{self.root} is a file; expected a folder (or a new name) for the output"
            raise ConfigError(msg)
        self.manifest = manifest
        self.tables = KINDS[manifest.kind]
        path = self.root / "_manifest.json"
        if path.is_file():
            old = json.loads(path.read_text(encoding="utf-8"))
            mine = asdict(manifest)
            diff = [k for k in ("kind", "inputs", "columns", "chunk_size") if old.get(k) != mine[k]]
            if diff:
                msg = (
                    f"{self.root} holds another job's output (different {', '.join(diff)}); "
                    "choose a new --output folder or delete this one"
                )
                raise ConfigError(msg)
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, json.dumps(asdict(manifest), indent=2).encode("utf-8"))
        for sub in (*self.tables, "_done", "_failed"):
            (self.root / sub).mkdir(exist_ok=True)

    def done(self, name: str) -> bool:
        return (self.root / "_done" / f"{name}.json").is_file()

    def write(self, name: str, frames: dict[str, pd.DataFrame], info: dict) -> None:
        """Each table's Parquet file atomically, then the done marker (the commit point)."""
        for table in self.tables:
            table_ = pa.Table.from_pandas(frames[table], preserve_index=False)
            target = self.root / table / f"{name}.parquet"
            # the one atomic writer: mode from the umask, a killed worker's temp cleaned up
            with atomic_path(target) as tmp:
                pq.write_table(table_, tmp)
        _atomic_write(self.root / "_done" / f"{name}.json", json.dumps(info).encode("utf-8"))
        failed = self.root / "_failed" / f"{name}.json"
        if failed.exists():
            failed.unlink()

    def fail(self, name: str, error: str, attempts: int) -> None:
        _atomic_write(
            self.root / "_failed" / f"{name}.json",
            json.dumps({"error": error, "attempts": attempts}).encode("utf-8"),
        )

    def read(self, table: str) -> pd.DataFrame:
        """All finished partitions of ``table`` in partition order (for tests and small jobs)."""
        names = sorted(p.stem for p in (self.root / "_done").glob("*.json"))
        frames = [pd.read_parquet(self.root / table / f"{n}.parquet") for n in names]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _atomic_write(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
