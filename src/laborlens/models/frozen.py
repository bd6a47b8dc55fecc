"""The frozen sentence encoder + a calibrated linear head, with the occupation title as context."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

from laborlens.models import encoder
from laborlens.models.base import ExposureModel


class FrozenEncoderHead(ExposureModel):
    """Embeddings of the task and of its title (all-MiniLM-L6-v2, frozen), concatenated, into a
    multinomial logistic regression. Encoding dominates the cost; embeddings are cached per
    text within a fit so cross-fitting encodes each text once."""

    arch = "minilm"

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        C: float = 10.0,
        use_title: bool = True,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.C = C
        self.use_title = use_title

    def _embed(self, texts: list[str]) -> np.ndarray:
        cache: dict[str, np.ndarray] | None = self.__dict__.get("_cache")
        if cache is None:
            return encoder.embed(texts)
        missing = sorted({t for t in texts if t not in cache})
        if missing:
            for t, v in zip(missing, encoder.embed(missing), strict=True):
                cache[t] = v
        return np.stack([cache[t] for t in texts])

    def _features(self, tasks, titles):
        parts = [self._embed(tasks)]
        if self.use_title:
            parts.append(self._embed([t or "-" for t in titles]))
        return np.hstack(parts)

    def fit(self, X, y, groups=None):
        self._cache = {}
        try:
            return super().fit(X, y, groups)
        finally:
            del self._cache  # do not keep training embeddings in memory

    def _fit_core(self, tasks, titles, y, valid=None):
        return LogisticRegression(C=self.C, max_iter=5000).fit(self._features(tasks, titles), y)

    def _logits(self, state, tasks, titles):
        out = np.full((len(tasks), len(self.classes_)), -1e4)
        out[:, state.classes_] = state.decision_function(self._features(tasks, titles))
        return out

    def _neighbour_features(self, state, tasks, titles):
        return self._features(tasks, titles)

    def _save_state(self, state, directory: Path) -> None:
        joblib.dump(state, directory / "head.joblib")

    def _load_state(self, directory: Path):
        return joblib.load(directory / "head.joblib")
