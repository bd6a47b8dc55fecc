"""Per-call overhead out of the posting path: TF-IDF transforms and the TF-IDF models' class
probabilities without scikit-learn's per-call input validation.

A posting is a handful of short texts, so scikit-learn's ``TfidfVectorizer.transform`` and
``predict_proba`` spend most of their time validating inputs and converting containers, not
counting n-grams. :class:`FastTfidf` does what ``transform`` does (the vectorizer's own
analyzer and vocabulary; counts, sublinear tf, idf, L2 norm in the vectorizer's dtype), and
:func:`tfidf_proba` what :meth:`~laborlens.models.tfidf.TfidfLinear.predict_proba` does for the
default ``tfidf`` models. Both equal the library calls to float rounding (tests compare them);
any other model goes through its own ``predict_proba``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import softmax

from laborlens.exceptions import ConfigError
from laborlens.models.base import MAX_TEXT_CHARS


class FastTfidf:
    """``vectorizer.transform`` for a fitted ``TfidfVectorizer`` (norm "l2" or None)."""

    def __init__(self, vectorizer) -> None:
        self.vectorizer = vectorizer
        self._prepare()

    def _prepare(self) -> None:
        v = self.vectorizer
        self.analyze = v.build_analyzer()
        self.vocabulary = v.vocabulary_
        self.dtype = np.dtype(v.dtype)
        self.idf = np.asarray(v.idf_, dtype=self.dtype) if v.use_idf else None
        self.sublinear = v.sublinear_tf
        self.norm = v.norm
        if self.norm not in ("l2", None):
            msg = f"FastTfidf supports norm 'l2' or None, not {self.norm!r}"
            raise ConfigError(msg)

    def __getstate__(self) -> dict:
        return {"vectorizer": self.vectorizer}  # the analyzer is a closure: rebuilt on load

    def __setstate__(self, state: dict) -> None:
        self.vectorizer = state["vectorizer"]
        self._prepare()

    def transform(self, docs: list[str]) -> sp.csr_matrix:
        vocab, analyze = self.vocabulary, self.analyze
        indices: list[int] = []
        values: list[int] = []
        indptr = [0]
        for doc in docs:
            counts: dict[int, int] = {}
            for feature in analyze(doc):
                j = vocab.get(feature)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            indices.extend(counts)
            values.extend(counts.values())
            indptr.append(len(indices))
        x = sp.csr_matrix(
            (
                np.asarray(values, dtype=self.dtype),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(docs), len(vocab)),
        )
        x.sort_indices()
        data = x.data
        if self.sublinear:
            np.log(data, out=data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[x.indices]
        if self.norm == "l2" and len(data):
            sq = np.add.reduceat(data * data, x.indptr[:-1][np.diff(x.indptr) > 0])
            norms = np.zeros(len(docs), dtype=self.dtype)
            norms[np.diff(x.indptr) > 0] = np.sqrt(sq)
            data /= np.repeat(norms, np.diff(x.indptr))
        return x


class TfidfProba:
    """Class probabilities of a fitted :class:`~laborlens.models.tfidf.TfidfLinear`."""

    def __init__(self, model) -> None:
        self.model = model
        state = model.state_
        self.vectorizers = tuple(FastTfidf(v) for v in state["vectorizers"])
        clf = state["clf"]
        self.coef = np.asarray(clf.coef_).T.copy()
        self.intercept = np.asarray(clf.intercept_)
        self.clf_classes = np.asarray(clf.classes_)
        self.n_classes = len(model.classes_)
        self.title_weight = model.title_weight
        self.temperature = model.temperature_

    def __call__(self, tasks: list[str], titles: list[str]) -> np.ndarray:
        tasks = [t.strip() for t in tasks]
        titles = [t.strip() or "_" for t in titles]
        words, chars, title = self.vectorizers
        blocks = [
            words.transform(tasks),
            chars.transform(tasks),
            self.title_weight * title.transform(titles),
        ]
        dense = self.model.static_features(self.model.state_, tasks)
        if dense is not None:
            blocks.append(dense)
        x = sp.hstack(blocks).tocsr()
        scores = np.asarray(x @ self.coef) + self.intercept
        if scores.shape[1] == 1:
            scores = np.column_stack([-scores[:, 0], scores[:, 0]]) / 2
        out = np.full((len(tasks), self.n_classes), -1e4)
        out[:, self.clf_classes] = scores
        return softmax(out / self.temperature, axis=1)


def model_proba(model, tasks: list[str], titles: list[str], cache: dict) -> np.ndarray:
    """``model.predict_proba`` of (task, title) rows; the fast path for ``tfidf`` models with
    valid rows (any other model, or a row the model would refuse, goes through the model)."""
    fast = None
    if getattr(model, "arch", None) == "tfidf" and hasattr(model, "state_"):
        key = id(model)
        if key not in cache or cache[key][0] is not model:
            cache[key] = (model, TfidfProba(model))
        fast = cache[key][1]
    if fast is None or any(not t.strip() or len(t.strip()) > MAX_TEXT_CHARS for t in tasks):
        return model.predict_proba(pd.DataFrame({"task": tasks, "title": titles}))
    return fast(tasks, titles)
