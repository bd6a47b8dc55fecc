"""Analyse a job posting: likely occupations, task-like statements rated for exposure and
automation, a posting-level β with a bootstrap confidence interval, and a comparison with the
chosen occupation's O*NET task statements (by MiniLM cosine similarity)."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.config import Settings, get_settings
from laborlens.posting.clean import clean_title
from laborlens.posting.extract import (
    PostingInputError,
    english_share,
    read_posting,
    split_statements,
    to_text,
)

MATCH_THRESHOLD = 0.55  # cosine above which a posting statement "is" an O*NET task
CANDIDATES = 20  # occupations from the title coder that the posting body re-ranks
# Body evidence: the mean over statements of the best cosine with an occupation's O*NET tasks,
# added to the title coder's log probability at this scale (0.1 cosine ≈ a factor e). Chosen,
# not fitted: no labelled postings are available.
BODY_SCALE = 10.0
BOOTSTRAP = 2000
E_VALUE = np.array([0.0, 1.0, 0.5])  # β weights of E0, E1, E2


@dataclass
class PostingAnalysis:
    """Result of :func:`analyze_posting` (``to_dict`` for JSON, ``to_html`` for a page)."""

    title: str
    occupations: list[dict]
    statements: list[dict]
    beta: float | None
    beta_ci: tuple[float, float] | None
    automation: float | None
    only_in_posting: list[str] = field(default_factory=list)
    only_in_onet: list[str] = field(default_factory=list)
    confidence: str = "normal"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        from laborlens.jsonutil import dumps

        return dumps(self.to_dict())

    def to_html(self) -> str:
        esc = html.escape
        occ = "".join(
            f"<tr><td>{o['rank']}</td><td>{esc(o['onet_soc_code'])}</td>"
            f"<td>{esc(o['occupation_title'])}</td><td>{o['probability']:.2f}</td>"
            f"<td>{o.get('title_probability', o['probability']):.2f}</td>"
            f"<td>{_fmt(o.get('body_similarity'))}</td></tr>"
            for o in self.occupations
        )
        st = "".join(
            f"<tr><td>{esc(s['statement'])}</td><td>{s['exposure']}</td><td>{s['beta']:.2f}</td>"
            f"<td>{s['automation']}</td><td>{s['onet_similarity']:.2f}</td></tr>"
            for s in self.statements
        )
        ci = (
            f"{self.beta:.2f} (95% CI {self.beta_ci[0]:.2f}–{self.beta_ci[1]:.2f})"
            if self.beta is not None
            else "not available"
        )
        lists = "".join(
            f"<h2>{h}</h2><ul>{''.join(f'<li>{esc(x)}</li>' for x in items) or '<li>none</li>'}"
            "</ul>"
            for h, items in (
                ("In the posting, not among the O*NET tasks", self.only_in_posting),
                ("O*NET tasks the posting does not mention", self.only_in_onet),
            )
        )
        warn = "".join(f"<p class=warn>{esc(w)}</p>" for w in self.warnings)
        return (
            "<!doctype html><html><head><meta charset=utf-8><title>Posting analysis</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em}"
            ".warn{color:#a40}</style></head><body>"
            f"<h1>{esc(self.title)}</h1>{warn}<p>Posting β: {ci}; confidence: "
            f"{esc(self.confidence)}</p><h2>Likely occupations</h2><table><tr><th>rank</th>"
            f"<th>O*NET-SOC</th><th>occupation</th><th>p</th><th>p from title</th>"
            f"<th>body similarity to its tasks</th></tr>{occ}</table>"
            "<h2>Statements</h2><table><tr><th>statement</th><th>exposure</th><th>β</th>"
            f"<th>automation</th><th>best O*NET match</th></tr>{st}</table>{lists}"
            "</body></html>"
        )


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.2f}"


@lru_cache(maxsize=2)
def _segmenter(db_path: str):
    """The task-statement segmenter with the task verbs of the database's O*NET tasks."""
    from laborlens.db.connection import connect, query
    from laborlens.posting.segment import Segmenter, task_verbs

    with connect(db_path) as con:
        tasks = query(con, "SELECT task FROM onet_tasks")["task"].tolist()
    return Segmenter(task_verbs(tasks))


