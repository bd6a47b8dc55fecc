"""Occupation-grouped cross-validation: no occupation's tasks are split across train and test."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from laborlens.exposure.rubric import measure_values, task_weights
from laborlens.models.base import TARGETS
from laborlens.models.metrics import (
    classification_metrics,
    kappa_by_group,
    occupation_beta_correlation,
    occupation_bootstrap,
    quadratic_kappa,
)
from laborlens.models.registry import get_arch


def task_score(proba: np.ndarray, target: str) -> np.ndarray:
    """Per-task score rolled up to occupations: β = p(E1) + ½p(E2) for exposure, expected
    automation level / 4 (0 = T0 … 1 = T4) for automation."""
    if target == "exposure":
        return measure_values(proba[:, 1], proba[:, 2], "beta")
    return proba @ (np.arange(proba.shape[1]) / (proba.shape[1] - 1))


@dataclass
class CVResult:
    """Out-of-fold probabilities and the metrics computed from them."""

    arch: str
    target: str
    folds: int
    proba: np.ndarray
    metrics: dict[str, float]
    comparison: dict[str, float] | None
    fit_seconds: list[float] = field(default_factory=list)
    fold_metrics: list[dict[str, float]] = field(default_factory=list)
    pred: np.ndarray | None = None
    intervals: dict[str, list[float]] = field(default_factory=dict)
    by_major_group: pd.DataFrame | None = None
    #: The same held-out tasks scored without their titles.
    untitled_metrics: dict[str, float] | None = None

    def fold_spread(self, metric: str = "kappa") -> tuple[float, float, float]:
        """Mean, min and max of ``metric`` over the folds."""
        v = [m[metric] for m in self.fold_metrics]
        return float(np.mean(v)), float(min(v)), float(max(v))

    def table(self) -> pd.DataFrame:
        """Metrics side by side: the model and the comparison labels (GPT-4)."""
        cols = {f"{self.arch} (cross-validated)": self.metrics}
        if self.comparison is not None:
            cols["GPT-4 labels"] = self.comparison
        return pd.DataFrame(cols)


def _metrics(
    frame: pd.DataFrame,
    y: np.ndarray,
    proba: np.ndarray,
    target: str,
    pred: np.ndarray | None = None,
) -> dict:
    classes = list(TARGETS[target])
    out = classification_metrics(y, proba, classes, pred)
    weights = _weights(frame)
    truth = task_score(np.eye(len(classes))[y], target)
    out["occupation_r"] = occupation_beta_correlation(
        frame["group"], weights, task_score(proba, target), truth
    )
    out["kappa_quadratic"] = quadratic_kappa(
        y, proba.argmax(axis=1) if pred is None else pred, classes
    )
    return out


def _weights(frame: pd.DataFrame) -> pd.Series:
    return (
        task_weights(frame["task_type"], "paper")
        if frame["task_type"].notna().any()
        else pd.Series(1.0, index=frame.index)
    )


def cross_validate(
    frame: pd.DataFrame,
    *,
    arch: str = "tfidf",
    target: str = "exposure",
    folds: int = 5,
    random_state: int = 0,
    params: dict | None = None,
    progress=None,
) -> CVResult:
    """K-fold cross-validation grouped by occupation (``frame`` from :func:`read_labels`)."""
    classes = list(TARGETS[target])
    y = frame["label"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    groups = frame["group"].to_numpy()
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=random_state)
    proba = np.zeros((len(frame), len(classes)))
    pred = np.zeros(len(frame), dtype=int)
    proba_untitled = np.zeros_like(proba)
    pred_untitled = np.zeros_like(pred)
    X = frame[["task", "title"]]
    cls = get_arch(arch)
    times, per_fold = [], []
    for k, (tr, te) in enumerate(splitter.split(X, y, groups)):
        if progress:
            progress(f"fold {k + 1}/{folds}: training {arch}", k, folds)
        started = time.perf_counter()
        model = cls(target=target, random_state=random_state, **(params or {}))
        model.keep_neighbours = False
        model.fit(X.iloc[tr], frame["label"].iloc[tr], groups=groups[tr])
        times.append(time.perf_counter() - started)
        proba[te] = model.predict_proba(X.iloc[te])
        pred[te] = (proba[te] * np.asarray(model.decision_weights_)).argmax(axis=1)
        per_fold.append(_metrics(frame.iloc[te], y[te], proba[te], target, pred[te]))
        proba_untitled[te] = model.predict_proba(X.iloc[te][["task"]])
        pred_untitled[te] = (proba_untitled[te] * np.asarray(model.decision_weights_)).argmax(1)
    if progress:
        progress("done", folds, folds)
    comparison = None
    if "comparison" in frame.columns and frame["comparison"].isin(classes).all():
        hard = frame["comparison"].map({c: i for i, c in enumerate(classes)}).to_numpy()
        comparison = _metrics(frame, y, np.eye(len(classes))[hard], target)
    intervals = occupation_bootstrap(
        frame["group"].to_numpy(),
        _weights(frame).to_numpy(),
        y,
        pred,
        task_score(proba, target),
        task_score(np.eye(len(classes))[y], target),
        len(classes),
        seed=random_state,
    )
    major = frame["group"].str[:2].to_numpy()
    return CVResult(
        arch,
        target,
        folds,
        proba,
        _metrics(frame, y, proba, target, pred),
        comparison,
        times,
        per_fold,
        pred,
        intervals,
        kappa_by_group(major, y, pred, classes),
        _metrics(frame, y, proba_untitled, target, pred_untitled),
    )
