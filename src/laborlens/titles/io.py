"""Reading a file of job titles (CSV or TSV with a ``title`` column)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.exceptions import LaborlensError


def read_titles(path: str | Path) -> list[str]:
    """Titles from a CSV/TSV file; the column is matched case-insensitively."""
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such file"
        raise LaborlensError(msg)
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    try:
        # blank lines are rows (coded as "no code"), so output rows line up with input rows
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        msg = f"{path}: cannot read as {'TSV' if sep == chr(9) else 'CSV'}: {exc}"
        raise LaborlensError(msg) from exc
    cols = {c.strip().lower(): c for c in frame.columns}
    if "title" not in cols:
        msg = f"{path}: no 'title' column; it has {', '.join(map(str, frame.columns))}"
        raise LaborlensError(msg)
    return frame[cols["title"]].tolist()
