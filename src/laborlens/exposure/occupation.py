"""Task-level E-rubric labels → occupation-level exposure (α, β, γ), Eloundou et al. style.

Per task, α = 1 if E1; β = 1 if E1, ½ if E2; γ = 1 if E1 or E2 (0 for E0). An occupation's
score is the weighted mean over its tasks. The weighting is a choice:

``paper``  Core tasks weigh 2, Supplemental and untyped tasks 1 — the ``coreweight`` column the
           paper released in ``full_onet_data.tsv``; it reproduces ``occ_level.csv``.
``equal``  every task weighs 1.
``core``   Core tasks only; an occupation with no Core task gets no score (reported, not dropped).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from laborlens.exceptions import LaborlensError

Weighting = Literal["paper", "equal", "core"]
WEIGHTINGS: tuple[str, ...] = ("paper", "equal", "core")
MEASURES: tuple[str, ...] = ("alpha", "beta", "gamma")

# Probability of E1 and E2 for each hard label; model scores pass probabilities directly.
_HARD = {"E0": (0.0, 0.0), "E1": (1.0, 0.0), "E2": (0.0, 1.0)}


def task_weights(task_type: pd.Series, weighting: str) -> pd.Series:
    """Weight of each task under ``weighting``, from its Task Type (Core/Supplemental/blank)."""
    if weighting == "paper":
        return task_type.map({"Core": 2.0}).fillna(1.0).astype("float64")
    if weighting == "equal":
        return pd.Series(1.0, index=task_type.index)
    if weighting == "core":
        return (task_type == "Core").fillna(False).astype("float64")
    msg = f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}"
    raise LaborlensError(msg)


def task_measures(labels: pd.Series) -> pd.DataFrame:
    """α, β, γ of each task from E0/E1/E2 labels; an unknown label raises, naming the row."""
    bad = ~labels.isin(list(_HARD))
    if bad.any():
        i = labels.index[int(bad.to_numpy().argmax())]
        msg = f"exposure label at row {i} is {labels.loc[i]!r}; expected E0, E1 or E2"
        raise LaborlensError(msg)
    p1 = labels.map({k: v[0] for k, v in _HARD.items()}).astype("float64")
    p2 = labels.map({k: v[1] for k, v in _HARD.items()}).astype("float64")
    return measures_from_probabilities(p1, p2)


def measures_from_probabilities(p_e1: pd.Series, p_e2: pd.Series) -> pd.DataFrame:
    """Expected α, β, γ of tasks given p(E1) and p(E2)."""
    return pd.DataFrame({"alpha": p_e1, "beta": p_e1 + 0.5 * p_e2, "gamma": p_e1 + p_e2})


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
