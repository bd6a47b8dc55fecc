"""The default: TF-IDF word and character n-grams of task and title, plus the task's static
sentence vector distilled from the encoder (:mod:`laborlens.models.static`) → logistic
regression."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from laborlens.models.base import ExposureModel, prepare_inputs

STATIC_FILE = "static.npy"


class TfidfLinear(ExposureModel):
    """Word 1–2-grams and character 3–5-grams of the task, word n-grams of the title (scaled by
    ``title_weight``) and the task's distilled static vector (scaled by ``static_weight``; 0
    leaves it out), multinomial logistic regression with inverse regularisation ``C``.

    The static vectors are distilled on the texts given to ``fit`` (``distill_epochs``; 0 keeps
    the encoder's raw piece table); labels are never used for them.

    ``untitled_copies`` also trains on every task once more without its title (same label), so
    the task's own words must carry the rating when a user gives no title."""

    arch = "tfidf"

    def __init__(
        self,
        target: str = "exposure",
        random_state: int = 0,
        C: float = 2.0,
        title_weight: float = 0.5,
        max_char_features: int = 100_000,
        untitled_copies: bool = False,
        static_weight: float = 1.0,
        distill_epochs: int = 8,
    ) -> None:
        super().__init__(target=target, random_state=random_state)
        self.C = C
        self.title_weight = title_weight
        self.max_char_features = max_char_features
        self.untitled_copies = untitled_copies
        self.static_weight = static_weight
        self.distill_epochs = distill_epochs

    #: Where the distilled tables are cached (the build sets its cache folder; None: the user
    #: cache folder, which also holds the encoder's piece table).
    cache_dir: str | Path | None = None

    def fit(self, X, y, groups=None):
        self._table = None
        if self.static_weight:
            from laborlens.config import default_cache_dir
            from laborlens.models import static

            tasks, _ = prepare_inputs(X)  # bad input is refused before any encoder work
            cache = self.cache_dir or default_cache_dir()
            # The piece table depends on the encoder alone: one per user, whatever the build.
            table = static.piece_table(default_cache_dir())
            if self.distill_epochs:
                table = static.distill(
                    table,
                    tasks,
                    epochs=self.distill_epochs,
                    random_state=self.random_state,
                    cache_dir=cache,
                )
            self._table = np.asarray(table, dtype=np.float16)  # distilled tables already are
        try:
            return super().fit(X, y, groups)
        finally:
            del self._table

    @staticmethod
    def _table32(state) -> np.ndarray | None:
        """The static table in float32 (it is kept and saved in float16)."""
        if state.get("static") is None:
            return None
        if "static32" not in state:
            state["static32"] = np.asarray(state["static"], dtype=np.float32)
        return state["static32"]

    def static_features(self, state, tasks: list[str]):
        """The weighted static-vector block of the features (CSR), or None without one."""
        from laborlens.models import static

        table = self._table32(state)
        if table is None:
            return None
        return csr_matrix(self.static_weight * static.encode(table, tasks))

    def _features(self, state, tasks, titles, fit: bool = False):
        words, chars, title = state["vectorizers"]
        op = "fit_transform" if fit else "transform"
        blocks = [
            getattr(words, op)(tasks),
            getattr(chars, op)(tasks),
            self.title_weight * getattr(title, op)(titles),
        ]
        dense = self.static_features(state, tasks)
        if dense is not None:
            blocks.append(dense)
        return hstack(blocks).tocsr()

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
            ),
            "static": getattr(self, "_table", None),
        }
        titles = [t or "_" for t in titles]
        X = self._features(state, tasks, titles, fit=True)
        if self.untitled_copies:
            from scipy.sparse import vstack

            X = vstack([X, self._features(state, tasks, ["_"] * len(tasks))]).tocsr()
            y = np.concatenate([y, y])
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

    def _neighbour_features(self, state, tasks, titles):
        """The word n-gram block of the task and the (weighted) title block: the model's own
        features without the character n-grams, which would make the stored index ~10× larger."""
        words, _, title = state["vectorizers"]
        titles = [t or "_" for t in titles]
        return hstack(
            [words.transform(tasks), self.title_weight * title.transform(titles)]
        ).tocsr()

    def row_features(self, tasks: list[str], titles: list[str]):
        """The model's feature rows (CSR) for many statements in one pass."""
        self._check_fitted()
        return self._features(self.state_, tasks, [t or "_" for t in titles])

    def word_contributions(self, task: str, title: str, cls: int, x=None) -> dict:
        """Exact additive decomposition of the rated class's centred, temperature-scaled logit
        ``(s_cls − mean_k s_k) / T`` over the task's whitespace-separated words, the title and
        the intercept. Word n-grams are split evenly between the words they span, character
        n-grams between the words they occur in, the static vector's part piece by piece; the
        parts sum to the logit exactly. ``x`` is the
        row's feature vector when already computed (:meth:`row_features`)."""
        self._check_fitted()
        state = self.state_
        words_v, chars_v, _ = state["vectorizers"]
        clf = state["clf"]
        coef = clf.coef_ if len(clf.classes_) > 2 else np.vstack([-clf.coef_, clf.coef_]) / 2
        intercept = (
            clf.intercept_
            if len(clf.classes_) > 2
            else np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
        )
        row = list(clf.classes_).index(cls)
        direction = (coef[row] - coef.mean(axis=0)) / self.temperature_
        bias = float(intercept[row] - intercept.mean()) / self.temperature_
        if x is None:
            x = self._features(state, [task], [title or "_"])
        n_w, n_c = len(words_v.vocabulary_), len(chars_v.vocabulary_)
        tokens = task.split()
        shares = np.zeros(len(tokens))
        cols, vals = x.indices, x.data
        contrib = dict(zip(cols.tolist(), (vals * direction[cols]).tolist(), strict=True))

        # Word n-grams: positions of each word-analyzer token, by whitespace token.
        pattern = re.compile(words_v.token_pattern)
        origin, grams = [], []
        for i, tok in enumerate(tokens):
            for w in pattern.findall(tok.lower()):
                origin.append(i)
                grams.append(w)
        occurrences: dict[str, list[tuple[int, ...]]] = {}
        for k, w in enumerate(grams):
            occurrences.setdefault(w, []).append((origin[k],))
        for k in range(len(grams) - 1):
            occurrences.setdefault(f"{grams[k]} {grams[k + 1]}", []).append(
                (origin[k], origin[k + 1])
            )
        for gram, places in occurrences.items():
            j = words_v.vocabulary_.get(gram)
            if j is None or j not in contrib:
                continue
            for owners in places:
                for i in owners:
                    shares[i] += contrib[j] / len(places) / len(owners)
        # Character n-grams: the analyzer works word by word, so each n-gram has owners.
        char_analyzer = chars_v.build_analyzer()
        per_token = [Counter(char_analyzer(tok)) for tok in tokens]
        totals = Counter()
        for counts in per_token:
            totals.update(counts)
        for gram, total in totals.items():
            j = chars_v.vocabulary_.get(gram)
            if j is None or n_w + j not in contrib:
                continue
            for i, counts in enumerate(per_token):
                if gram in counts:
                    shares[i] += contrib[n_w + j] * counts[gram] / total
        n_t = len(state["vectorizers"][2].vocabulary_)
        title_part = sum(v for j, v in contrib.items() if n_w + n_c <= j < n_w + n_c + n_t)
        # The static vector: normalise(mean of piece vectors) is linear in the pieces, so each
        # piece's part of the block is exact; a piece belongs to the word its characters are in.
        if state.get("static") is not None:
            shares += self._static_shares(state, task, direction[n_w + n_c + n_t :])
        return {
            "words": list(zip(tokens, shares.tolist(), strict=True)),
            "title": float(title_part),
            "bias": bias,
            "total": float(sum(contrib.values()) + bias),
        }

    def _static_shares(self, state, task: str, direction: np.ndarray) -> np.ndarray:
        from laborlens.models.static import piece_offsets

        spans = [m.span() for m in re.finditer(r"\S+", task)]
        shares = np.zeros(len(spans))
        ids, offsets = piece_offsets(task)
        if not ids:
            return shares
        table = self._table32(state)
        mean = table[ids].mean(axis=0)
        scale = self.static_weight / max(float(np.linalg.norm(mean)), 1e-9) / len(ids)
        part = (table[ids] @ direction) * scale
        for (start, _), value in zip(offsets, part, strict=True):
            owner = next((k for k, (a, b) in enumerate(spans) if a <= start < b), None)
            if owner is not None:
                shares[owner] += value
        return shares

    def _save_state(self, state, directory: Path) -> None:
        kept = {k: v for k, v in state.items() if k not in ("static", "static32")}
        joblib.dump(kept, directory / "tfidf.joblib", compress=3)
        if state.get("static") is not None:
            np.save(directory / STATIC_FILE, np.asarray(state["static"], dtype=np.float16))

    def _load_state(self, directory: Path):
        state = joblib.load(directory / "tfidf.joblib")
        path = directory / STATIC_FILE
        state["static"] = np.load(path) if path.is_file() else None
        return state
