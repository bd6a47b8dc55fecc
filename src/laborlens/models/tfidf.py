"""The floor: TF-IDF word and character n-grams of task and title → logistic regression."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from laborlens.models.base import ExposureModel


class TfidfLinear(ExposureModel):
    """Word 1–2-grams and character 3–5-grams of the task, word n-grams of the title (scaled by
    ``title_weight``), multinomial logistic regression with inverse regularisation ``C``."""

    arch = "tfidf"

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        C: float = 2.0,
        title_weight: float = 0.5,
        max_char_features: int = 100_000,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.C = C
        self.title_weight = title_weight
        self.max_char_features = max_char_features

    def _features(self, state, tasks, titles, fit: bool = False):
        words, chars, title = state["vectorizers"]
        op = "fit_transform" if fit else "transform"
        return hstack(
            [
                getattr(words, op)(tasks),
                getattr(chars, op)(tasks),
                self.title_weight * getattr(title, op)(titles),
            ]
        ).tocsr()

    def _fit_core(self, tasks, titles, y, valid=None):
        state = {
            "vectorizers": (
                TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    min_df=3,
                    sublinear_tf=True,
                    max_features=self.max_char_features,
                ),
                # Titles may all be empty (no context given): keep an empty-safe vocabulary.
                TfidfVectorizer(
                    ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
                ),
            )
        }
        titles = [t or "_" for t in titles]
        X = self._features(state, tasks, titles, fit=True)
        clf = LogisticRegression(C=self.C, max_iter=3000)
        clf.fit(X, y)
        # Classes absent from a small training slice still need a column.
        state["clf"] = clf
        return state

    def _logits(self, state, tasks, titles):
        titles = [t or "_" for t in titles]
        clf = state["clf"]
        scores = clf.decision_function(self._features(state, tasks, titles))
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores]) / 2
        out = np.full((len(tasks), len(self.classes_)), -1e4)
        out[:, clf.classes_] = scores
        return out

    def _save_state(self, state, directory: Path) -> None:
        joblib.dump(state, directory / "tfidf.joblib", compress=3)

    def _load_state(self, directory: Path):
        return joblib.load(directory / "tfidf.joblib")
