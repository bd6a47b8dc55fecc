"""Writing user-facing tables: the format follows the file suffix, and the write is atomic."""

from __future__ import annotations

import os
import tempfile
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
