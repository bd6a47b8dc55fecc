"""Reading a file of job titles (CSV, TSV or text with a ``title`` column, or one title a
line in a ``.txt``)."""

from __future__ import annotations

from pathlib import Path


def read_titles(path: str | Path) -> list[str]:
    """Titles from a CSV/TSV/TXT file; the column is matched case-insensitively. Rows that
    cannot be read (extra fields from an unquoted comma, blank rows, empty titles, bytes that
    are not UTF-8) raise :class:`~laborlens.exceptions.LayoutError` naming the file and the
    1-based rows (see :func:`laborlens.io.read_list`), never an empty or shifted row."""
    from laborlens.exceptions import LayoutError
    from laborlens.io import read_list
    from laborlens.titles.coder import MAX_TITLE_CHARS

    frame = read_list(path, "title", what="title")
    column, rows = frame.attrs["column"], frame.attrs["rows"]
    titles = frame[column].tolist()
    long = [r for r, t in zip(rows, titles, strict=True) if len(t) > MAX_TITLE_CHARS]
    if long:
        more = f" ({len(long) - 1} more rows like it)" if len(long) > 1 else ""
        msg = (
            f"the title is longer than {MAX_TITLE_CHARS} characters{more} (is it a job "
            "description? use `laborlens posting analyze`)"
        )
        raise LayoutError(path, msg, row=long[0], column=column)
    return titles
