"""PostingCoder: a job posting (title and body) → ranked O*NET-SOC occupations.

Retrieve, then rerank:

1. Candidates: the title coder's top occupations for the cleaned title (:mod:`.clean`), for the
   managerial reading of a leader's title ("vp of engineering" → "engineering manager"), and the
   occupations whose O*NET vocabulary the body matches best.
2. Each candidate gets features: the title coder's log probability (cleaned title and managerial
   reading), the TF-IDF cosine of the body with the occupation's task statements + detailed work
   activities + description, with its technology skills (software, tools: "azure", "sql
   server", "xactimate") and with its titles ("refuse", "compactor"), the same cosines for the
   title, the leader / supervisor reading of the title against managerial / first-line
   supervisor occupations, and the occupation's log employment prior.
3. A conditional logit over the candidates gives calibrated probabilities. Its weights are fitted
   (:mod:`.fit`) on postings synthesised from O*NET: held-out alternate and reported titles with
   job-board noise as titles, held-out task statements, technology skills and boilerplate as
   bodies, against a title index and occupation profiles that do not contain them.

Scoring is stateless given the loaded coder, so batch workers load it once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from laborlens.exceptions import ConfigError
from laborlens.posting.clean import TitleRole, clean_title, title_role

FEATURES = (
    "title_logp",
    "leader_title_logp",
    "body_tasks",
    "body_technology",
    "body_titles",
    "title_tasks",
    "title_technology",
    "leader_x_manager",
    "supervisor_x_first_line",
    "manager",
    "log_prior",
)
PARAMS_FILE = "posting_coder_params.json"
TITLE_TOP = 15  # candidates from the title coder (cleaned title; and the leader reading)
BODY_TOP = 10  # candidates from the body's vocabulary match
LOGP_FLOOR = np.log(1e-6)
_HTML_RE = re.compile(r"<\s*(html|body|div|p|ul|li|h\d|br|span|strong)\b", re.IGNORECASE)


@dataclass
class Vocabulary:
    """Per-occupation TF-IDF profiles: tasks+DWAs+description, technology skills, titles."""

    codes: np.ndarray
    vectorizer: TfidfVectorizer
    tasks: sp.csr_matrix  # occupations × terms, rows L2-normalised
    technology: sp.csr_matrix
    titles: sp.csr_matrix

    @classmethod
    def build(
        cls,
        codes: list[str],
        tasks: pd.DataFrame,
        technology: pd.DataFrame,
        titles: pd.DataFrame,
        descriptions: pd.Series | None = None,
    ) -> Vocabulary:
        """``tasks``/``technology``/``titles``: frames with ``onet_soc_code`` and ``text``."""
        codes = list(codes)

        def docs(frame: pd.DataFrame) -> list[str]:
            joined = frame.groupby("onet_soc_code")["text"].agg(" . ".join)
            return [joined.get(c, "") for c in codes]

        task_docs = docs(tasks)
        if descriptions is not None:
            task_docs = [
                f"{d} . {descriptions.get(c, '')}" for d, c in zip(task_docs, codes, strict=True)
            ]
        tech_docs, title_docs = docs(technology), docs(titles)
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
            stop_words="english",
            dtype=np.float32,
            token_pattern=r"(?u)\b[a-z0-9][a-z0-9+#]*\b",
        )
        vectorizer.fit(task_docs + tech_docs + title_docs)
        return cls(
            np.asarray(codes, dtype=object),
            vectorizer,
            *(vectorizer.transform(d).tocsr() for d in (task_docs, tech_docs, title_docs)),
        )

    @cached_property
    def stacked(self) -> sp.csr_matrix:
        """terms × (3 × occupations): the three profiles transposed side by side, in CSR, so a
        query's cosines are one sparse product that reads only its own terms' rows (a product
        with ``m.T`` would convert the whole profile matrix to CSR on every call)."""
        return sp.vstack([self.tasks, self.technology, self.titles]).T.tocsr()

    @cached_property
    def fast(self):
        """The vectorizer's ``transform`` without per-call validation (:mod:`.fast`)."""
        from laborlens.posting.fast import FastTfidf

        return FastTfidf(self.vectorizer)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return self.fast.transform(texts)

    def cosines(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(tasks, technology, titles) cosines of each text with every occupation."""
        q = self.transform(texts)
        full = (q @ self.stacked).toarray().astype(np.float32, copy=False)
        n = self.tasks.shape[0]
        return full[:, :n], full[:, n : 2 * n], full[:, 2 * n :]


def plain_text(description: str) -> str:
    """Plain text of a posting body (HTML markup removed), case kept."""
    from laborlens.posting.extract import to_text

    text = str(description or "")
    if _HTML_RE.search(text):
        text = to_text(text)[0]
    return text


def body_text(description: str) -> str:
    """Plain lower-case text of a posting body (HTML markup removed)."""
    return plain_text(description).lower()


def load_params() -> dict:
    """The fitted weights shipped with the package (:mod:`laborlens.posting.fit` writes them)."""
    path = resources.files("laborlens.posting").joinpath(PARAMS_FILE)
    return json.loads(path.read_text(encoding="utf-8"))


class PostingCoder:
    """Code postings; build with :meth:`from_database` (loads the title coder and O*NET text)."""

    def __init__(self, title_coder, vocabulary: Vocabulary, weights: dict | None = None) -> None:
        self.title_coder = title_coder
        occ = title_coder.occupations
        self.codes = occ["onet_soc_code"].to_numpy(object)
        if list(self.codes) != list(vocabulary.codes):
            msg = "the vocabulary's occupations must be the title coder's, in the same order"
            raise ValueError(msg)
        self.vocabulary = vocabulary
        self.soc = occ["soc_2018_code"].to_numpy(object)
        self.names = occ["occupation_title"].to_numpy(object)
        self.is_manager = np.array([c.startswith("11-") for c in self.codes], dtype=np.float32)
        self.is_first_line = np.array(
            [str(n).startswith("First-Line Supervisors") for n in self.names], dtype=np.float32
        )
        self.log_prior = title_coder.log_prior.astype(np.float32)
        self.set_weights(weights if weights is not None else load_params()["weights"])

    def set_weights(self, weights: dict) -> None:
        """The conditional logit's weights, by feature name (all of :data:`FEATURES`)."""
        missing = [f for f in FEATURES if f not in weights]
        if missing:
            msg = f"posting coder weights: missing {', '.join(missing)}"
            raise ConfigError(msg)
        self.weights = np.array([weights[f] for f in FEATURES], dtype=np.float64)

    # -- construction -----------------------------------------------------------------------
    @staticmethod
    def vocabulary_frames(con) -> dict[str, pd.DataFrame]:
        """The O*NET text behind the vocabulary, from the built database."""
        from laborlens.db.connection import query

        return {
            "tasks": query(
                con,
                "SELECT t.onet_soc_code, t.task_id, t.task AS text FROM onet_tasks t "
                "ORDER BY t.onet_soc_code, t.task_id",
            ),
            "dwas": query(
                con,
                "SELECT DISTINCT x.onet_soc_code, x.task_id, d.dwa_title AS text "
                "FROM onet_tasks_to_dwas x JOIN onet_dwas d USING (dwa_id) "
                "ORDER BY 1, 2, 3",
            ),
            "technology": query(
                con,
                "SELECT onet_soc_code, example || ' ' || commodity_title AS text "
                "FROM onet_technology_skills ORDER BY onet_soc_code, example",
            ),
            "titles": query(
                con,
                "SELECT entry_id, onet_soc_code, lower(title) AS text, source FROM title_index "
                "ORDER BY entry_id",
            ),
            "descriptions": query(
                con, "SELECT onet_soc_code, description FROM occupations ORDER BY 1"
            ),
        }

    @classmethod
    def from_database(cls, con, title_coder=None, weights: dict | None = None) -> PostingCoder:
        from laborlens.titles.coder import TitleCoder

        title_coder = title_coder or TitleCoder.from_database(con)
        f = cls.vocabulary_frames(con)
        vocabulary = Vocabulary.build(
            title_coder.occupations["onet_soc_code"].tolist(),
            pd.concat([f[k][["onet_soc_code", "text"]] for k in ("tasks", "dwas")]),
            f["technology"],
            f["titles"][["onet_soc_code", "text"]],
            f["descriptions"].set_index("onet_soc_code")["description"],
        )
        return cls(title_coder, vocabulary, weights)

    # -- features -----------------------------------------------------------------------------
    def features(
        self, titles: list[str], bodies: list[str]
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per posting: candidate occupation indices and their feature matrix (FEATURES)."""
        cleaned = [clean_title(t) for t in titles]
        roles = [title_role(c) for c in cleaned]
        leader_queries = [_leader_query(c, r) for c, r in zip(cleaned, roles, strict=True)]
        p_title = self.title_coder.proba(cleaned)
        p_leader = p_title
        leaders = [i for i, q in enumerate(leader_queries) if q]
        if leaders:  # only leaders' titles have a second (managerial) reading
            p_leader = p_title.copy()
            p_leader[leaders] = self.title_coder.proba([leader_queries[i] for i in leaders])
        texts = [body_text(b) for b in bodies]
        cos = self.vocabulary.cosines(texts + cleaned)
        n = len(texts)
        b_task, b_tech, b_title = (c[:n] for c in cos)
        t_task, t_tech = cos[0][n:], cos[1][n:]
        cands, feats = [], []
        for i in range(len(titles)):
            idx = _top(p_title[i], TITLE_TOP)
            if leader_queries[i]:
                idx = np.union1d(idx, _top(p_leader[i], TITLE_TOP))
            idx = np.union1d(idx, _top(b_task[i] + b_tech[i], BODY_TOP))
            idx = np.union1d(idx, _top(b_title[i], BODY_TOP // 2))
            role: TitleRole = roles[i]
            lt = np.log(np.maximum(p_title[i, idx], 1e-6))
            ll = np.log(np.maximum(p_leader[i, idx], 1e-6)) if leader_queries[i] else lt
            x = np.column_stack(
                [
                    lt,
                    ll,
                    b_task[i, idx],
                    b_tech[i, idx],
                    b_title[i, idx],
                    t_task[i, idx],
                    t_tech[i, idx],
                    float(role.leader) * self.is_manager[idx],
                    float(role.supervisor) * self.is_first_line[idx],
                    self.is_manager[idx],
                    self.log_prior[idx],
                ]
            ).astype(np.float64)
            cands.append(idx)
            feats.append(x)
        return cands, feats

    # -- public API ---------------------------------------------------------------------------
    def proba(self, titles: list[str], bodies: list[str]) -> tuple[list[np.ndarray], list]:
        """Per posting: candidate occupation indices sorted by probability, and probabilities."""
        cands, feats = self.features(titles, bodies)
        out_idx, out_p = [], []
        for idx, x in zip(cands, feats, strict=True):
            z = x @ self.weights
            p = np.exp(z - z.max())
            p /= p.sum()
            order = np.argsort(-p, kind="stable")
            out_idx.append(idx[order])
            out_p.append(p[order])
        return out_idx, out_p

    def code(
        self, titles: list[str], bodies: list[str], top: int = 3, min_probability: float = 0.0
    ) -> pd.DataFrame:
        """One row per posting and rank (``posting`` is the input position). A posting whose best
        probability is below ``min_probability`` gets one row with no code (abstains)."""
        if len(titles) != len(bodies):
            msg = f"{len(titles)} titles but {len(bodies)} bodies"
            raise ValueError(msg)
        rows = []
        for i, (idx, p) in enumerate(zip(*self.proba(titles, bodies), strict=True)):
            if p[0] < min_probability:
                rows.append((i, None, None, None, None, None))
                continue
            for r, (j, pj) in enumerate(zip(idx[:top], p[:top], strict=False), start=1):
                rows.append((i, r, self.codes[j], self.soc[j], self.names[j], float(pj)))
        return pd.DataFrame(
            rows,
            columns=[
                "posting",
                "rank",
                "onet_soc_code",
                "soc_2018_code",
                "occupation_title",
                "probability",
            ],
        ).astype({"rank": "Int64", "probability": "Float64"})


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    return np.argpartition(-scores, k - 1)[:k]


def _leader_query(cleaned: str, role: TitleRole) -> str:
    """The managerial reading of a leader's title ("" when the title names no leader)."""
    if not role.leader or not role.field:
        return ""
    return f"{role.field} manager"