def _task_vectors(
    settings, codes: list[str], con=None
) -> dict[str, tuple[list[str], np.ndarray]]:
    """O*NET task statements of ``codes`` and their MiniLM vectors (disk-cached); read through
    ``con`` when given, else from ``settings.db_path``."""
    from contextlib import nullcontext

    from laborlens.db.connection import connect, query
    from laborlens.models.encoder import embed_cached

    with nullcontext(con) if con is not None else connect(settings.db_path) as cur:
        frame = query(
            cur,
            "SELECT onet_soc_code, task FROM onet_tasks WHERE list_contains(?, onet_soc_code) "
            "ORDER BY onet_soc_code, task_id",
            [codes],
        )
    if frame.empty:
        return {}
    vectors = embed_cached(frame["task"].tolist(), settings.cache_dir)
    out = {}
    for code, idx in frame.groupby("onet_soc_code").indices.items():
        out[code] = (frame["task"].iloc[idx].tolist(), vectors[idx])
    return out


def _rerank(occupations: list[dict], evidence, top: int) -> list[dict]:
    """Title-coder candidates re-ranked with the posting body: p ∝ p_title · exp(BODY_SCALE ·
    mean over statements of the best cosine with the occupation's O*NET tasks)."""
    if not occupations:
        return []
    p_title = np.array([o["probability"] for o in occupations], dtype=float)
    body = np.full(len(occupations), np.nan)
    if evidence is not None and evidence[0] is not None:
        statement_vectors, task_vectors = evidence
        for i, o in enumerate(occupations):
            if o["onet_soc_code"] in task_vectors:
                vt = task_vectors[o["onet_soc_code"]][1]
                body[i] = float((statement_vectors @ vt.T).max(axis=1).mean())
    logit = np.log(np.maximum(p_title, 1e-12)) + BODY_SCALE * np.nan_to_num(body, nan=0.0)
    if np.isnan(body).all():
        logit = np.log(np.maximum(p_title, 1e-12))
    p = np.exp(logit - logit.max())
    # the candidates hold the title coder's mass p_title.sum(); the rest stays outside them
    p = p / p.sum() * p_title.sum()
    order = np.argsort(-p, kind="stable")[:top]
    return [
        {
            **occupations[i],
            "rank": r,
            "probability": float(p[i]),
            "title_probability": float(p_title[i]),
            "body_similarity": None if np.isnan(body[i]) else float(body[i]),
        }
        for r, i in enumerate(order, start=1)
    ]


