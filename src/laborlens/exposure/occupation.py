"""Task-level E-rubric labels → occupation-level exposure (α, β, γ), Eloundou et al. style.

The rubric itself (levels, measures, weightings, sources, formula) lives in
:mod:`laborlens.exposure.rubric`; this module rolls task scores up to occupations: an
occupation's score is the weighted mean over its tasks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.exceptions import LaborlensError
from laborlens.exposure.rubric import (
    LEVELS,
    MEASURES,
    WEIGHTINGS,
    Weighting,
    label_probabilities,
    measures_from_probabilities,
    task_weights,
)

__all__ = [
    "MEASURES",
    "WEIGHTINGS",
    "Weighting",
    "measures_from_probabilities",
    "occupation_exposure",
    "task_measures",
    "task_weights",
]


def task_measures(labels: pd.Series) -> pd.DataFrame:
    """α, β, γ of each task from E0/E1/E2 labels; an unknown or missing label raises, naming
    the row."""
    bad = ~labels.isin(list(LEVELS))
    if bad.any():
        i = labels.index[int(bad.to_numpy().argmax())]
        msg = f"exposure label at row {i} is {labels.loc[i]!r}; expected E0, E1 or E2"
        raise LaborlensError(msg)
    return measures_from_probabilities(*label_probabilities(labels))


def occupation_exposure(
    tasks: pd.DataFrame,
    *,
    label: str = "human_exposure",
    weighting: str = "paper",
) -> pd.DataFrame:
    """Roll task labels up to occupations.

    Parameters
    ----------
    tasks : DataFrame
        One row per task with ``onet_soc_code``, ``task_type`` and the label column ``label``
        (E0/E1/E2). Alternatively columns ``p_E1`` and ``p_E2`` (model probabilities) are used
        when ``label`` is ``"model"``.
    label : str, default="human_exposure"
    weighting : {"paper", "equal", "core"}, default="paper"

    Returns
    -------
    DataFrame
        One row per occupation in ``tasks``: onet_soc_code, alpha, beta, gamma, n_tasks,
        n_weighted_tasks. Occupations whose weights sum to zero (``core`` with no Core task) keep
        their row with NaN scores.
    """
    if label == "model":
        m = measures_from_probabilities(
            tasks["p_E1"].astype("float64"), tasks["p_E2"].astype("float64")
        )
    else:
        m = task_measures(tasks[label])
    w = task_weights(tasks["task_type"], weighting)
    code = tasks["onet_soc_code"]
    total = w.groupby(code, sort=True).sum()
    out = pd.DataFrame(index=total.index)
    for name in MEASURES:
        num = (m[name] * w).groupby(code, sort=True).sum()
        out[name] = (num / total).where(total > 0, np.nan)
    out["n_tasks"] = code.groupby(code, sort=True).size()
    out["n_weighted_tasks"] = (w > 0).groupby(code, sort=True).sum()
    return out.reset_index()
