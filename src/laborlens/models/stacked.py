"""TF-IDF logistic regression stacked with O*NET detailed-work-activity (DWA) priors.

Stage 1 is the ``tfidf`` model. Stage 2 is a small multinomial logistic regression over
stage 1's logits and label priors of the statement's nearest DWAs: each task statement is
matched to the DWA titles most similar to it by TF-IDF cosine (so any text can be matched, not
only O*NET tasks), and each DWA carries the label distribution of the training tasks O*NET links
to it (``Tasks to DWAs``), smoothed towards the overall distribution.

Everything learned from labels comes from the labels given to ``fit``: stage 2 is fitted on
stage 1's out-of-fold logits (3 occupation-grouped folds inside the training set), and the DWA
priors of a training task leave out the tasks of its own occupation, so that training features
look like those of an occupation never seen. Calibration (temperature, decision weights) uses
stage 2's own out-of-fold logits, again grouped by occupation.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from laborlens.exceptions import ModelInputError
from laborlens.models.base import ExposureModel
from laborlens.models.tfidf import TfidfLinear

log = logging.getLogger(__name__)
DWA_SOURCE = "onet_tasks_to_dwas"


def normalise_text(text: str) -> str:
    """Lower case, single spaces: the key that links a task statement to its DWAs."""
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def read_dwa_links(path: str | Path) -> pd.DataFrame:
    """O*NET ``Tasks to DWAs`` (text or Excel layout) as task text, DWA ID, DWA title."""
    from laborlens.sources.tabular import Col, read_table

    cols = [Col("Task", "task"), Col("DWA ID", "dwa_id"), Col("DWA Title", "dwa_title")]
    return read_table(path, cols).drop_duplicates().reset_index(drop=True)


def default_dwa_links() -> pd.DataFrame:
    """The registered ``Tasks to DWAs`` file, found through the resolved settings."""
    from laborlens.config import get_settings
    from laborlens.sources.fetch import fetch

    return read_dwa_links(fetch(DWA_SOURCE, get_settings()))


def _dwa_similarities(index: dict, tasks: list[str]) -> np.ndarray:
    """Cosine of each statement with every DWA title (rows × DWAs, float32). Only the columns
    that occur in some DWA title can contribute, so the product runs over those columns against
    a dense copy of the title matrix (cached in ``index``); the rows are normalised first over
    all their columns, which keeps the cosine exact."""
    if "_dense" not in index:
        matrix = index["matrix"].tocsc()
        cols = np.flatnonzero(np.diff(matrix.indptr))
        index["_dense"] = (cols, np.ascontiguousarray(matrix[:, cols].toarray().T))
    cols, dense = index["_dense"]
    q = normalize(index["vectorizer"].transform(tasks)).astype(np.float32).tocsc()[:, cols]
    return np.asarray(q.tocsr() @ dense)


class TfidfDwa(ExposureModel):
    """``tfidf`` stacked with nearest-DWA label priors (see the module docstring).

    ``n_dwas`` nearest DWA titles per statement, prior smoothing ``alpha`` (pseudo-counts of
    the overall label distribution), stage-2 inverse regularisation ``stack_C``; ``C`` and
    ``title_weight`` are stage 1's. ``dwa_links`` (task, dwa_id, dwa_title) may be given;
    otherwise the registered O*NET file is read when fitting."""

    arch = "tfidf-dwa"

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        C: float = 2.0,
        title_weight: float = 0.5,
        n_dwas: int = 3,
        alpha: float = 2.0,
        stack_C: float = 1.0,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.C = C
        self.title_weight = title_weight
        self.n_dwas = n_dwas
        self.alpha = alpha
        self.stack_C = stack_C
        self.dwa_links: pd.DataFrame | None = None

    def _stage1(self) -> TfidfLinear:
        model = TfidfLinear(
            target=self.target,
            random_state=self.random_state,
            C=self.C,
            title_weight=self.title_weight,
            static_weight=0.0,  # stage 1 as cross-validated for this stack
        )
        model.classes_ = self.classes_
        return model

    # -- the DWA priors -----------------------------------------------------------------
    def _dwa_index(self, tasks, y, groups) -> dict:
        links = self.dwa_links if self.dwa_links is not None else default_dwa_links()
        titles = links.drop_duplicates("dwa_id").set_index("dwa_id")["dwa_title"]
        ids = titles.index.to_numpy()
        pos = {d: i for i, d in enumerate(ids)}
        k = len(self.classes_)
        key = pd.Series(np.arange(len(tasks)), index=[normalise_text(t) for t in tasks])
        linked = links.assign(key=links["task"].map(normalise_text))
        linked = linked[linked["key"].isin(key.index)][["key", "dwa_id"]].drop_duplicates()
        # A statement repeated in several occupations links each of its rows.
        rows_of = key.groupby(level=0).apply(list)
        row_ix, col_ix = [], []
        for text, dwa in zip(linked["key"], linked["dwa_id"], strict=True):
            for r in rows_of[text]:
                row_ix.append(r)
                col_ix.append(pos[dwa])
        row_ix, col_ix = np.asarray(row_ix, dtype=int), np.asarray(col_ix, dtype=int)
        onehot = np.eye(k)[y]
        counts = np.zeros((len(ids), k))
        np.add.at(counts, col_ix, onehot[row_ix])
        gcode = pd.factorize(np.asarray(groups))[0]
        gkey = gcode[row_ix] * len(ids) + col_ix
        uniq, inv = np.unique(gkey, return_inverse=True)
        own = np.zeros((len(uniq), k))
        np.add.at(own, inv, onehot[row_ix])
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        vec.fit(list(titles) + list(tasks))
        log.info(
            "DWA priors: %d of %d training statements linked to %d DWAs",
            len(np.unique(row_ix)),
            len(tasks),
            int((counts.sum(1) > 0).sum()),
        )
        return {
            "vectorizer": vec,
            "matrix": normalize(vec.transform(list(titles))).astype(np.float32),
            "ids": ids,
            "titles": list(titles),
            "counts": counts,
            "prior": onehot.mean(axis=0),
            "n_linked": len(np.unique(row_ix)),
            # For leave-own-occupation-out priors of the training rows only:
            "_own": (gcode, uniq, own),
        }

    def _dwa_features(self, index, tasks, own_rows=None) -> np.ndarray:
        sims = _dwa_similarities(index, tasks)
        m = self.n_dwas
        # The m best of ~2,000 DWAs per row, best first (argpartition: no full sort).
        part = np.argpartition(-sims, m - 1, axis=1)[:, :m] if sims.shape[1] > m else None
        if part is None:
            part = np.tile(np.arange(sims.shape[1]), (len(sims), 1))
        order = np.argsort(-np.take_along_axis(sims, part, 1), axis=1, kind="stable")
        top = np.take_along_axis(part, order, 1)
        s = np.take_along_axis(sims, top, 1)
        counts = index["counts"][top]
        if own_rows is not None:
            gcode, uniq, own = index["_own"]
            n_ids = len(index["ids"])
            keys = gcode[own_rows][:, None] * n_ids + top
            at = np.searchsorted(uniq, keys).clip(0, max(len(uniq) - 1, 0))
            hit = (uniq[at] == keys) if len(uniq) else np.zeros_like(keys, dtype=bool)
            counts = counts - np.where(hit[:, :, None], own[at] if len(uniq) else 0, 0)
        prior = (counts + self.alpha * index["prior"]) / (counts.sum(2, keepdims=True) + self.alpha)
        w = np.clip(s, 1e-6, None)
        return np.hstack(
            [
                (prior * w[:, :, None]).sum(1) / w.sum(1, keepdims=True),
                prior[:, 0],
                s[:, :1],
                np.log1p(counts.sum(2)),
            ]
        )

    # -- fitting ------------------------------------------------------------------------
    def _stack_fit(self, tasks, titles, y, groups):
        pick = lambda seq, idx: [seq[i] for i in idx]  # noqa: E731
        stage1 = self._stage1()
        n_splits = min(3, len(np.unique(groups)))
        if n_splits < 2:
            msg = "tfidf-dwa needs training tasks from at least 2 occupations (groups)"
            raise ModelInputError(msg)
        folds = GroupKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        oof = np.zeros((len(y), len(self.classes_)))
        splits = list(folds.split(tasks, y, groups))
        for tr, te in splits:
            state = stage1._fit_core(pick(tasks, tr), pick(titles, tr), y[tr])
            oof[te] = stage1._logits(state, pick(tasks, te), pick(titles, te))
        s1_state = stage1._fit_core(tasks, titles, y)
        index = self._dwa_index(tasks, y, groups)
        Z = np.hstack([oof, self._dwa_features(index, tasks, own_rows=np.arange(len(y)))])
        held = np.zeros_like(oof)
        for tr, te in splits:
            clf = LogisticRegression(C=self.stack_C, max_iter=2000).fit(Z[tr], y[tr])
            held[te] = self._scores(clf, Z[te])
        clf = LogisticRegression(C=self.stack_C, max_iter=2000).fit(Z, y)
        del index["_own"]
        return held, {"stage1": s1_state, "dwa": index, "stack": clf}

    def _scores(self, clf, Z) -> np.ndarray:
        out = np.full((len(Z), len(self.classes_)), -1e4)
        scores = clf.decision_function(Z)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores]) / 2
        out[:, clf.classes_] = scores
        return out

    def _calibration_logits(self, tasks, titles, codes, groups):
        held, state = self._stack_fit(tasks, titles, codes, groups)
        return held, codes, state

    def _fit_core(self, tasks, titles, y, valid=None):
        # Without occupation groups every task is its own group.
        return self._stack_fit(tasks, titles, y, np.arange(len(y)))[1]

    def _logits(self, state, tasks, titles):
        s1 = self._stage1()._logits(state["stage1"], tasks, titles)
        Z = np.hstack([s1, self._dwa_features(state["dwa"], tasks)])
        return self._scores(state["stack"], Z)

    def _neighbour_features(self, state, tasks, titles):
        return self._stage1()._neighbour_features(state["stage1"], tasks, titles)

    def nearest_dwas(self, tasks: list[str], k: int = 3) -> list[list[dict]]:
        """The DWA titles each statement is matched to, with cosine and the DWA's label
        distribution among the training tasks linked to it."""
        self._check_fitted()
        index = self.state_["dwa"]
        sims = _dwa_similarities(index, tasks)
        out = []
        for row in sims:
            top = np.argsort(-row, kind="stable")[:k]
            out.append(
                [
                    {
                        "dwa_id": str(index["ids"][j]),
                        "dwa_title": index["titles"][j],
                        "similarity": float(row[j]),
                        "training_labels": {
                            c: int(n)
                            for c, n in zip(self.classes_, index["counts"][j], strict=True)
                        },
                    }
                    for j in top
                ]
            )
        return out

    def stage1_proba(self, X) -> np.ndarray:
        """Stage 1 (plain ``tfidf``) probabilities, uncalibrated softmax of its logits."""
        from laborlens.models.base import prepare_inputs

        self._check_fitted()
        tasks, titles = prepare_inputs(X)
        return softmax(self._stage1()._logits(self.state_["stage1"], tasks, titles), axis=1)

    def _save_state(self, state, directory: Path) -> None:
        dwa = {k: v for k, v in state["dwa"].items() if k != "_dense"}  # rebuilt on use
        joblib.dump({**state, "dwa": dwa}, directory / "tfidf-dwa.joblib", compress=3)

    def _load_state(self, directory: Path):
        return joblib.load(directory / "tfidf-dwa.joblib")
