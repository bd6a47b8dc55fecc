"""Scoring tables of task statements with a trained model, in batches."""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.models.base import ExposureModel
from laborlens.models.evaluate import task_score

SCORE_COLUMN = {"exposure": "beta", "automation": "automation_score"}


def score_frame(
    model: ExposureModel,
    frame: pd.DataFrame,
    *,
    task_column: str = "Task",
    title_column: str | None = "Title",
    batch_size: int = 4096,
    progress=None,
) -> pd.DataFrame:
    """``frame`` with the model's label, one probability column per class and the task score
    (β for exposure, expected level/4 for automation) appended; rows and their order are kept."""
    parts = []
    for start in range(0, len(frame), batch_size):
        batch = frame.iloc[start : start + batch_size]
        X = pd.DataFrame({"task": batch[task_column].to_numpy()})
        if title_column and title_column in batch.columns:
            X["title"] = batch[title_column].to_numpy()
        parts.append(model.predict_proba(X))
        if progress:
            progress("scoring", min(start + batch_size, len(frame)), len(frame))
    proba = np.vstack(parts) if parts else np.zeros((0, len(model.classes_)))
    out = frame.copy()
    weights = np.asarray(model.decision_weights_)
    out[model.target] = np.asarray(model.classes_)[(proba * weights).argmax(axis=1)]
    for i, c in enumerate(model.classes_):
        out[f"p_{c}"] = proba[:, i]
    out[SCORE_COLUMN[model.target]] = task_score(proba, model.target)
    return out
