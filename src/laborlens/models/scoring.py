"""Scoring tables of task statements with a trained model, in batches."""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.models.base import ExposureModel
from laborlens.models.evaluate import task_score

SCORE_COLUMN = {"exposure": "beta", "automation": "automation_score"}

AGREEMENT: dict[str, dict[str, float]] = {
    "exposure": {
        "accuracy": 0.737,
        "kappa": 0.550,
        "occupation_r": 0.920,
        "reference_accuracy": 0.656,
        "reference_kappa": 0.437,
    },
    "automation": {"accuracy": 0.753, "kappa": 0.652, "occupation_r": 0.937},
}
"""The default models' (``tfidf``; static vectors for exposure only) 5-fold occupation-grouped
cross-validation, from the model card (docs/models.md, docs/model_cv_results.json; a test keeps
the two equal). Exposure is judged
against the human labels, with GPT-4's labels as the reference; automation against GPT-4's."""

DEFAULT_PRECISION = 3


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def reliability_note(target: str = "exposure", *, default_model: bool = True) -> str:
    """One line on how far a single task's rating can be trusted (the model card's agreement)."""
    if not default_model:
        return (
            "How reliable one rating is: see this model's model card (in its folder) and "
            "`laborlens exposure evaluate` for its agreement on occupations it never saw."
        )
    a = AGREEMENT[target]
    if target == "exposure":
        return (
            f"How reliable one rating is: on occupations it never saw, the default model gives "
            f"the human raters' label for {_pct(a['accuracy'])} of tasks (Cohen's κ "
            f"{a['kappa']:.2f}; GPT-4's own labels: {_pct(a['reference_accuracy'])}, κ "
            f"{a['reference_kappa']:.2f}). Read one task's label as indicative; averages over an "
            f"occupation's tasks are steadier (r {a['occupation_r']:.2f} with the human β). "
            "Source: docs/models.md."
        )
    return (
        f"How reliable one rating is: on occupations it never saw, the default model gives "
        f"GPT-4's automation level for {_pct(a['accuracy'])} of tasks (κ {a['kappa']:.2f}); no "
        "human labels exist to check it against. Source: docs/models.md."
    )


def round_scores(frame: pd.DataFrame, target: str, precision: int = DEFAULT_PRECISION):
    """The probability and score columns :func:`score_frame` added, rounded to ``precision``
    decimals (the models are not accurate to more than two or three)."""
    if precision < 0:
        from laborlens.exceptions import ConfigError

        msg = f"precision must be 0 or more decimals; got {precision}"
        raise ConfigError(msg)
    out = frame.copy()
    cols = [c for c in out.columns if c.startswith("p_")] + [SCORE_COLUMN[target]]
    out[cols] = out[cols].round(precision)
    return out


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
