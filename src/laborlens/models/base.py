"""The estimator contract every exposure model follows, and what they share.

A model rates task statements (optionally with their occupation title as context) on one target:

``exposure``    E0 / E1 / E2, the Eloundou et al. rubric
``automation``  T0 … T4, the automation-level rubric

``fit(X, y, groups)`` takes a DataFrame with a ``task`` column (and optionally ``title``), the
labels, and occupation groups. Every model is calibrated the same way: logits for held-out
occupations (cross-fitted for cheap models, one held-out slice for expensive ones) fit a
temperature, and decision weights that maximise macro-F1 + κ on those held-out predictions. The
probabilities stay calibrated; only ``predict`` uses the decision weights.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.metrics import cohen_kappa_score, f1_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit

from laborlens._version import __version__
from laborlens.exceptions import LaborlensError, ModelInputError, NotFittedError

TARGETS: dict[str, tuple[str, ...]] = {
    "exposure": ("E0", "E1", "E2"),
    "automation": ("T0", "T1", "T2", "T3", "T4"),
}
MAX_TEXT_CHARS = 2000
CARD_FILE = "model.json"
NEIGHBOUR_VECTORS = "neighbours.npz"
NEIGHBOUR_TEXTS = "neighbours.json"


def prepare_inputs(X: pd.DataFrame | list[str]) -> tuple[list[str], list[str]]:
    """Validated (tasks, titles) lists; empty or over-long text raises, naming the row."""
    if isinstance(X, pd.DataFrame):
        if "task" not in X.columns:
            msg = f"input has no 'task' column; it has {', '.join(map(str, X.columns))}"
            raise ModelInputError(msg)
        tasks = X["task"]
        titles = X["title"] if "title" in X.columns else pd.Series([""] * len(X), index=X.index)
    else:
        tasks = pd.Series(list(X))
        titles = pd.Series([""] * len(tasks))
    tasks = tasks.astype("string").fillna("").str.strip()
    titles = titles.astype("string").fillna("").str.strip()
    empty = tasks == ""
    if empty.any():
        i = int(np.argmax(empty.to_numpy()))
        msg = f"row {i}: the task text is empty; every row needs a task statement"
        raise ModelInputError(msg)
    long = tasks.str.len() > MAX_TEXT_CHARS
    if long.any():
        i = int(np.argmax(long.to_numpy()))
        msg = (
            f"row {i}: the task text has {int(tasks.str.len().iloc[i])} characters; at most "
            f"{MAX_TEXT_CHARS} are accepted (split long descriptions into task statements)"
        )
        raise ModelInputError(msg)
    return tasks.tolist(), titles.tolist()


def log_loss(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of class indices ``y`` under softmax(``logits``)."""
    lp = log_softmax(logits, axis=1)
    return float(-lp[np.arange(len(y)), y].mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of held-out logits."""
    res = minimize_scalar(
        lambda log_t: log_loss(logits / np.exp(log_t), y), bounds=(-3.0, 3.0), method="bounded"
    )
    return float(np.exp(res.x))


def fit_decision_weights(proba: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class multipliers on the probabilities that maximise macro-F1 + κ of the argmax."""
    k = proba.shape[1]
    weights = np.ones(k)
    grid = np.exp(np.linspace(-1.0, 1.0, 21))

    def score(w: np.ndarray) -> float:
        pred = (proba * w).argmax(axis=1)
        return f1_score(y, pred, average="macro") + cohen_kappa_score(y, pred)

    best = score(weights)
    for _ in range(2):  # coordinate ascent; class 0 stays the reference
        for c in range(1, k):
            for g in grid:
                trial = weights.copy()
                trial[c] = g
                s = score(trial)
                if s > best + 1e-9:
                    best, weights = s, trial
    return weights


class ExposureModel(ABC):
    """Base class: fit / predict / predict_proba / save / load, calibrated probabilities."""

    arch: ClassVar[str]
    #: "crossfit" (K-fold held-out logits; cheap models) or "holdout" (one held-out slice).
    calibration: ClassVar[str] = "crossfit"
    #: Keep the training tasks and their feature vectors for explanations (cross-validation
    #: switches this off: held-out scoring needs no neighbours).
    keep_neighbours: bool = True

    def __init__(self, target: str = "exposure", random_state: int = 0) -> None:
        self.target = target
        self.random_state = random_state

    # -- to implement -------------------------------------------------------------------
    @abstractmethod
    def _fit_core(
        self,
        tasks: list[str],
        titles: list[str],
        y: np.ndarray,
        valid: tuple[list[str], list[str], np.ndarray] | None = None,
    ) -> Any:
        """Fit on the given rows and return the fitted state (no calibration)."""

    @abstractmethod
    def _logits(self, state: Any, tasks: list[str], titles: list[str]) -> np.ndarray:
        """Unnormalised class scores for the rows."""

    @abstractmethod
    def _save_state(self, state: Any, directory: Path) -> None: ...

    def _neighbour_features(self, state: Any, tasks: list[str], titles: list[str]):
        """Row vectors in the model's own feature space (dense array or sparse matrix) in which
        the nearest training tasks are looked up; ``None`` where the model has none."""
        return None

    @abstractmethod
    def _load_state(self, directory: Path) -> Any: ...

    # -- shared behaviour ---------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        import inspect

        names = inspect.signature(type(self).__init__).parameters
        return {n: getattr(self, n) for n in names if n != "self"}

    def fit(self, X: pd.DataFrame, y, groups=None) -> ExposureModel:
        """Fit on task texts ``X`` and labels ``y``; ``groups`` (occupation codes) keep
        calibration folds occupation-disjoint."""
        if self.target not in TARGETS:
            msg = f"target must be one of {', '.join(TARGETS)}; got {self.target!r}"
            raise ModelInputError(msg)
        started = time.perf_counter()
        tasks, titles = prepare_inputs(X)
        classes = TARGETS[self.target]
        labels = pd.Series(list(y), dtype="string")
        bad = ~labels.isin(classes)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            msg = f"row {i}: label {labels.iloc[i]!r} is not one of {', '.join(classes)}"
            raise ModelInputError(msg)
        codes = labels.map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=int)
        groups = np.asarray(groups) if groups is not None else np.arange(len(codes))
        self.classes_ = list(classes)
        held_logits, held_y, state = self._calibration_logits(tasks, titles, codes, groups)
        self.temperature_ = fit_temperature(held_logits, held_y)
        self.decision_weights_ = fit_decision_weights(
            softmax(held_logits / self.temperature_, axis=1), held_y
        ).tolist()
        self.state_ = state if state is not None else self._fit_core(tasks, titles, codes)
        if self.keep_neighbours:
            self.neighbours_ = self._neighbour_index(tasks, titles, codes)
        self.fit_seconds_ = time.perf_counter() - started
        self.n_train_ = len(codes)
        return self

    def _neighbour_index(self, tasks, titles, codes) -> dict | None:
        from sklearn.preprocessing import normalize

        vectors = self._neighbour_features(self.state_, tasks, titles)
        if vectors is None:
            return None
        vectors = normalize(vectors)
        if isinstance(vectors, np.ndarray):
            vectors = vectors.astype(np.float16)
        else:
            vectors = vectors.astype(np.float32).tocsr()
        return {
            "vectors": vectors,
            "tasks": list(tasks),
            "titles": list(titles),
            "labels": [self.classes_[c] for c in codes],
        }

    def _calibration_logits(self, tasks, titles, codes, groups):
        pick = lambda seq, idx: [seq[i] for i in idx]  # noqa: E731
        if self.calibration == "crossfit":
            n_splits = min(3, len(np.unique(groups)))
            folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            logits = np.zeros((len(codes), len(self.classes_)))
            for tr, te in folds.split(tasks, codes, groups):
                state = self._fit_core(pick(tasks, tr), pick(titles, tr), codes[tr])
                logits[te] = self._logits(state, pick(tasks, te), pick(titles, te))
            return logits, codes, None
        split = GroupShuffleSplit(n_splits=1, test_size=0.1, random_state=self.random_state)
        tr, te = next(split.split(tasks, codes, groups))
        valid = (pick(tasks, te), pick(titles, te), codes[te])
        state = self._fit_core(pick(tasks, tr), pick(titles, tr), codes[tr], valid=valid)
        return self._logits(state, valid[0], valid[1]), codes[te], state

    def _check_fitted(self) -> None:
        if not hasattr(self, "state_"):
            msg = f"This {type(self).__name__} is not fitted yet; call fit() or load() first."
            raise NotFittedError(msg)

    def predict_proba(self, X: pd.DataFrame | list[str]) -> np.ndarray:
        """Calibrated class probabilities, columns in ``classes_`` order."""
        self._check_fitted()
        tasks, titles = prepare_inputs(X)
        return softmax(self._logits(self.state_, tasks, titles) / self.temperature_, axis=1)

    def predict(self, X: pd.DataFrame | list[str]) -> np.ndarray:
        """Class labels (argmax of probabilities times the fitted decision weights)."""
        proba = self.predict_proba(X)
        return np.asarray(self.classes_)[(proba * np.asarray(self.decision_weights_)).argmax(1)]

    # -- persistence --------------------------------------------------------------------
    def card(self) -> dict[str, Any]:
        """What is saved beside the weights in ``model.json``."""
        self._check_fitted()
        return {
            "arch": self.arch,
            "params": self.get_params(),
            "classes": self.classes_,
            "temperature": self.temperature_,
            "decision_weights": self.decision_weights_,
            "n_train": self.n_train_,
            "fit_seconds": self.fit_seconds_,
            "laborlens_version": __version__,
            **getattr(self, "extra_card_", {}),
        }

    def save(self, directory: str | Path) -> Path:
        """Write ``model.json`` and the weights into ``directory`` (created if needed)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._save_state(self.state_, directory)
        index = getattr(self, "neighbours_", None)
        if index is not None:
            _save_neighbours(index, directory)
        (directory / CARD_FILE).write_text(json.dumps(self.card(), indent=2), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> ExposureModel:
        """Load a model saved by :meth:`save`; the class is chosen from ``model.json``."""
        from laborlens.models.registry import get_arch

        directory = Path(directory)
        card_path = directory / CARD_FILE
        if not card_path.is_file():
            msg = f"{directory} is not a laborlens model folder: {CARD_FILE} is missing"
            raise LaborlensError(msg)
        card = json.loads(card_path.read_text(encoding="utf-8"))
        model = get_arch(card["arch"])(**card["params"])
        model.classes_ = card["classes"]
        model.temperature_ = card["temperature"]
        model.decision_weights_ = card["decision_weights"]
        model.n_train_ = card["n_train"]
        model.fit_seconds_ = card["fit_seconds"]
        model.extra_card_ = {k: v for k, v in card.items() if k not in model.card_keys()}
        model.state_ = model._load_state(directory)
        model.neighbours_ = _load_neighbours(directory)
        return model

    @staticmethod
    def card_keys() -> set[str]:
        return {
            "arch",
            "params",
            "classes",
            "temperature",
            "decision_weights",
            "n_train",
            "fit_seconds",
            "laborlens_version",
        }


def _save_neighbours(index: dict, directory: Path) -> None:
    from scipy import sparse

    vectors = index["vectors"]
    if isinstance(vectors, np.ndarray):
        np.savez_compressed(directory / NEIGHBOUR_VECTORS, dense=vectors)
    else:
        sparse.save_npz(directory / NEIGHBOUR_VECTORS, vectors, compressed=True)
    texts = {k: index[k] for k in ("tasks", "titles", "labels")}
    (directory / NEIGHBOUR_TEXTS).write_text(json.dumps(texts), encoding="utf-8")


def _load_neighbours(directory: Path) -> dict | None:
    from scipy import sparse

    if not (directory / NEIGHBOUR_VECTORS).is_file():
        return None
    with np.load(directory / NEIGHBOUR_VECTORS) as stored:
        dense = stored["dense"] if "dense" in stored.files else None
    vectors = dense if dense is not None else sparse.load_npz(directory / NEIGHBOUR_VECTORS)
    texts = json.loads((directory / NEIGHBOUR_TEXTS).read_text(encoding="utf-8"))
    return {"vectors": vectors, **texts}