def analyze_posting(
    source: str | Path | bytes,
    *,
    settings: Settings | None = None,
    title: str | None = None,
    top: int = 3,
    seed: int = 0,
    models: tuple | None = None,
    con=None,
    coder=None,
) -> PostingAnalysis:
    """Analyse a posting given as a file path, bytes or text (plain or HTML).

    Raises :class:`PostingInputError` for empty, binary, non-UTF-8 or over-large input. Text
    that is not English, or has no task-like statement, gives ``confidence="low"`` with a reason.
    ``models``: (exposure, automation) models to use instead of the default ones. ``con`` and
    ``coder``: a connection to the database and its title coder, to read one build throughout
    (the service's), instead of opening ``settings.db_path``.
    """
    from laborlens.models.default import ensure_default_model
    from laborlens.models.encoder import embed
    from laborlens.models.evaluate import task_score
    from laborlens.titles.api import load_coder

    settings = settings or get_settings()
    raw = read_posting(source)
    text, html_title = to_text(raw)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        msg = "the posting has no visible text once HTML markup is removed"
        raise PostingInputError(msg)
    title = (title or html_title or lines[0])[:300]
    warnings: list[str] = []
    confidence = "normal"
    if english_share(text) < 0.12:
        warnings.append(
            "The text does not look like English; the models are trained on English O*NET "
            "tasks, so every number below is low-confidence."
        )
        confidence = "low"
    statements = split_statements(text)
    if len(statements) < 3:
        # scraped text without punctuation or bullets: verb-led clauses as well
        segmenter = _segmenter(str(settings.db_path))
        verb_led = [s for s in segmenter.spans(text.lower()) if segmenter.starts_with_verb(s)]
        statements = list(dict.fromkeys([*statements, *verb_led]))
    coder = coder if coder is not None else load_coder(settings)
    coded = coder.code([clean_title(title) or title], top=CANDIDATES)
    occupations = [
        {k: (None if pd.isna(v) else v) for k, v in row.items() if k != "title"}
        for row in coded.to_dict("records")
        if not pd.isna(row["onet_soc_code"])
    ]
    if not occupations:
        warnings.append(f"The title {title!r} could not be coded to an occupation.")
        confidence = "low"
    if not statements:
        warnings.append("No task-like statement was found in the posting.")
        occupations = _rerank(occupations, None, top)
        return PostingAnalysis(title, occupations, [], None, None, None, [], [], "low", warnings)
    task_vectors: dict[str, tuple[list[str], np.ndarray]] = {}
    statement_vectors = None
    if occupations:
        statement_vectors = embed(statements)
        task_vectors = _task_vectors(settings, [o["onet_soc_code"] for o in occupations], con)
    occupations = _rerank(occupations, (statement_vectors, task_vectors), top)

    if models is None:
        models = (
            ensure_default_model(settings, "exposure"),
            ensure_default_model(settings, "automation"),
        )
    exposure, automation = models
    X = pd.DataFrame({"task": statements, "title": title})
    p_e = exposure.predict_proba(X)
    p_t = automation.predict_proba(X)
    beta = task_score(p_e, "exposure")
    auto = task_score(p_t, "automation")

    # Bootstrap over statements, with each statement's label drawn from its probabilities.
    rng = np.random.default_rng(seed)
    n = len(statements)
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    u = rng.random((BOOTSTRAP, n))
    cum = np.cumsum(p_e, axis=1)[idx]
    labels = (u[..., None] > cum).sum(axis=2).clip(0, 2)
    draws = E_VALUE[labels].mean(axis=1)
    ci = (float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975)))

    sims = np.zeros(n)
    only_posting: list[str] = []
    only_onet: list[str] = []
    if occupations:
        tasks, vt = task_vectors.get(occupations[0]["onet_soc_code"], ([], None))
        if tasks:
            m = statement_vectors @ vt.T
            sims = m.max(axis=1)
            only_posting = [s for s, v in zip(statements, sims, strict=True) if v < MATCH_THRESHOLD]
            only_onet = [
                t for t, v in zip(tasks, m.max(axis=0), strict=True) if v < MATCH_THRESHOLD
            ]
    rated = [
        {
            "statement": s,
            "exposure": exposure.classes_[int(np.argmax(p_e[i] * exposure.decision_weights_))],
            "p_E0": float(p_e[i, 0]),
            "p_E1": float(p_e[i, 1]),
            "p_E2": float(p_e[i, 2]),
            "beta": float(beta[i]),
            "automation": automation.classes_[
                int(np.argmax(p_t[i] * automation.decision_weights_))
            ],
            "automation_score": float(auto[i]),
            "onet_similarity": float(sims[i]),
        }
        for i, s in enumerate(statements)
    ]
    if n < 3:
        warnings.append(f"Only {n} task-like statement(s): the posting β is very uncertain.")
        confidence = "low"
    return PostingAnalysis(
        title=title,
        occupations=occupations,
        statements=rated,
        beta=float(beta.mean()),
        beta_ci=ci,
        automation=float(auto.mean()),
        only_in_posting=only_posting,
        only_in_onet=only_onet,
        confidence=confidence,
        warnings=warnings,
    )
