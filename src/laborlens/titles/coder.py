"""TitleCoder: free-text job titles → ranked O*NET-SOC 2019 occupations with probabilities.

Scoring: the normalised query is compared with every index title (O*NET occupation, alternate,
short and reported titles, normalised) two ways.

* Lexical: TF-IDF cosine on character 2–4-grams (robust to typos) and on word uni/bigrams.
* Semantic: a static embedding distilled from MiniLM (the Model2Vec idea). At build time every
  distinct token of the index titles is embedded once with MiniLM; a title (index side and query
  side alike) is the IDF-weighted mean of its token vectors, L2-normalised. Query tokens unknown
  to the index contribute nothing here (their character n-grams still match lexically). The
  semantic score is one small dense matrix product, so no transformer runs per query.
  It is computed against the occupation, short and reported titles.

An occupation's score is the maximum over its titles (alternate titles down-weighted by
``alternate_weight``: O*NET lists one alternate title under many occupations), plus a log
employment prior; probabilities are a softmax at a temperature. Weights, prior strength and
temperature are fitted on held-out titles at build time (:mod:`laborlens.titles.index`).
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer

from laborlens.exceptions import LaborlensError
from laborlens.titles.normalize import normalize_title

OUTPUT_COLUMNS = [
    "title",
    "rank",
    "onet_soc_code",
    "soc_2018_code",
    "occupation_title",
    "probability",
]
DEFAULT_PARAMS = {
    "char_weight": 0.6,
    "semantic_weight": 0.5,
    "temperature": 0.05,
    "prior_weight": 0.0,
    "alternate_weight": 1.0,
}
MAX_TITLE_CHARS = 300
CACHE_SIZE = 20000
CHAR_NGRAMS = (2, 4)
# Character n-grams in more than 2 % of the index titles ("an", "er ") carry almost no
# evidence but dominate the cost of the sparse product: they are dropped.
CHAR_MAX_DF = 0.02


class TitleInputError(LaborlensError, ValueError):
    """Titles given to the coder are unusable; the message names the row."""


class StaticEncoder:
    """Title → IDF-weighted mean of MiniLM token vectors, L2-normalised (zero if no known token)."""

    def __init__(self, tokens: list[str], idf: np.ndarray, vectors: np.ndarray) -> None:
        self.vocab = {t: i for i, t in enumerate(tokens)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def weights(self, norms: list[str]) -> sp.csr_matrix:
        """Rows: titles; columns: tokens; values: IDF of each known token occurrence."""
        indptr, indices = [0], []
        for n in norms:
            indices.extend(j for j in map(self.vocab.get, n.split()) if j is not None)
            indptr.append(len(indices))
        idx = np.asarray(indices, dtype=np.int32)
        return sp.csr_matrix(
            (self.idf[idx], idx, np.asarray(indptr, dtype=np.int32)),
            shape=(len(norms), len(self.vocab)),
        )

    def encode(self, norms: list[str]) -> np.ndarray:
        x = np.asarray(self.weights(norms) @ self.vectors, dtype=np.float32)
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.maximum(norm, 1e-9)


class _Tfidf:
    """A fitted TfidfVectorizer's transform without sklearn's per-call overhead (same values:
    sublinear tf, idf, L2 norm), so that one title costs microseconds."""

    def __init__(self, vectorizer: TfidfVectorizer, scale: float = 1.0, offset: int = 0) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.vocab = vectorizer.vocabulary_
        self.idf = vectorizer.idf_.astype(np.float32)
        self.scale, self.offset = scale, offset

    def row(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices + offset, values × scale) of one title."""
        counts = Counter(self.analyze(norm))
        idx = np.fromiter((self.vocab[g] for g in counts if g in self.vocab), dtype=np.int32)
        if not len(idx):
            return idx, np.zeros(0, np.float32)
        tf = np.fromiter(
            (1.0 + math.log(c) for g, c in counts.items() if g in self.vocab), dtype=np.float32
        )
        v = tf * self.idf[idx]
        v *= self.scale / np.linalg.norm(v)
        return idx + self.offset, v


