"""Analyse a job posting: likely occupations, task-like statements rated for exposure and
automation, a posting-level β with a bootstrap confidence interval, and a comparison with the
chosen occupation's O*NET task statements (by MiniLM cosine similarity)."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from laborlens.config import Settings, get_settings
from laborlens.posting.extract import (
    PostingInputError,
    english_share,
    read_posting,
    to_text,
)

MATCH_THRESHOLD = 0.55  # cosine above which a posting statement "is" an O*NET task


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
            f"<td>{esc(o['soc_2018_code'])}</td><td>{o['soc_probability']:.2f}</td></tr>"
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
            f"<th>O*NET-SOC</th><th>occupation</th><th>p</th><th>SOC 2018</th>"
            f"<th>p of the SOC code</th></tr>{occ}</table>"
            "<h2>Statements</h2><table><tr><th>statement</th><th>exposure</th><th>β</th>"
            f"<th>automation</th><th>best O*NET match</th></tr>{st}</table>{lists}"
            "</body></html>"
        )


_SCORERS: dict = {}


def posting_scorer(settings: Settings, models: tuple | None = None, con=None, coder=None):
    """The posting scorer of the batch engine for ``settings``' database (kept per process,
    built from the disk cache), rating with ``models`` when given and coding titles with the
    title ``coder`` when given (the service's, for the build it reads)."""
    from laborlens.posting.score import PostingScorer, build_identity

    key = build_identity(settings, con)
    entry = _SCORERS.get(key)
    if entry is None:
        _SCORERS.clear()
        base = PostingScorer.from_settings(settings, models=models, con=con)
        entry = _SCORERS[key] = {"base": base, "default": base if models is None else None}
    if models is not None:
        scorer = entry["base"].with_models(*models)
    else:
        if entry["default"] is None:
            from laborlens.models.default import ensure_default_model

            entry["default"] = entry["base"].with_models(
                ensure_default_model(settings, "exposure"),
                ensure_default_model(settings, "automation"),
            )
        scorer = entry["default"]
    if coder is not None and coder is not scorer.coder.title_coder:
        scorer = scorer.with_title_coder(coder)
    return scorer


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
    min_probability: float = 0.0,
    compare: bool = True,
) -> PostingAnalysis:
    """Analyse a posting given as a file path, bytes or text (plain or HTML).

    The same path as ``laborlens batch postings`` (:class:`~laborlens.posting.score.
    PostingScorer`): the posting coder reads the title and the whole body, the segmenter finds
    task statements with or without punctuation, each is rated with the coded occupation's
    title, and the posting β's 95 % interval is a bootstrap over statements (seeded from
    ``seed``). Occupations below ``min_probability`` are not listed (abstention).

    Raises :class:`PostingInputError` for empty, binary, non-UTF-8 or over-large input. Text
    that is not English, or has fewer than 3 task-like statements, gives ``confidence="low"``
    with a reason. ``models``: (exposure, automation) models to use instead of the default ones.
    ``con`` and ``coder``: a connection to the database and its title coder, to read one build
    throughout (the service's), instead of opening ``settings.db_path``. ``compare``: also
    compare the statements with the top occupation's O*NET tasks (MiniLM cosine; loads the
    encoder).
    """
    from laborlens.posting.score import beta_interval

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
    scorer = posting_scorer(settings, models=models, con=con, coder=coder)
    pc = scorer.coder
    sc = scorer.score([title], [raw])
    idx, p = sc.candidates[0], sc.probabilities[0]
    soc_p: dict[str, float] = {}
    for j, pj in zip(idx, p, strict=True):
        soc_p[pc.soc[j]] = soc_p.get(pc.soc[j], 0.0) + float(pj)
    occupations = [
        {
            "rank": r,
            "onet_soc_code": pc.codes[j],
            "soc_2018_code": pc.soc[j],
            "occupation_title": pc.names[j],
            "probability": float(pj),
            "soc_probability": soc_p[pc.soc[j]],
        }
        for r, (j, pj) in enumerate(zip(idx[:top], p[:top], strict=False), start=1)
        if pj >= min_probability
    ]
    if not occupations:
        warnings.append(
            f"The posting could not be coded to an occupation with probability >= "
            f"{min_probability} (best {float(p[0]):.2f})."
        )
        confidence = "low"
    statements = sc.statements[0]
    if not statements:
        warnings.append("No task-like statement was found in the posting.")
        return PostingAnalysis(title, occupations, [], None, None, None, [], [], "low", warnings)
    exposure, automation = scorer.exposure, scorer.automation
    p_e, p_t, auto = sc.p_e, sc.p_a, sc.auto
    beta = p_e[:, 1] + 0.5 * p_e[:, 2]
    ci = beta_interval(p_e, f"posting-{seed}")
    n = len(statements)
    sims = np.zeros(n)
    only_posting: list[str] = []
    only_onet: list[str] = []
    if compare and occupations:
        from laborlens.models.encoder import embed

        code = occupations[0]["onet_soc_code"]
        tasks, vt = _task_vectors(settings, [code], con).get(code, ([], None))
        if tasks:
            m = embed(statements) @ vt.T
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
