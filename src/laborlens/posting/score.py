"""Score batches of postings (or task lists): occupation, task statements, exposure, posting β.

:class:`PostingScorer` holds the loaded models (posting coder, exposure and automation models,
O*NET task vectors) and scores one batch at a time with no state carried between batches, so a
batch's result never depends on which batches came before, on which worker, or in which order:
the local and Ray engines give identical output. A posting's bootstrap interval is seeded from
its id.

Per posting: ``id, onet_soc_code, soc_2018_code, occupation_title, occupation_probability,
n_statements, beta, beta_low, beta_high, automation``: the 6-digit SOC code with the largest
probability (summed over its O*NET-SOC occupations), its most probable O*NET-SOC occupation, and
that SOC probability (codes empty when it is below the abstention threshold; β empty when no task
statement was found). Per statement: ``id, statement, exposure, p_E0,
p_E1, p_E2``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import ConfigError
from laborlens.posting.coder import PostingCoder, load_params, plain_text
from laborlens.posting.fast import model_proba
from laborlens.posting.segment import Segmenter, restore, select, task_verbs

POSTING_COLUMNS = [
    "id",
    "onet_soc_code",
    "soc_2018_code",
    "occupation_title",
    "occupation_probability",
    "n_statements",
    "beta",
    "beta_low",
    "beta_high",
    "automation",
]
STATEMENT_COLUMNS = ["id", "statement", "exposure", "p_E0", "p_E1", "p_E2"]
TASK_COLUMNS = ["id", "task", "exposure", "p_E0", "p_E1", "p_E2", "beta", "automation"]
MIN_SIMILARITY = 0.2  # TF-IDF cosine with the nearest O*NET task for a span without a verb
# a verb-led span needs only to share some vocabulary with a task of the likely occupations
VERB_MIN_SIMILARITY = 0.05
SIMILARITY_OCCUPATIONS = 3  # the coder's top occupations whose tasks a span is compared with
BOOTSTRAP = 500
E_VALUE = np.array([0.0, 1.0, 0.5])  # β weights of E0, E1, E2


@dataclass
class Scored:
    """What :meth:`PostingScorer.score` computes for a batch of postings."""

    candidates: list[np.ndarray]  # per posting: occupation indices, most probable first
    probabilities: list[np.ndarray]  # per posting: their probabilities
    statements: list[list[str]]  # per posting: its task statements
    best: list[int]  # per posting: most probable occupation of the most probable SOC code
    soc_probability: np.ndarray  # per posting: that SOC code's summed probability
    p_e: np.ndarray  # per statement (postings in order): exposure class probabilities
    p_a: np.ndarray  # per statement: automation class probabilities
    auto: np.ndarray  # per statement: automation score in [0, 1]


class PostingScorer:
    """Loaded once per process (worker); :meth:`score_postings` is a pure function of a batch."""

    def __init__(self, coder: PostingCoder, tasks: pd.DataFrame, exposure, automation) -> None:
        self.coder = coder
        self.exposure, self.automation = exposure, automation
        tasks = tasks.sort_values(["onet_soc_code", "task_id"]).reset_index(drop=True)
        self.task_matrix = coder.vocabulary.vectorizer.transform(tasks["text"]).tocsr()
        pos = {c: i for i, c in enumerate(coder.codes)}
        occ = tasks["onet_soc_code"].map(pos).to_numpy()
        self.task_start = np.searchsorted(occ, np.arange(len(coder.codes)), side="left")
        self.task_end = np.searchsorted(occ, np.arange(len(coder.codes)), side="right")
        self.segmenter = Segmenter(task_verbs(tasks["text"].tolist()))
        self._e_weights = np.asarray(exposure.decision_weights_)
        self._fast: dict = {}  # model id → (model, fast predict_proba)

    @classmethod
    def from_settings(
        cls, settings, cache: bool = True, models: tuple | None = None, con=None
    ) -> PostingScorer:
        """The scorer over ``settings``' database and default models (or ``models``: the
        (exposure, automation) pair to use instead). Building it fits the vocabulary (tens of
        seconds); the coder, task matrix and segmenter are kept in ``settings.cache_dir`` keyed
        by the database file, the posting code and the laborlens version, so later workers load
        them in seconds. ``con``: read the database through this connection when building."""
        import pickle
        from contextlib import nullcontext

        from laborlens.db.connection import connect
        from laborlens.models.default import ensure_default_model

        if models is None:
            models = (
                ensure_default_model(settings, "exposure"),
                ensure_default_model(settings, "automation"),
            )
        exposure, automation = models
        path = None
        if cache:
            key = _cache_key(settings, build_identity(settings, con))
            path = Path(settings.cache_dir) / f"posting-scorer-{key}.pkl"
            if path.is_file():
                with open(path, "rb") as f:
                    scorer = pickle.load(f)
                scorer.exposure, scorer.automation = exposure, automation
                scorer._e_weights = np.asarray(exposure.decision_weights_)
                # the weights are read from the package at every load (not part of the key)
                scorer.coder.set_weights(load_params()["weights"])
                return scorer.prepare()
        with nullcontext(con) if con is not None else connect(settings.db_path) as cur:
            coder = PostingCoder.from_database(cur)
            tasks = PostingCoder.vocabulary_frames(cur)["tasks"]
        scorer = cls(coder, tasks, exposure, automation)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            for derived in ("stacked", "fast"):  # derived at load
                scorer.coder.vocabulary.__dict__.pop(derived, None)
            scorer._fast = {}
            scorer.exposure = scorer.automation = None
            fd, tmp = tempfile.mkstemp(prefix=".posting-scorer-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(scorer, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
            scorer.exposure, scorer.automation = exposure, automation
        return scorer.prepare()

    def with_title_coder(self, title_coder) -> PostingScorer:
        """A shallow copy whose posting coder codes titles with ``title_coder`` (same
        occupations in the same order)."""
        import copy

        if list(title_coder.occupations["onet_soc_code"]) != list(self.coder.codes):
            msg = "the title coder's occupations differ from the posting coder's"
            raise ConfigError(msg)
        other = copy.copy(self)
        other.coder = copy.copy(self.coder)
        other.coder.title_coder = title_coder
        return other

    def with_models(self, exposure, automation) -> PostingScorer:
        """A shallow copy rating with other (exposure, automation) models."""
        import copy

        other = copy.copy(self)
        other.exposure, other.automation = exposure, automation
        other._e_weights = np.asarray(exposure.decision_weights_)
        return other

    def prepare(self) -> PostingScorer:
        """Derive the per-query lookup structures now rather than on the first posting."""
        _ = self.coder.vocabulary.stacked
        if not hasattr(self, "_fast"):
            self._fast = {}  # model id → (model, fast predict_proba)
        for model in (self.exposure, self.automation):
            if model is not None:
                model_proba(model, ["prepare"], [""], self._fast)
        return self

    # -- statements ---------------------------------------------------------------------------
    def statements(self, bodies: list[str], candidates: list[np.ndarray]) -> list[list[str]]:
        """Task-like statements of each body, checked against its candidates' O*NET tasks."""
        texts = [plain_text(b) for b in bodies]
        spans = [self.segmenter.spans(t.lower()) for t in texts]
        flat = [s for ss in spans for s in ss]
        if not flat:
            return [[] for _ in bodies]
        vectors = self.coder.vocabulary.transform(flat)
        out, k = [], 0
        for ss, cands, text in zip(spans, candidates, texts, strict=True):
            n = len(ss)
            if not n:
                out.append([])
                continue
            rows = np.concatenate(
                [
                    np.arange(self.task_start[j], self.task_end[j])
                    for j in cands[:SIMILARITY_OCCUPATIONS]
                ]
            )
            sim = np.zeros(n, dtype=np.float32)
            if len(rows):
                # (tasks × terms) @ (terms × spans): only the small span block is transposed
                m = self.task_matrix[rows] @ vectors[k : k + n].T.tocsr()
                sim = m.toarray().max(axis=0)
            verb = [self.segmenter.starts_with_verb(s) for s in ss]
            keep = select(ss, verb, sim, MIN_SIMILARITY, VERB_MIN_SIMILARITY)
            out.append(restore([ss[i] for i in keep], text))  # as written in the posting
            k += n
        return out

    # -- batches ------------------------------------------------------------------------------
    def score(self, titles: list[str], bodies: list[str]) -> Scored:
        """Coding, statements and their ratings for postings (the one path behind
        :meth:`score_postings`, the batch engine and :func:`~laborlens.posting.analyze.
        analyze_posting`)."""
        idx, probs = self.coder.proba(titles, bodies)
        found = self.statements(bodies, idx)
        best, top_p = zip(
            *(_best_soc(self.coder.soc, j, p) for j, p in zip(idx, probs, strict=True)), strict=True
        )
        best, top_p = list(best), np.asarray(top_p, dtype=float)
        flat = [s for ss in found for s in ss]
        owner = np.repeat(np.arange(len(titles)), [len(ss) for ss in found])
        if flat:
            # each statement is rated with the title of its posting's coded occupation
            names = [self.coder.names[best[i]] for i in owner]
            p_e = model_proba(self.exposure, flat, names, self._fast)
            p_a = model_proba(self.automation, flat, names, self._fast)
            auto = p_a @ (np.arange(p_a.shape[1]) / (p_a.shape[1] - 1))
        else:
            p_e, p_a, auto = np.zeros((0, 3)), np.zeros((0, 5)), np.zeros(0)
        return Scored(idx, probs, found, best, top_p, p_e, p_a, auto)

    def score_postings(
        self, frame: pd.DataFrame, min_probability: float = 0.0
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(postings, statements) for a frame with ``id``, ``title``, ``description``."""
        if frame.empty:
            empty = pd.DataFrame(columns=STATEMENT_COLUMNS)
            return _typed(pd.DataFrame(columns=POSTING_COLUMNS)), empty.astype(
                {"id": "string", "statement": "string", "exposure": "string"}
            )
        ids = frame["id"].astype(str).tolist()
        sc = self.score(
            frame["title"].fillna("").astype(str).tolist(),
            frame["description"].fillna("").astype(str).tolist(),
        )
        found, best, top_p, p_e, auto = sc.statements, sc.best, sc.soc_probability, sc.p_e, sc.auto
        coded = top_p >= min_probability
        flat = [s for ss in found for s in ss]
        owner = np.repeat(np.arange(len(ids)), [len(ss) for ss in found])
        beta_s = p_e[:, 1] + 0.5 * p_e[:, 2]
        rows = []
        bounds = np.r_[0, np.cumsum([len(ss) for ss in found])]
        for i, pid in enumerate(ids):
            a, b = bounds[i], bounds[i + 1]
            n = b - a
            beta = lo = hi = au = None
            if n:
                beta = float(beta_s[a:b].mean())
                au = float(auto[a:b].mean())
                lo, hi = beta_interval(p_e[a:b], pid)
            j = best[i]
            rows.append(
                (
                    pid,
                    self.coder.codes[j] if coded[i] else None,
                    self.coder.soc[j] if coded[i] else None,
                    self.coder.names[j] if coded[i] else None,
                    float(top_p[i]),
                    int(n),
                    beta,
                    lo,
                    hi,
                    au,
                )
            )
        cols = list(zip(*rows, strict=True))
        # typed columns built directly (a frame of objects then astype costs more than scoring)
        postings = pd.DataFrame(
            {
                name: (
                    np.asarray(col, dtype=_DTYPES[name])
                    if _DTYPES[name] in ("float64", "int64")
                    else pd.array(col, dtype=_DTYPES[name])
                )
                for name, col in zip(POSTING_COLUMNS, cols, strict=True)
            }
        )
        labels = np.asarray(self.exposure.classes_, dtype=object)[
            (p_e * self._e_weights).argmax(1)
        ] if len(flat) else np.zeros(0, dtype=object)
        statements = pd.DataFrame(
            {
                "id": pd.array([ids[i] for i in owner], dtype="string"),
                "statement": pd.array(flat, dtype="string"),
                "exposure": pd.array(list(labels), dtype="string"),
                "p_E0": p_e[:, 0],
                "p_E1": p_e[:, 1],
                "p_E2": p_e[:, 2],
            },
            columns=STATEMENT_COLUMNS,
        )
        return postings, statements

    def score_tasks(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rated task statements for a frame with ``id``, ``task`` and optional ``title``."""
        tasks = frame["task"].fillna("").astype(str).tolist()
        titles = [""] * len(tasks)
        if "title" in frame:
            titles = frame["title"].fillna("").astype(str).tolist()
        X = pd.DataFrame({"task": tasks, "title": titles})
        p_e = self.exposure.predict_proba(X) if tasks else np.zeros((0, 3))
        p_a = self.automation.predict_proba(X) if tasks else np.zeros((0, 5))
        labels = np.asarray(self.exposure.classes_, dtype=object)[
            (p_e * self._e_weights).argmax(1)
        ] if tasks else np.zeros(0, dtype=object)
        return pd.DataFrame(
            {
                "id": frame["id"].astype(str).to_numpy(),
                "task": tasks,
                "exposure": labels,
                "p_E0": p_e[:, 0],
                "p_E1": p_e[:, 1],
                "p_E2": p_e[:, 2],
                "beta": p_e[:, 1] + 0.5 * p_e[:, 2],
                "automation": p_a @ (np.arange(p_a.shape[1]) / max(p_a.shape[1] - 1, 1)),
            },
            columns=TASK_COLUMNS,
        ).astype({"id": "string", "task": "string", "exposure": "string"})


def _best_soc(soc: np.ndarray, idx: np.ndarray, p: np.ndarray) -> tuple[int, float]:
    """The 6-digit SOC code with the largest summed probability (O*NET splits some SOC codes
    into several occupations), its most probable O*NET-SOC occupation, and the summed
    probability."""
    totals: dict[str, float] = {}
    for j, pj in zip(idx, p, strict=True):
        totals[soc[j]] = totals.get(soc[j], 0.0) + float(pj)
    code = max(totals, key=totals.__getitem__)
    first = next(int(j) for j in idx if soc[j] == code)  # idx is sorted by probability
    return first, totals[code]


def build_identity(settings, con=None) -> str:
    """Which build a scorer is made from: the database path with its build time and fingerprint,
    read through ``con`` when given (the service reads one build while a newer file may already
    lie at the path, so the file's own stat would name the wrong build)."""
    from contextlib import nullcontext

    from laborlens.db.connection import connect

    db = Path(settings.db_path)
    with nullcontext(con) if con is not None else connect(db) as cur:
        if "build_info" not in {r[0] for r in cur.execute("SHOW TABLES").fetchall()}:
            st = db.stat()  # a partial database made for tests or benchmarks: no build record
            return f"{db.resolve()}:{st.st_size}:{st.st_mtime_ns}"
        info = dict(
            cur.execute(
                "SELECT key, value FROM build_info WHERE key IN ('built_at', 'fingerprint')"
            ).fetchall()
        )
    return f"{db.resolve()}:{info.get('built_at')}:{info.get('fingerprint')}"


def _cache_key(settings, identity: str) -> str:
    from laborlens._version import __version__

    parts = [__version__, identity]
    for name in ("coder.py", "segment.py", "clean.py", "score.py"):
        src = Path(__file__).with_name(name)  # the scorer's own code (weights: set at load)
        parts.append(hashlib.sha256(src.read_bytes()).hexdigest())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def beta_interval(p_e: np.ndarray, posting_id: str) -> tuple[float, float]:
    """95 % bootstrap interval of the posting β: statements resampled, each statement's label
    drawn from its probabilities; seeded from the posting id (same result on any worker)."""
    rng = np.random.default_rng(zlib.crc32(posting_id.encode("utf-8")))
    n = len(p_e)
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    u = rng.random((BOOTSTRAP, n))
    # label 0 below p_E0, 1 below p_E0 + p_E1, else 2; β weights E_VALUE
    c0, c1 = p_e[idx, 0], p_e[idx, 0] + p_e[idx, 1]
    values = np.where(u < c0, E_VALUE[0], np.where(u < c1, E_VALUE[1], E_VALUE[2]))
    draws = np.sort(values.mean(axis=1))
    return float(draws[int(0.025 * (BOOTSTRAP - 1))]), float(draws[int(0.975 * (BOOTSTRAP - 1))])


_DTYPES = {
    "id": "string",
    "onet_soc_code": "string",
    "soc_2018_code": "string",
    "occupation_title": "string",
    "occupation_probability": "float64",
    "n_statements": "int64",
    "beta": "Float64",
    "beta_low": "Float64",
    "beta_high": "Float64",
    "automation": "Float64",
}


def _typed(postings: pd.DataFrame) -> pd.DataFrame:
    return postings.astype(_DTYPES)
