"""TitleCoder: free-text job titles → ranked O*NET-SOC 2019 occupations with probabilities.

Scoring: every index title (O*NET occupation, alternate, short and reported titles, normalised)
is compared with the normalised query two ways: TF-IDF cosine on character 2–4-grams (robust to
typos) mixed with word uni/bigrams, and MiniLM cosine (only against the occupation, short and
reported titles, which are embedded at build time). An occupation's score is the maximum over its
titles; probabilities are a softmax over all occupations at a temperature fitted on held-out
alternate titles. When the lexical match is already near-exact the encoder is skipped (a
separate temperature, fitted on lexical scores alone, keeps those probabilities calibrated).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd
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
    "temperature_lexical": 0.05,
    "gate": 0.95,
    "prior_weight": 0.0,
    "alternate_weight": 1.0,
}
MAX_TITLE_CHARS = 300


class TitleInputError(LaborlensError, ValueError):
    """Titles given to the coder are unusable; the message names the row."""


@dataclass
class Scores:
    """Per-occupation logits for a batch of queries, and which used the encoder."""

    logits: np.ndarray
    semantic: np.ndarray


class TitleCoder:
    """Code job titles; build with :meth:`from_database` (or :meth:`from_frames` in the build)."""

    def __init__(
        self,
        entries: pd.DataFrame,
        embeddings: np.ndarray,
        occupations: pd.DataFrame,
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
        order = np.argsort(entries["occ"].to_numpy(), kind="stable")
        self.entries = entries.iloc[order].reset_index(drop=True)
        sem_mask = self.entries["semantic"].to_numpy(dtype=bool)
        self._sem_rows = np.flatnonzero(sem_mask)
        # embeddings are aligned with the semantic entries in their original order
        sem_original = np.flatnonzero(entries["semantic"].to_numpy(dtype=bool))
        position = {orig: k for k, orig in enumerate(sem_original)}
        self.embeddings = (
            embeddings[[position[o] for o in order[sem_mask]]]
            if len(embeddings)
            else np.zeros((0, 384), np.float32)
        )
        texts = self.entries["normalized"].tolist()
        self._char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32
        )
        self._word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32
        )
        self._char_matrix = self._char.fit_transform(texts).T.tocsr()
        self._word_matrix = self._word.fit_transform(texts).T.tocsr()
        # O*NET lists one alternate title under many occupations; an occupation's own title or a
        # title its incumbents reported is stronger evidence (weight fitted on held-out titles).
        self._entry_weight = np.where(
            self.entries["source"].to_numpy() == "alternate", self.params["alternate_weight"], 1.0
        ).astype(np.float32)
        occ = self.entries["occ"].to_numpy()
        self._starts = np.flatnonzero(np.r_[True, occ[1:] != occ[:-1]])
        self._occ_of_start = occ[self._starts]
        sem_occ = occ[self._sem_rows]
        self._sem_starts = np.flatnonzero(np.r_[True, sem_occ[1:] != sem_occ[:-1]])
        self._sem_occ_of_start = sem_occ[self._sem_starts]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_database(cls, con) -> TitleCoder:
        """Load the index tables written by the build (no mirror access needed)."""
        from laborlens.db.connection import query

        entries = query(con, "SELECT * FROM title_index ORDER BY entry_id")
        table = con.sql("SELECT embedding FROM title_embeddings ORDER BY entry_id").to_arrow_table()
        flat = table.column("embedding").combine_chunks().flatten().to_numpy()
        embeddings = flat.astype(np.float32).reshape(table.num_rows, -1)
        occupations = query(
            con,
            "SELECT o.onet_soc_code, o.title AS occupation_title, "
            "coalesce(o.soc_2018_code, substr(o.onet_soc_code, 1, 7)) AS soc_2018_code, "
            "p.log_prior FROM occupations o LEFT JOIN title_occupation_prior p "
            "USING (onet_soc_code)",
        )
        params = dict(query(con, "SELECT key, value FROM title_coder_params").values.tolist())
        return cls(entries, embeddings, occupations, params)

    # -- scoring ------------------------------------------------------------------------------
    def _per_occupation(self, sims: np.ndarray, starts, occ_of_start) -> np.ndarray:
        out = np.zeros((sims.shape[0], len(self.occupations)), dtype=np.float32)
        if sims.shape[1]:
            out[:, occ_of_start] = np.maximum.reduceat(sims, starts, axis=1)
        return out

    def lexical(self, norms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per-occupation char and word TF-IDF cosine maxima, shape (n, occupations) each."""
        c = (self._char.transform(norms) @ self._char_matrix).toarray() * self._entry_weight
        w = (self._word.transform(norms) @ self._word_matrix).toarray() * self._entry_weight
        return (
            self._per_occupation(c, self._starts, self._occ_of_start),
            self._per_occupation(w, self._starts, self._occ_of_start),
        )

    def semantic(self, norms: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Per-occupation MiniLM cosine maxima against the embedded titles."""
        if vectors is None:
            from laborlens.models.encoder import embed

            vectors = embed(norms, batch_size=256, max_length=64)
        sims = vectors @ self.embeddings.T
        return self._per_occupation(sims, self._sem_starts, self._sem_occ_of_start)

    def scores(
        self, norms: list[str], *, semantic: str = "auto", vectors: np.ndarray | None = None
    ) -> Scores:
        """Logits (score / temperature) per occupation; ``semantic``: auto, always or never."""
        p = self.params
        char, word = self.lexical(norms)
        lex = p["char_weight"] * char + (1 - p["char_weight"]) * word
        if semantic == "never":
            use = np.zeros(len(norms), bool)
        elif semantic == "always":
            use = np.ones(len(norms), bool)
        else:
            use = lex.max(axis=1) < p["gate"]
        logits = lex / p["temperature_lexical"]
        if use.any():
            idx = np.flatnonzero(use)
            sem = self.semantic([norms[i] for i in idx], None if vectors is None else vectors[idx])
            logits[idx] = (lex[idx] + p["semantic_weight"] * sem) / p["temperature"]
        # Bayes prior: among equally good matches, the occupation employing more people.
        return Scores(logits + p["prior_weight"] * self.log_prior, use)

    def proba(self, titles: list[str], *, semantic: str = "auto") -> np.ndarray:
        """Calibrated probabilities over occupations (rows: titles; all-zero if no content)."""
        norms = [normalize_title(t) for t in titles]
        out = np.zeros((len(norms), len(self.occupations)), dtype=np.float64)
        todo = [i for i, n in enumerate(norms) if n and n not in self._cache]
        if todo:
            unique = list(dict.fromkeys(norms[i] for i in todo))
            for start in range(0, len(unique), 512):
                chunk = unique[start : start + 512]
                probs = softmax(self.scores(chunk, semantic=semantic).logits, axis=1)
                for n, row in zip(chunk, probs, strict=True):
                    self._remember(n, row)
        for i, n in enumerate(norms):
            if n:
                out[i] = self._cache[n]
        return out

    def _remember(self, norm: str, row: np.ndarray) -> None:
        self._cache[norm] = row
        if len(self._cache) > 20000:
            self._cache.popitem(last=False)

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
        best = np.argsort(-probs, axis=1)[:, :k]
        occ = self.occupations
        rows = []
        for i, title in enumerate(titles):
            p = probs[i, best[i]]
            if p[0] <= 0 or p[0] < min_probability:
                rows.append((title, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA))
                continue
            for r, (j, pj) in enumerate(zip(best[i], p, strict=True), start=1):
                rows.append(
                    (
                        title,
                        r,
                        occ.at[j, "onet_soc_code"],
                        occ.at[j, "soc_2018_code"],
                        occ.at[j, "occupation_title"],
                        float(pj),
                    )
                )
        frame = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
        frame["rank"] = frame["rank"].astype("Int64")
        frame["probability"] = frame["probability"].astype("Float64")
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
