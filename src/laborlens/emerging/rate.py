"""Rate statements with the default exposure and automation models.

Each distinct (task, occupation title) pair is scored once: the same wording appears in several
releases, and the models read the title as context.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from laborlens.exceptions import BuildError
from laborlens.models.scoring import score_frame

__all__ = ["RATING_COLUMNS", "rate_statements"]

RATING_COLUMNS = [
    "exposure",
    "p_E0",
    "p_E1",
    "p_E2",
    "beta",
    "automation_level",
    "p_T0",
    "p_T1",
    "p_T2",
    "p_T3",
    "p_T4",
    "automation",
]


def rate_statements(
    frame: pd.DataFrame,
    models: dict[str, Any],
    *,
    task_column: str = "task",
    title_column: str = "title",
    known: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``frame`` with :data:`RATING_COLUMNS` appended (rows and order kept).

    ``models`` holds the fitted ``"exposure"`` and ``"automation"`` models. ``exposure`` is the
    E0/E1/E2 label, ``beta`` = p(E1) + ½ p(E2); ``automation_level`` the T0–T4 label and
    ``automation`` the expected level / 4. ``known`` (task, title and the rating columns) holds
    ratings the same models already gave (the build's ``task_*_model`` tables of O*NET 29.3):
    those (task, title) pairs are not scored again.
    """
    missing = [t for t in ("exposure", "automation") if t not in models]
    if missing:
        msg = f"rating statements needs the default {' and '.join(missing)} model(s)"
        raise BuildError(msg)
    keys = frame[[task_column, title_column]].astype(str)
    unique = keys.drop_duplicates().reset_index(drop=True)
    reused = None
    if known is not None and len(known):
        prior = known.rename(columns={"task": task_column, "title": title_column})
        prior = prior.astype({task_column: str, title_column: str})
        prior = prior.drop_duplicates([task_column, title_column])
        reused = unique.merge(prior, on=[task_column, title_column], how="inner")
        hit = pd.MultiIndex.from_frame(unique).isin(
            pd.MultiIndex.from_frame(reused[[task_column, title_column]])
        )
        unique = unique[~hit].reset_index(drop=True)
    exp = score_frame(
        models["exposure"], unique, task_column=task_column, title_column=title_column
    )
    aut = score_frame(
        models["automation"], unique, task_column=task_column, title_column=title_column
    )
    rated = unique.copy()
    rated["exposure"] = exp["exposure"].to_numpy()
    for c in ("p_E0", "p_E1", "p_E2", "beta"):
        rated[c] = exp[c].to_numpy()
    rated["automation_level"] = aut["automation"].to_numpy()
    for c in ("p_T0", "p_T1", "p_T2", "p_T3", "p_T4"):
        rated[c] = aut[c].to_numpy()
    rated["automation"] = aut["automation_score"].to_numpy()
    if reused is not None:
        rated = pd.concat([rated, reused[[task_column, title_column, *RATING_COLUMNS]]])
    joined = keys.merge(rated, on=[task_column, title_column], how="left")
    out = frame.copy()
    for c in RATING_COLUMNS:
        out[c] = joined[c].to_numpy()
    return out
