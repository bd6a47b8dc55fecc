"""TitleCoder: free-text job titles → ranked O*NET-SOC 2019 occupations with probabilities.

Scoring: the normalised query is compared with every index title (O*NET occupation, alternate,
short and reported titles, normalised) two ways.

* Lexical: TF-IDF cosine on character 2–4-grams (robust to typos) and on word uni/bigrams.
* Semantic: a static embedding distilled from MiniLM (the Model2Vec idea). At build time every
  distinct token of the index titles is embedded once with MiniLM; a title (index side and query
  side alike) is the IDF-weighted mean of its token vectors, L2-normalised. Query tokens unknown
  to the index contribute nothing here (their character n-grams still match lexically). No
  transformer runs per query. It is computed against the occupation, short and reported titles.

Serving cost: one title is scored without any matrix product over all index titles. Lexically,
only the index rows of the query's few n-grams are read (the transposed TF-IDF index). Semantically,
an index title's vector is a weighted sum of its (~3) token vectors, so its cosine with the query
is the same weighted sum of the query's cosines with those tokens; those come from a precomputed
token × token Gram matrix (one row per query token), never from a 384-dimension product per title.
Both are exact reformulations (equal to float rounding), and batches use the same per-title path,
so a title gets the same probabilities alone or in a batch.

An occupation's score is the maximum over its titles (alternate titles down-weighted by
``alternate_weight``: O*NET lists one alternate title under many occupations), plus a log
employment prior; probabilities are a softmax at a temperature. Weights, prior strength and
temperature are fitted on held-out titles at build time (:mod:`laborlens.titles.index`).
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from laborlens.exceptions import TitleInputError
from laborlens.titles.normalize import normalize_title

OUTPUT_COLUMNS = [
    "title",
    "rank",
    "onet_soc_code",
    "soc_2018_code",
    "occupation_title",
    "probability",
]
_COLUMNS = pd.Index(OUTPUT_COLUMNS)
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
# pandas' default string dtype ("str": Arrow storage, NaN for missing)
STR = pd.StringDtype("pyarrow", na_value=np.nan)
# Character n-grams in more than 2 % of the index titles ("an", "er ") carry almost no
# evidence but dominate the cost of the sparse product: they are dropped.
CHAR_MAX_DF = 0.02


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

    def __init__(self, vectorizer: TfidfVectorizer, words: Iterable[str] = ()) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.vocab = vectorizer.vocabulary_
        self.idf = vectorizer.idf_.astype(np.float32)
        # char_wb n-grams never cross a space, so a title's are its words' n-grams together:
        # those of the index's words are looked up once here (other words are analysed per call).
        self.per_word = vectorizer.analyzer == "char_wb"
        self.word_features = {w: self._features(w) for w in words} if self.per_word else {}

    def _features(self, text: str) -> tuple[int, ...]:
        return tuple(j for j in map(self.vocab.get, self.analyze(text)) if j is not None)

    def row(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, values) of one title."""
        if self.per_word:
            counts = Counter()
            for w in norm.split():
                f = self.word_features.get(w)
                counts.update(self._features(w) if f is None else f)
        else:
            counts = Counter(self._features(norm))
        if not counts:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        c = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        v = (1.0 + np.log(c)).astype(np.float32) * self.idf[idx]
        v /= np.linalg.norm(v)
        return idx, v


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


