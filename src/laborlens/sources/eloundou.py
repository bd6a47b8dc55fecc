"""Parsers for the released files of Eloundou, Manning, Mishkin & Rock, "GPTs are GPTs" (2023/2024).

Exposure rubric: E0 no exposure, E1 direct exposure (an LLM halves the task time),
E2 exposure through LLM-powered software. Automation rubric: T0 (none) to T4 (full automation).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, check_unique, read_table

EXPOSURE_LEVELS = ("E0", "E1", "E2")
AUTOMATION_LEVELS = ("T0", "T1", "T2", "T3", "T4")

_TASK_COLS = [
    Col("O*NET-SOC Code", "onet_soc_code", "onet_soc"),
    Col("Task ID", "task_id", "int"),
    Col("Task", "task"),
    Col("Task Type", "task_type", required=False),
    Col("Title", "title"),
]


def _check_levels(frame: pd.DataFrame, column: str, source: str, allowed, path, *, blank_ok=False):
    values = frame[column]
    bad = ~values.isin(allowed) if not blank_ok else values.notna() & ~values.isin(allowed)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected one of {', '.join(allowed)}, found {values.iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column=source)


def read_exposure_labels(path: str | Path) -> pd.DataFrame:
    """``full_labelset.tsv``: one row per O*NET 27.2 task with human and GPT-4 E-rubric labels.

    Columns: onet_soc_code, task_id, task, task_type, title, human_exposure (the aggregated human
    label), gpt4_exposure (GPT-4, rubric 1), gpt4_exposure_alt_rubric, gpt3_relevant,
    gpt4_automation (T0–T4).
    """
    cols = [
        *_TASK_COLS,
        Col("human_exposure_agg", "human_exposure"),
        Col("gpt4_exposure", "gpt4_exposure"),
        Col("gpt4_exposure_alt_rubric", "gpt4_exposure_alt_rubric"),
        Col("gpt_3_relevant", "gpt3_relevant"),
        Col("gpt4_automation", "gpt4_automation"),
    ]
    frame = read_table(path, cols)
    for name, source in [
        ("human_exposure", "human_exposure_agg"),
        ("gpt4_exposure", "gpt4_exposure"),
        ("gpt4_exposure_alt_rubric", "gpt4_exposure_alt_rubric"),
    ]:
        _check_levels(frame, name, source, EXPOSURE_LEVELS, path)
    _check_levels(frame, "gpt4_automation", "gpt4_automation", AUTOMATION_LEVELS, path)
    _check_levels(frame, "gpt3_relevant", "gpt_3_relevant", ("True", "False"), path)
    frame["gpt3_relevant"] = frame["gpt3_relevant"] == "True"
    return check_unique(frame, ["onet_soc_code", "task_id"], path)


def read_automation_labels(path: str | Path) -> pd.DataFrame:
    """``automation_gpt4_human_labels.tsv``: onet_soc_code, task_id, task, task_type, title,
    gpt4_automation (every task) and human_automation (a labelled subset; blank elsewhere)."""
    cols = [
        *_TASK_COLS,
        Col("gpt4_automation", "gpt4_automation"),
        Col("human_automation", "human_automation", required=False),
    ]
    frame = read_table(path, cols)
    _check_levels(frame, "gpt4_automation", "gpt4_automation", AUTOMATION_LEVELS, path)
    _check_levels(
        frame, "human_automation", "human_automation", AUTOMATION_LEVELS, path, blank_ok=True
    )
    return check_unique(frame, ["onet_soc_code", "task_id"], path)


def read_task_weights(path: str | Path) -> pd.DataFrame:
    """``full_onet_data.tsv``: the task weights the paper used: onet_soc_code, task_id,
    core_weight (Core 2, Supplemental 1, untyped 1), equal_weight (1)."""
    cols = [
        Col("O*NET-SOC Code", "onet_soc_code", "onet_soc"),
        Col("Task ID", "task_id", "int"),
        Col("coreweight", "core_weight", "float"),
        Col("equalweight", "equal_weight", "float"),
    ]
    return check_unique(read_table(path, cols), ["onet_soc_code", "task_id"], path)


def read_occupation_level(path: str | Path) -> pd.DataFrame:
    """``occ_level.csv``, the published occupation scores: onet_soc_code, title, and
    gpt4_alpha/beta/gamma (``dv_rating_*``) and human_alpha/beta/gamma (``human_rating_*``)."""
    cols = [Col("O*NET-SOC Code", "onet_soc_code", "onet_soc"), Col("Title", "title")]
    for who, prefix in [("gpt4", "dv_rating"), ("human", "human_rating")]:
        cols += [Col(f"{prefix}_{m}", f"{who}_{m}", "float") for m in ("alpha", "beta", "gamma")]
    return read_table(path, cols)


def read_onet_bls_match(path: str | Path) -> pd.DataFrame:
    """``occupations_onet_bls_matched.csv``: the paper's link from O*NET occupation titles to OEWS
    May 2021 national rows, by title.

    Columns: onet_title (blank on OEWS rows no O*NET occupation matched), soc_code (the OEWS
    code; blank where the title found no OEWS row), employment (OEWS May 2021 TOT_EMP, persons).
    Several titles can share one OEWS row; each then carries the row's whole employment.
    """
    cols = [
        Col("occupation", "onet_title", required=False),
        Col("OCC_CODE", "soc_code", "soc", required=False),
        Col("TOT_EMP", "employment", "float", required=False),
    ]
    frame = read_table(path, cols)
    named = frame[frame["onet_title"].notna()]
    check_unique(named, ["onet_title"], path)
    return frame
