"""Anthropic Economic Index: how people collaborate with Claude on each O*NET task.

AEI classifies conversations into five collaboration patterns (Handa et al. 2025): *directive*
and *feedback loop* are **automation** (the model does the task), *task iteration*, *validation*
and *learning* are **augmentation** (the person works with the model). Conversations the
classifier left out are ``filtered`` (release 2025-03-27) or ``none``/``not_classified``
(later releases). Files: ``automation_vs_augmentation_by_task_v2.csv`` (AEI release 2025-03-27)
and ``_v3``…``_v5`` (Claude.ai 2025-08, 2025-11, 2026-02; ``_api_v3``… for the API), one row per
lower-cased O*NET task statement with the share of its conversations in each pattern.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, check_unique, read_table

AUTOMATION_PATTERNS = ("directive", "feedback_loop")
AUGMENTATION_PATTERNS = ("task_iteration", "validation", "learning")
UNCLASSIFIED_PATTERNS = ("filtered", "none", "not_classified")


def normalise_task(text: pd.Series) -> pd.Series:
    """Task text as AEI keys it: lower case, whitespace collapsed, no trailing spaces."""
    return text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()


def read_collaboration_by_task(path: str | Path) -> pd.DataFrame:
    """One AEI ``automation_vs_augmentation_by_task*.csv`` file, in either layout.

    Returns
    -------
    DataFrame
        task (normalised text), the five pattern shares (blank = 0), ``unclassified`` (share
        filtered/none/not classified), and ``automation_share`` / ``augmentation_share``: the
        automation and augmentation patterns as shares of the classified conversations (NaN
        where none was classified).

    Raises
    ------
    LayoutError
        A pattern column is missing, a share is not a number in [0, 1], a task is repeated, or
        a row's shares do not sum to 1 (± 0.02).
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig") as fh:
        header = [h.strip() for h in fh.readline().split(",")]
    task_col = "task" if "task" in header else "task_name"
    extra = [c for c in UNCLASSIFIED_PATTERNS if c in header]
    cols = [Col(task_col, "task")]
    for name in (*AUTOMATION_PATTERNS, *AUGMENTATION_PATTERNS, *extra):
        cols.append(Col(name, name, "float", required=False))
    frame = read_table(path, cols)
    patterns = [*AUTOMATION_PATTERNS, *AUGMENTATION_PATTERNS, *extra]
    shares = frame[patterns].astype("float64").fillna(0.0)
    values = shares.to_numpy()
    bad = (values < -1e-9) | (values > 1 + 1e-9)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        msg = f"expected a share in [0, 1], found {values[r, c]!r}"
        raise LayoutError(path, msg, row=int(r) + 2, column=patterns[c])
    total = values.sum(axis=1)
    off = np.abs(total - 1.0) > 0.02
    if off.any():
        r = int(np.argmax(off))
        msg = f"pattern shares sum to {total[r]:.3f}; expected 1"
        raise LayoutError(path, msg, row=r + 2)
    out = pd.DataFrame({"task": normalise_task(frame["task"])})
    out[patterns] = shares
    for name in UNCLASSIFIED_PATTERNS:
        if name not in out:
            out[name] = 0.0
    out["unclassified"] = out[list(UNCLASSIFIED_PATTERNS)].sum(axis=1)
    auto = out[list(AUTOMATION_PATTERNS)].sum(axis=1)
    aug = out[list(AUGMENTATION_PATTERNS)].sum(axis=1)
    classified = auto + aug
    out["automation_share"] = (auto / classified).where(classified > 0)
    out["augmentation_share"] = (aug / classified).where(classified > 0)
    out = out.drop(columns=list(UNCLASSIFIED_PATTERNS))
    return check_unique(out, ["task"], path)


def release_of(name: str) -> str:
    """The AEI release a registry name refers to (``aei_automation_vs_augmentation_by_task_v5``
    → ``v5``)."""
    found = re.search(r"(api_)?v\d+$", name)
    return found.group(0) if found else name