class _SemanticIndex:
    """Cosines of one query with every semantic index title, through the titles' tokens.

    Index title i is ``s_i = Σ_k u_ik v_k`` (u: IDF weight of token k over the norm of the sum),
    so ``q · s_i = Σ_k u_ik (q · v_k)``; and ``q · v_k = Σ_j w_j (v_j · v_k) / |x|`` for the
    query ``x = Σ_j w_j v_j``. The token Gram matrix ``v_j · v_k`` over the tokens of these
    titles (~4k of them) is precomputed, so a query reads one Gram row per token and one sparse
    title × token product (~3 tokens per title) instead of a 384-dimension product per title.
    A query with a token outside those titles takes one product with their token vectors."""

    def __init__(self, encoder: StaticEncoder, norms: list[str]) -> None:
        self.encoder = encoder
        w = encoder.weights(norms)
        w.sum_duplicates()
        tokens = np.unique(w.indices)
        self.pos = np.full(len(encoder.vocab), -1, dtype=np.int64)
        self.pos[tokens] = np.arange(len(tokens))
        w = sp.csr_matrix((w.data, self.pos[w.indices], w.indptr), shape=(w.shape[0], len(tokens)))
        self.vectors = np.ascontiguousarray(encoder.vectors[tokens])
        # the same title norms as StaticEncoder.encode (float32 sum of IDF-weighted vectors)
        norm = np.linalg.norm(np.asarray(w @ self.vectors, dtype=np.float32), axis=1)
        scale = sp.diags((1.0 / np.maximum(norm, 1e-9)).astype(np.float32))
        # titles × tokens, column-major: the product scatters each token's cosine to its titles
        self.titles = (scale @ w).tocsc().astype(np.float32)
        self.gram = self.vectors @ self.vectors.T

    def cosines(self, norm: str) -> np.ndarray | None:
        """Cosine of the normalised title with each index title (None: no known token)."""
        enc = self.encoder
        ids = [j for j in map(enc.vocab.get, norm.split()) if j is not None]
        if not ids:
            return None
        ids = np.asarray(ids, dtype=np.int64)
        w = enc.idf[ids]
        pos = self.pos[ids]
        if (pos >= 0).all():
            # t_k = x · v_k; and |x|² = Σ_i w_i (x · v_i), read off t itself
            t = np.einsum("i,ij->j", w, self.gram[pos])
            length = math.sqrt(max(float(w @ t[pos]), 0.0))
        else:
            x = w @ enc.vectors[ids]
            length = float(np.linalg.norm(x))
            t = self.vectors @ x
        if length <= 1e-9:
            return None
        t /= np.float32(length)
        return self.titles @ t


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
        words = {w for t in texts for w in t.split()}
        self._char, self._word = _Tfidf(char, words=words), _Tfidf(word)
        is_alt = (self.entries["source"] == "alternate").to_numpy()
        occ = self.entries["occ"].to_numpy()
        self._main_idx, self._alt_idx = np.flatnonzero(~is_alt), np.flatnonzero(is_alt)
        self._all_seg = _segments(occ)
        self._main_seg = _segments(occ[self._main_idx])
        self._alt_seg = _segments(occ[self._alt_idx])
        # Serving path: one features × titles matrix with the char/word mix and the alternate
        # weight baked in (lexical equals the fit's max(main, alt × alternate)); a query reads
        # only the rows of its own n-grams.
        a, alt = self.params["char_weight"], self.params["alternate_weight"]
        weight = sp.diags(np.where(is_alt, alt, 1.0).astype(np.float32))
        fused = (sp.vstack([a * self._C, (1 - a) * self._W]) @ weight).tocsr()
        fused.sort_indices()
        self._fused = (fused.indptr.astype(np.int64), fused.indices, fused.data)
        self._n_titles = fused.shape[1]
        self._idf = np.concatenate([self._char.idf, self._word.idf])
        # Semantic index over the occupation, short and reported titles.
        self._semantic = _SemanticIndex(encoder, [texts[i] for i in self._main_idx])
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
        + (1 − char_weight) × word cosine, over the main titles and over the alternate titles
        (batched sparse products: the parameter fit's path)."""
        qc = _queries(norms, [self._char], len(self._char.idf))
        qw = _queries(norms, [self._word], len(self._word.idf))
        mixed = char_weight * (qc @ self._C).toarray()
        mixed += (1 - char_weight) * (qw @ self._W).toarray()
        return (
            self._per_occupation(mixed[:, self._main_idx], self._main_seg),
            self._per_occupation(mixed[:, self._alt_idx], self._alt_seg),
        )

    def _query_features(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """Columns of the serving index (char n-grams, then word n-grams) and TF-IDF values of
        one title: :meth:`_Tfidf.row` of both parts in one pass (one title is a few dozen
        features, so per-call overhead is most of the cost)."""
        char, word = self._char, self._word
        counts: Counter[int] = Counter()
        for w in norm.split():
            f = char.word_features.get(w)
            counts.update(char._features(w) if f is None else f)
        n_char = len(counts)
        offset, get = len(char.idf), word.vocab.get
        counts.update([j + offset for j in map(get, word.analyze(norm)) if j is not None])
        n = len(counts)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=n)
        c = np.fromiter(counts.values(), dtype=np.float64, count=n)
        v = (1.0 + np.log(c)).astype(np.float32) * self._idf[idx]
        for part in (v[:n_char], v[n_char:]):  # each part L2-normalised (views of v)
            if len(part):
                part /= np.linalg.norm(part)
        return idx, v

    def _lexical_row(self, norm: str) -> np.ndarray:
        """Per-occupation lexical score of one title at the coder's parameters."""
        features, weights = self._query_features(norm)
        if not len(features):
            return np.zeros(len(self.occupations), dtype=np.float32)
        indptr, indices, data = self._fused
        starts, ends = indptr[features].tolist(), indptr[features + 1].tolist()
        titles = np.concatenate([indices[a:b] for a, b in zip(starts, ends, strict=True)])
        values = np.concatenate([data[a:b] for a, b in zip(starts, ends, strict=True)])
        values *= np.repeat(weights, np.subtract(ends, starts))
        return self._occupation_max(
            np.bincount(titles, values, minlength=self._n_titles), self._all_seg
        )

    def _semantic_row(self, norm: str) -> np.ndarray:
        """Per-occupation maximum of the static-embedding cosine of one title."""
        cos = self._semantic.cosines(norm)
        if cos is None:
            return np.zeros(len(self.occupations), dtype=np.float32)
        return self._occupation_max(cos, self._main_seg)

    def _occupation_max(self, scores: np.ndarray, seg) -> np.ndarray:
        """Per-occupation maximum of title-level scores (0 for an occupation with no title)."""
        best = np.maximum.reduceat(scores, seg[0])
        if len(seg[1]) == len(self.occupations):  # every occupation has titles (the usual)
            return best.astype(np.float32, copy=False)
        out = np.zeros(len(self.occupations), dtype=np.float32)
        out[seg[1]] = best
        return out

    def lexical(self, norms: list[str]) -> np.ndarray:
        """Per-occupation lexical score at the coder's parameters (n, occupations)."""
        return _stack([self._lexical_row(n) for n in norms], len(self.occupations))

    def semantic(self, norms: list[str]) -> np.ndarray:
        """Per-occupation maxima of the static-embedding cosine (n, occupations)."""
        return _stack([self._semantic_row(n) for n in norms], len(self.occupations))

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

    def _proba_row(self, norm: str) -> np.ndarray:
        """Probabilities over occupations of one normalised title. Batches go title by title
        through this too, so a title's probabilities never depend on its batch."""
        z = self.combine(
            self._lexical_row(norm), self._semantic_row(norm), self.log_prior, self.params
        ).astype(np.float64)
        e = np.exp(z - z.max())
        return e / e.sum()

    def proba(self, titles: list[str]) -> np.ndarray:
        """Calibrated probabilities over occupations (rows: titles; all-zero if no content)."""
        out = np.zeros((len(titles), len(self.occupations)), dtype=np.float64)
        for i, title in enumerate(titles):
            norm = normalize_title(title)
            if not norm:
                continue
            row = self._cache.get(norm)
            if row is None:
                row = self._proba_row(norm)
                self._cache[norm] = row
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(norm)
            out[i] = row
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
        n, n_occ = probs.shape
        k = min(top, n_occ)
        if k < n_occ:
            best = np.argpartition(-probs, k - 1, axis=1)[:, :k]
        else:
            best = np.argsort(-probs, axis=1, kind="stable")
        rows = np.arange(n)[:, None]
        best = best[rows, np.argsort(-probs[rows, best], axis=1, kind="stable")]
        p = probs[rows, best]
        keep = (p[:, 0] > 0) & (p[:, 0] >= min_probability)
        # Row layout: k rows per coded title, one row with no code per abstention.
        if keep.all():
            title_of, rank = np.repeat(rows[:, 0], k), np.tile(np.arange(1, k + 1), n)
            missing = np.zeros(n * k, dtype=bool)
            j, prob = best.ravel(), p.ravel()
            text = [col[j] for col in self._occ_columns]
        else:
            counts = np.where(keep, k, 1)
            title_of = np.repeat(rows[:, 0], counts)
            rank = np.arange(len(title_of)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
            missing = ~keep[title_of]
            j, prob = best[title_of, rank - 1], p[title_of, rank - 1]
            text = [np.where(missing, None, col[j]) for col in self._occ_columns]
        text.insert(0, np.asarray(titles, dtype=object)[title_of])
        title, codes, soc, names = (
            pd.arrays.ArrowStringArray(pa.array(t, type=pa.large_string()), dtype=STR) for t in text
        )
        arrays = [
            title,
            pd.arrays.IntegerArray(rank.astype(np.int64), missing),
            codes,
            soc,
            names,
            pd.arrays.FloatingArray(prob, missing),
        ]
        # The columns are built as the dtypes pandas would infer ("str", Int64, Float64), so the
        # public constructor takes them as they are (copy=False) without re-inferring.
        return pd.DataFrame(
            dict(zip(_COLUMNS, arrays, strict=True)), index=pd.RangeIndex(len(rank)), copy=False
        )

    def code_one(self, title: str, top: int = 5, min_probability: float = 0.0) -> pd.DataFrame:
        """:meth:`code` for a single title."""
        return self.code([title], top=top, min_probability=min_probability)


def _stack(rows: list[np.ndarray], width: int) -> np.ndarray:
    return np.stack(rows) if rows else np.zeros((0, width), dtype=np.float32)


def _validate(titles) -> list[str]:
    if isinstance(titles, str):
        titles = [titles]
    out = []
    for i, t in enumerate(titles):
        if t is None or (isinstance(t, float) and np.isnan(t)):
            t = ""
        if not isinstance(t, str):
            msg = f"title {i + 1}: a job title must be text; got {type(t).__name__}"
            raise TitleInputError(msg)
        if len(t) > MAX_TITLE_CHARS:
            msg = (
                f"title {i + 1}: it has {len(t)} characters; at most {MAX_TITLE_CHARS} are "
                "accepted (is this a job description? use `laborlens posting analyze`)"
            )
            raise TitleInputError(msg)
        out.append(t)
    return out