def _queries(norms: list[str], parts: list[_Tfidf], width: int) -> sp.csr_matrix:
    """Titles → one CSR matrix whose columns are the features of ``parts`` side by side."""
    rows = [[p.row(n) for p in parts] for n in norms]
    lengths = [sum(len(r[0]) for r in row) for row in rows]
    indptr = np.zeros(len(norms) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(lengths)
    flat = [r for row in rows for r in row]
    indices = np.concatenate([r[0] for r in flat]) if flat else np.zeros(0, np.int32)
    data = np.concatenate([r[1] for r in flat]) if flat else np.zeros(0, np.float32)
    m = sp.csr_matrix((data, indices, indptr), shape=(len(norms), width))
    m.sort_indices()
    return m


def _segments(occ: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts of runs of equal occupation index, and the occupation of each run."""
    if not len(occ):
        return occ, occ
    starts = np.flatnonzero(np.r_[True, occ[1:] != occ[:-1]])
    return starts, occ[starts]


class TitleCoder:
    """Code job titles; build with :meth:`from_database` (or directly, as the build does)."""

    def __init__(
        self,
        entries: pd.DataFrame,
        occupations: pd.DataFrame,
        encoder: StaticEncoder,
        params: dict[str, float] | None = None,
    ) -> None:
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        self.occupations = occupations.sort_values("onet_soc_code").reset_index(drop=True)
        if "log_prior" not in self.occupations.columns:
            self.occupations["log_prior"] = -np.log(len(self.occupations))
        self.log_prior = self.occupations["log_prior"].to_numpy(dtype=np.float32)
        occ_index = {c: i for i, c in enumerate(self.occupations["onet_soc_code"])}
        entries = entries[entries["onet_soc_code"].isin(occ_index)].copy()
        entries["occ"] = entries["onet_soc_code"].map(occ_index)
        self.entries = entries.sort_values("occ", kind="stable").reset_index(drop=True)
        self.encoder = encoder
        texts = self.entries["normalized"].tolist()
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_NGRAMS,
            max_df=CHAR_MAX_DF,
            sublinear_tf=True,
            dtype=np.float32,
        )
        word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32
        )
        # Transposed TF-IDF of every index title (features × titles).
        self._C = char.fit_transform(texts).T.tocsr()
        self._W = word.fit_transform(texts).T.tocsr()
        n_char = len(char.vocabulary_)
        self._char, self._word = _Tfidf(char), _Tfidf(word)
        self._width = n_char + len(word.vocabulary_)
        is_alt = (self.entries["source"] == "alternate").to_numpy()
        occ = self.entries["occ"].to_numpy()
        self._main_idx, self._alt_idx = np.flatnonzero(~is_alt), np.flatnonzero(is_alt)
        self._all_seg = _segments(occ)
        self._main_seg = _segments(occ[self._main_idx])
        self._alt_seg = _segments(occ[self._alt_idx])
        # Serving path: one matrix with the char/word mix and the alternate weight baked in, so
        # a query costs one sparse product (lexical equals the fit's max(main, alt × alternate)).
        a, alt = self.params["char_weight"], self.params["alternate_weight"]
        weight = sp.diags(np.where(is_alt, alt, 1.0).astype(np.float32))
        self._fused = (sp.vstack([a * self._C, (1 - a) * self._W]) @ weight).tocsr()
        self._fused.sort_indices()
        self._q_parts = [_Tfidf(char), _Tfidf(word, 1.0, n_char)]
        # Semantic vectors of the occupation, short and reported titles (transposed for a GEMM).
        main_texts = [texts[i] for i in self._main_idx]
        self._sem = np.ascontiguousarray(encoder.encode(main_texts).T)
        self._occ_columns = tuple(
            self.occupations[c].to_numpy(object)
            for c in ("onet_soc_code", "soc_2018_code", "occupation_title")
        )
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_database(cls, con) -> TitleCoder:
        """Load the index tables written by the build (no mirror access, no encoder needed)."""
        from laborlens.db.connection import query

        entries = query(con, "SELECT * FROM title_index ORDER BY entry_id")
        table = con.sql(
            "SELECT token, idf, vector FROM title_token_vectors ORDER BY token"
        ).to_arrow_table()
        flat = table.column("vector").combine_chunks().flatten().to_numpy()
        vectors = flat.astype(np.float32).reshape(table.num_rows, -1)
        encoder = StaticEncoder(
            table.column("token").to_pylist(), table.column("idf").to_numpy(), vectors
        )
        occupations = query(
            con,
            "SELECT o.onet_soc_code, o.title AS occupation_title, "
            "coalesce(o.soc_2018_code, substr(o.onet_soc_code, 1, 7)) AS soc_2018_code, "
            "p.log_prior FROM occupations o LEFT JOIN title_occupation_prior p "
            "USING (onet_soc_code)",
        )
        params = dict(query(con, "SELECT key, value FROM title_coder_params").values.tolist())
        return cls(entries, occupations, encoder, {k: params[k] for k in DEFAULT_PARAMS})

    # -- scoring ------------------------------------------------------------------------------
    def _per_occupation(self, dense: np.ndarray, seg) -> np.ndarray:
        out = np.zeros((dense.shape[0], len(self.occupations)), dtype=np.float32)
        if dense.shape[1]:
            out[:, seg[1]] = np.maximum.reduceat(dense, seg[0], axis=1)
        return out

    def lexical_parts(self, norms: list[str], char_weight: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-occupation maxima of the title-level lexical score ``char_weight`` × char cosine
        + (1 − char_weight) × word cosine, over the main titles and over the alternate titles."""
        qc = _queries(norms, [self._char], len(self._char.idf))
        qw = _queries(norms, [self._word], len(self._word.idf))
        mixed = char_weight * (qc @ self._C).toarray()
        mixed += (1 - char_weight) * (qw @ self._W).toarray()
        return (
            self._per_occupation(mixed[:, self._main_idx], self._main_seg),
            self._per_occupation(mixed[:, self._alt_idx], self._alt_seg),
        )

    def lexical(self, norms: list[str]) -> np.ndarray:
        """Per-occupation lexical score at the coder's parameters (one sparse product)."""
        q = _queries(norms, self._q_parts, self._width)
        return self._per_occupation((q @ self._fused).toarray(), self._all_seg)

    def semantic(self, norms: list[str]) -> np.ndarray:
        """Per-occupation maxima of the static-embedding cosine (n, occupations)."""
        return self._per_occupation(self.encoder.encode(norms) @ self._sem, self._main_seg)

    @staticmethod
    def combine(lex, sem, prior, params) -> np.ndarray:
        """Logits from the lexical and semantic scores (also used to fit the parameters)."""
        score = lex + params["semantic_weight"] * sem
        # Bayes prior: among equally good matches, the occupation employing more people.
        return score / params["temperature"] + params["prior_weight"] * prior

    def logits(self, norms: list[str]) -> np.ndarray:
        """Logits per occupation for normalised titles."""
        return self.combine(
            self.lexical(norms), self.semantic(norms), self.log_prior[None, :], self.params
        )

    def proba(self, titles: list[str]) -> np.ndarray:
        """Calibrated probabilities over occupations (rows: titles; all-zero if no content)."""
        norms = [normalize_title(t) for t in titles]
        out = np.zeros((len(norms), len(self.occupations)), dtype=np.float64)
        todo = list(dict.fromkeys(n for n in norms if n and n not in self._cache))
        fresh = {}
        for start in range(0, len(todo), 256):
            chunk = todo[start : start + 256]
            probs = softmax(self.logits(chunk).astype(np.float64), axis=1)
            fresh.update(zip(chunk, probs, strict=True))
        for i, n in enumerate(norms):
            if n:
                row = fresh.get(n)
                if row is None:
                    row = self._cache[n]
                    self._cache.move_to_end(n)
                out[i] = row
        for n, row in fresh.items():
            self._cache[n] = row
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return out

    # -- public API ---------------------------------------------------------------------------
    def code(self, titles, top: int = 5, min_probability: float = 0.0) -> pd.DataFrame:
        """One row per title and rank (OUTPUT_COLUMNS). A title whose best probability is below
        ``min_probability``, or that has no occupational word, gets one row with no code."""
        titles = _validate(titles)
        if top < 1:
            msg = f"top must be at least 1; got {top}"
            raise TitleInputError(msg)
        if not 0.0 <= min_probability <= 1.0:
            msg = f"min_probability must be between 0 and 1; got {min_probability}"
            raise TitleInputError(msg)
        probs = self.proba(titles)
        k = min(top, probs.shape[1])
        best = np.argpartition(-probs, k - 1, axis=1)[:, :k] if k < probs.shape[1] else None
        if best is None:
            best = np.argsort(-probs, axis=1, kind="stable")
        p = np.take_along_axis(probs, best, axis=1)
        order = np.argsort(-p, axis=1, kind="stable")
        best, p = np.take_along_axis(best, order, axis=1), np.take_along_axis(p, order, axis=1)
        keep = (p[:, 0] > 0) & (p[:, 0] >= min_probability)
        # Row layout: k rows per coded title, one row with no code per abstention.
        counts = np.where(keep, k, 1)
        title_of = np.repeat(np.arange(len(titles)), counts)
        first = np.r_[0, np.cumsum(counts)[:-1]]
        rank = np.arange(len(title_of)) - np.repeat(first, counts) + 1
        missing = ~keep[title_of]
        j = best[title_of, rank - 1]
        codes, soc, names = (np.where(missing, None, col[j]) for col in self._occ_columns)
        frame = pd.DataFrame(
            {
                "title": np.asarray(titles, dtype=object)[title_of],
                "rank": pd.arrays.IntegerArray(rank.astype(np.int64), missing),
                "onet_soc_code": codes,
                "soc_2018_code": soc,
                "occupation_title": names,
                "probability": pd.arrays.FloatingArray(p[title_of, rank - 1], missing),
            },
            copy=False,
        )
        return frame

    def code_one(self, title: str, top: int = 5, min_probability: float = 0.0) -> pd.DataFrame:
        """:meth:`code` for a single title."""
        return self.code([title], top=top, min_probability=min_probability)


def _validate(titles) -> list[str]:
    if isinstance(titles, str):
        titles = [titles]
    out = []
    for i, t in enumerate(titles):
        if t is None or (isinstance(t, float) and np.isnan(t)):
            t = ""
        if not isinstance(t, str):
            msg = f"row {i}: a job title must be text; got {type(t).__name__}"
            raise TitleInputError(msg)
        if len(t) > MAX_TITLE_CHARS:
            msg = (
                f"row {i}: the title has {len(t)} characters; at most {MAX_TITLE_CHARS} are "
                "accepted (is this a job description? use `laborlens posting analyze`)"
            )
            raise TitleInputError(msg)
        out.append(t)
    return out
