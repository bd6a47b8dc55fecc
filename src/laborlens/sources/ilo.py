"""Parser for the ILO's 2025 generative-AI exposure index (Gmyrek, Berg, Kaminski et al. 2025,
ILO Working Paper 140).

``Final_Scores_ISCO08_Gmyrek_et_al_2025.xlsx`` lists every task of every ISCO-08 4-digit
occupation with its task score, and repeats on each task row the occupation's published
index (``mean_score_2025``, the mean task score rounded to two decimals) and exposure gradient.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, read_table

__all__ = ["read_ilo_scores"]

_PER_OCCUPATION = ["title", "mean_score_2025", "mean_score_2023", "sd_2025", "gradient_2025"]


def read_ilo_scores(path: str | Path) -> pd.DataFrame:
    """One row per ISCO-08 4-digit occupation (427 in the 2025 file).

    Returns isco_08_code (4 digits, as text), title, mean_score_2025 (the published index,
    0–1), mean_score_2023 (the 2023 index on the same tasks), sd_2025, gradient_2025 (e.g.
    ``Gradient 3``) and n_tasks.

    Raises
    ------
    LayoutError
        A column is missing, a code is not four digits, a score is not a number, or the
        occupation-level columns differ between the task rows of one occupation.
    """
    path = Path(path)
    cols = [
        Col("ISCO_08", "isco_08_code"),
        Col("Title", "title"),
        Col("taskID", "task_id", "int"),
        Col("score_2025", "score_2025", "float"),
        Col("mean_score_2025", "mean_score_2025", "float"),
        Col("mean_score_2023", "mean_score_2023", "float"),
        Col("SD_2025", "sd_2025", "float"),
        Col("potential25", "gradient_2025"),
    ]
    tasks = read_table(path, cols)
    code = tasks["isco_08_code"]
    bad = ~code.str.fullmatch(r"\d{4}")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        msg = f"expected a 4-digit ISCO-08 code like 2512, found {code.iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="ISCO_08")
    grouped = tasks.groupby("isco_08_code", sort=True)
    varies = grouped[_PER_OCCUPATION].nunique(dropna=False).max(axis=1) > 1
    if varies.any():
        isco = varies.index[int(np.argmax(varies.to_numpy()))]
        i = int(np.argmax((code == isco).to_numpy()))
        msg = f"occupation {isco}: its task rows disagree on {', '.join(_PER_OCCUPATION)}"
        raise LayoutError(path, msg, row=i + 2)
    out = grouped[_PER_OCCUPATION].first()
    out["n_tasks"] = grouped.size()
    return out.reset_index()
