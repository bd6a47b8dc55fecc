"""Writing user-facing tables: the format follows the file suffix, and the write is atomic."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from laborlens.exceptions import ConfigError

WRITERS = {".csv": ",", ".tsv": "\t", ".parquet": None}


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as CSV, TSV or Parquet (by suffix) via a temporary file and a rename."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        msg = f"{path}: unsupported output type {suffix!r}; expected .csv, .tsv or .parquet"
        raise ConfigError(msg)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, sep=WRITERS[suffix], index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


@contextmanager
def staged_folder(out_dir: str | Path) -> Iterator[Path]:
    """Write a folder's files atomically: yield a staging folder beside ``out_dir``; when the
    block succeeds, each staged item replaces the item of the same name in ``out_dir`` (created
    if needed). Files in ``out_dir`` that the block did not write are left alone; if the block
    fails, ``out_dir`` is untouched and the staging folder is removed."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"{out_dir} is a file; expected a folder (or a new name) for the output"
        raise ConfigError(msg)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-staging-", dir=out_dir.parent))
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
