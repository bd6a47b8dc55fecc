"""Parsers for the Anthropic Economic Index (AEI) release 2025-02-10 (Handa et al. 2025).

``onet_task_mappings.csv`` gives the share (percent) of Claude.ai conversations mapped to each
O*NET task, keyed by the task statement in lower case; ``onet_task_statements.csv`` (the O*NET
task list shipped with the release, O*NET-SOC 2019 codes) links each statement to its
occupations. One pseudo-task, ``none``, holds conversations that matched no task.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.sources.tabular import Col, check_unique, read_table

__all__ = ["read_task_statements", "read_task_usage"]


def read_task_usage(path: str | Path) -> pd.DataFrame:
    """Share of conversations per task (``onet_task_mappings.csv``; 3,514 rows).

    Returns task_name (lower-case statement, or ``none``) and pct (percent; the file sums
    to 100). Raises LayoutError on a missing column, a non-numeric share or a repeated task.
    """
    cols = [Col("task_name", "task_name"), Col("pct", "pct", "float")]
    return check_unique(read_table(path, cols), ["task_name"], path)


def read_task_statements(path: str | Path) -> pd.DataFrame:
    """O*NET task statements of the AEI release (19,530 rows, O*NET-SOC 2019 codes).

    Returns onet_soc_code, title, task_id, task. Raises LayoutError on a missing column or a
    malformed code.
    """
    cols = [
        Col("O*NET-SOC Code", "onet_soc_code", "onet_soc"),
        Col("Title", "title"),
        Col("Task ID", "task_id", "int"),
        Col("Task", "task"),
    ]
    return read_table(path, cols)
