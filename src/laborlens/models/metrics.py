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


#: Exposure classes ordered by β (E0 = 0 < E2 = ½ < E1 = 1) for the quadratic-weighted κ.
EXPOSURE_ORDER = {"E0": 0, "E2": 1, "E1": 2}


def ordinal_ranks(classes: list[str]) -> np.ndarray:
    """Rank of each class index on the ordered scale: by β for exposure, by level for T0–T4."""
    if set(classes) == set(EXPOSURE_ORDER):
        return np.array([EXPOSURE_ORDER[c] for c in classes])
    return np.arange(len(classes))


def quadratic_kappa(y_true: np.ndarray, pred: np.ndarray, classes: list[str]) -> float:
    """Cohen's κ with quadratic weights on the ordered scale (see :func:`ordinal_ranks`)."""
    ranks = ordinal_ranks(classes)
    return float(
        cohen_kappa_score(
            ranks[np.asarray(y_true)],
            ranks[np.asarray(pred)],
            labels=list(range(len(classes))),
            weights="quadratic",
        )
    )


def _kappa_f1_from_confusion(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """κ and macro-F1 of a stack of confusion matrices (..., k, k), rows = truth."""
    n = cm.sum(axis=(-2, -1))
    diag = np.diagonal(cm, axis1=-2, axis2=-1)
    rows, cols = cm.sum(axis=-1), cm.sum(axis=-2)
    po = diag.sum(axis=-1) / n
    pe = (rows * cols).sum(axis=-1) / n**2
    kappa = (po - pe) / (1 - pe)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(rows + cols > 0, 2 * diag / (rows + cols), 0.0)
    return kappa, f1.mean(axis=-1)


def occupation_bootstrap(
    codes: np.ndarray,
    weights: np.ndarray,
    y_true: np.ndarray,
    pred: np.ndarray,
    beta_pred: np.ndarray,
    beta_true: np.ndarray,
    k: int,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, list[float]]:
    """95 % percentile intervals for κ, macro-F1 and occupation r, resampling whole occupations
    with replacement (tasks of one occupation are not independent)."""
    frame = pd.DataFrame({"code": codes, "w": weights, "wp": weights * beta_pred,
                          "wt": weights * beta_true})
    occ = frame.groupby("code", sort=True)[["w", "wp", "wt"]].sum()
    index = {c: i for i, c in enumerate(occ.index)}
    rows = np.array([index[c] for c in codes])
    cm = np.zeros((len(occ), k, k))
    np.add.at(cm, (rows, np.asarray(y_true), np.asarray(pred)), 1.0)
    bp = (occ["wp"] / occ["w"]).to_numpy()
    bt = (occ["wt"] / occ["w"]).to_numpy()
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(occ), np.full(len(occ), 1 / len(occ)), size=n_boot)
    kappa, f1 = _kappa_f1_from_confusion(np.einsum("bo,oij->bij", counts, cm))
    m = counts / counts.sum(axis=1, keepdims=True)
    mp, mt = m @ bp, m @ bt
    cov = m @ (bp * bt) - mp * mt
    r = cov / np.sqrt((m @ bp**2 - mp**2) * (m @ bt**2 - mt**2))
    return {
        name: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))]
        for name, v in (("kappa", kappa), ("macro_f1", f1), ("occupation_r", r))
    }


def kappa_by_group(
    major: np.ndarray, y_true: np.ndarray, pred: np.ndarray, classes: list[str]
) -> pd.DataFrame:
    """κ, quadratic κ, accuracy and task count per SOC major group."""
    rows = []
    labels = list(range(len(classes)))
    for g in sorted(set(major)):
        mask = major == g
        yt, yp = np.asarray(y_true)[mask], np.asarray(pred)[mask]
        single = len(np.unique(np.concatenate([yt, yp]))) < 2
        rows.append(
            {
                "major_group": g,
                "tasks": int(mask.sum()),
                "kappa": float("nan") if single else cohen_kappa_score(yt, yp, labels=labels),
                "kappa_quadratic": float("nan") if single else quadratic_kappa(yt, yp, classes),
                "accuracy": float((yt == yp).mean()),
            }
        )
    return pd.DataFrame(rows)
