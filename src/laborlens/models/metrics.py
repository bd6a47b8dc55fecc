"""Agreement metrics between predicted and human labels, and calibration error."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    f1_score,
    recall_score,
    roc_auc_score,
)


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, n_bins: int = 15) -> float:
    """Top-label ECE: |accuracy − confidence| averaged over equal-width confidence bins."""
    proba = np.asarray(proba, dtype=float)
    conf = proba.max(axis=1)
    pred = proba.argmax(axis=1)
    correct = (pred == y).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def classification_metrics(
    y_true: np.ndarray, proba: np.ndarray, classes: list[str], pred: np.ndarray | None = None
) -> dict[str, float]:
    """Accuracy, macro-F1, recall per class, Cohen's κ, one-vs-rest AUC and ECE.

    ``y_true`` and ``pred`` hold class indices (``pred`` defaults to the argmax of ``proba``);
    ``proba`` is (n, len(classes)). AUC and ECE use the probabilities.
    """
    y_true = np.asarray(y_true)
    pred = np.asarray(proba).argmax(axis=1) if pred is None else np.asarray(pred)
    labels = list(range(len(classes)))
    out = {
        "accuracy": accuracy_score(y_true, pred),
        "macro_f1": f1_score(y_true, pred, average="macro", labels=labels, zero_division=0),
        "kappa": cohen_kappa_score(y_true, pred, labels=labels),
        "ece": expected_calibration_error(proba, y_true),
    }
    recalls = recall_score(y_true, pred, average=None, labels=labels, zero_division=0)
    for c, r in zip(classes, recalls, strict=True):
        out[f"recall_{c}"] = r
    present = np.unique(y_true)
    if len(present) > 1:
        try:
            out["auc_ovr"] = (
                roc_auc_score(
                    y_true,
                    proba[:, present] / proba[:, present].sum(axis=1, keepdims=True),
                    multi_class="ovr",
                    labels=present,
                )
                if len(present) > 2
                else roc_auc_score(y_true == present[1], proba[:, present[1]])
            )
        except ValueError:
            out["auc_ovr"] = float("nan")
    return {k: float(v) for k, v in out.items()}


def occupation_beta_correlation(
    codes: pd.Series, weights: pd.Series, beta_pred: np.ndarray, beta_true: np.ndarray
) -> float:
    """Pearson r between occupation β from predictions and from the human labels."""
    frame = pd.DataFrame(
        {"code": codes.to_numpy(), "w": weights.to_numpy(), "p": beta_pred, "t": beta_true}
    )
    frame["wp"] = frame["w"] * frame["p"]
    frame["wt"] = frame["w"] * frame["t"]
    occ = frame.groupby("code")[["w", "wp", "wt"]].sum()
    occ = occ[occ["w"] > 0]
    return float(np.corrcoef(occ["wp"] / occ["w"], occ["wt"] / occ["w"])[0, 1])
