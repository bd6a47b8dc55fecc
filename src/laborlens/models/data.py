"""Reading labelled task files (the ``full_labelset.tsv`` layout) and files of tasks to score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.models.base import MAX_TEXT_CHARS, TARGETS

DEFAULT_LABEL_COLUMN = {"exposure": "human_exposure_agg", "automation": "gpt4_automation"}
# Labels another rater gave the same tasks, reported beside the model in `evaluate`.
COMPARISON_COLUMN = {"exposure": "gpt4_exposure", "automation": "gpt4_automation"}


def read_delimited(path: str | Path) -> pd.DataFrame:
    """A CSV or TSV (by suffix; ``.txt`` is tab-separated) as strings, nothing dropped."""
    path = Path(path)
    if not path.is_file():
        raise LayoutError(path, "no such file")
    sep = "," if path.suffix.lower() == ".csv" else "\t"
    try:
        return pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"
        )
    except UnicodeDecodeError as exc:
        raise LayoutError(path, f"not UTF-8 text (byte {exc.start})") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LayoutError(path, f"cannot be read as a {sep!r}-separated table: {exc}") from exc


def read_labels(
    path: str | Path, target: str = "exposure", label_column: str | None = None
) -> pd.DataFrame:
    """Labelled tasks: task, title, label, group (O*NET-SOC code), task_type, comparison.

    Expects the columns ``O*NET-SOC Code``, ``Task``, ``Title`` and the label column
    (``human_exposure_agg`` for exposure, ``gpt4_automation`` for automation by default).
    Rows with a blank label are an error unless the column is ``human_automation``, which
    labels only a subset; those rows are reported and left out of training.
    """
    path = Path(path)
    if target not in TARGETS:
        msg = f"target must be one of {', '.join(TARGETS)}, found {target!r}"
        raise LayoutError(path, msg)
    label_column = label_column or DEFAULT_LABEL_COLUMN[target]
    raw = read_delimited(path)
    needed = ["O*NET-SOC Code", "Task", "Title", label_column]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        msg = f"missing column(s) {', '.join(map(repr, missing))}; found {list(raw.columns)}"
        raise LayoutError(path, msg, row=1)
    frame = pd.DataFrame(
        {
            "task": raw["Task"].str.strip(),
            "title": raw["Title"].str.strip(),
            "label": raw[label_column].str.strip(),
            "group": raw["O*NET-SOC Code"].str.strip(),
            "task_type": raw["Task Type"].replace("", None) if "Task Type" in raw else None,
            "task_id": raw["Task ID"] if "Task ID" in raw else np.arange(len(raw)).astype(str),
        }
    )
    comparison = COMPARISON_COLUMN[target]
    if comparison in raw.columns and comparison != label_column:
        frame["comparison"] = raw[comparison].str.strip()
    blank_label = frame["label"] == ""
    if blank_label.any() and label_column == "human_automation":
        frame = frame[~blank_label].reset_index(drop=True)
    checks = [("task", "Task", None), ("label", label_column, TARGETS[target])]
    for column, source, allowed in checks:
        values = frame[column]
        bad = values == "" if allowed is None else ~values.isin(allowed)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            expected = "a task statement" if allowed is None else f"one of {', '.join(allowed)}"
            msg = f"expected {expected}, found {values.iloc[i]!r}"
            raise LayoutError(path, msg, row=i + 2, column=source)
    too_long = frame["task"].str.len() > MAX_TEXT_CHARS
    if too_long.any():
        i = int(np.argmax(too_long.to_numpy()))
        raise LayoutError(
            path, f"task text longer than {MAX_TEXT_CHARS} characters", row=i + 2, column="Task"
        )
    return frame


def read_tasks_to_score(path: str | Path) -> pd.DataFrame:
    """A CSV/TSV/TXT with a ``Task`` column (``task`` also accepted) and optional ``Title`` and
    ``Task ID``; all columns are kept. Rows that cannot be read (extra fields, blank rows, empty
    tasks, bytes that are not UTF-8) and over-long tasks are errors naming the file and the
    1-based rows (see :func:`laborlens.io.read_list`)."""
    from laborlens.io import read_list

    path = Path(path)
    raw = read_list(path, "Task", what="task")
    column, rows = raw.attrs["column"], raw.attrs["rows"]
    tasks = raw[column].str.strip()
    bad = tasks.str.len() > MAX_TEXT_CHARS
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        more = f" ({int(bad.sum()) - 1} more rows like it)" if bad.sum() > 1 else ""
        msg = f"the task text is longer than {MAX_TEXT_CHARS} characters{more}"
        raise LayoutError(path, msg, row=rows[i], column=column)
    return raw
