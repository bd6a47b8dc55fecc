"""Component similarities between occupations and the asymmetric transition score.

Each component is an n × n matrix on [0, 1] (NaN where either occupation lacks that kind of
description). :func:`combine` averages the available components with weights; the transition
score from A to B subtracts a penalty for the job-zone step up and for the skill and knowledge
levels B requires above A's (see docs/careers.md for the method and how the weights were
chosen).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse

from laborlens.careers.features import Features

COMPONENTS = ("skills", "knowledge", "dwa", "dwa_text", "description", "tech", "job_zone")

# Chosen by repeated two-fold search on same-SOC-group recovery (bench/evaluate_careers.py,
# docs/careers.md); they are relative, only their ratios matter.
DEFAULT_WEIGHTS: dict[str, float] = {
    "skills": 0.25,
    "knowledge": 0.25,
    "dwa": 0.5,
    "dwa_text": 1.0,
    "description": 1.0,
    "tech": 0.0,
    "job_zone": 0.25,
}
# Penalty strengths of the transition score (a normative choice, see docs/careers.md).
ZONE_PENALTY = 0.02  # per job-zone step up, on the 0–1 similarity scale
LEVEL_PENALTY = 0.25  # times the importance-weighted mean level shortfall (0–7 scale / 7)


def _cosine_dense(x: np.ndarray, *, center: bool, mask: np.ndarray) -> np.ndarray:
    """Cosine between rows (centred on the mean of the described rows if asked), on [0, 1]."""
    x = x.astype(np.float64, copy=True)
    if center:
        x[mask] -= x[mask].mean(axis=0)
    norms = np.linalg.norm(x, axis=1)
    ok = mask & (norms > 0)
    x[ok] /= norms[ok, None]
    sim = x @ x.T
    if center:
        sim = (1.0 + sim) / 2.0
    sim = np.clip(sim, 0.0, 1.0)
    sim[~ok, :] = np.nan
    sim[:, ~ok] = np.nan
    return sim.astype(np.float32)


def _idf_rows(m: sparse.csr_matrix, *, log_counts: bool) -> sparse.csr_matrix:
    """Rows weighted by inverse document frequency (rare items say more), L2-normalised."""
    m = m.tocsr(copy=True).astype(np.float64)
    described = max(int((np.asarray(m.sum(axis=1)).ravel() > 0).sum()), 1)
    df = np.asarray((m > 0).sum(axis=0)).ravel()
    idf = np.log((1 + described) / (1 + df)) + 1.0
    if log_counts:
        m.data = np.log1p(m.data)
    m = m @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ m


def _cosine_sparse(m: sparse.csr_matrix, mask: np.ndarray, *, log_counts: bool) -> np.ndarray:
    w = _idf_rows(m, log_counts=log_counts)
    sim = np.clip((w @ w.T).toarray(), 0.0, 1.0)
    sim[~mask, :] = np.nan
    sim[:, ~mask] = np.nan
    return sim.astype(np.float32)


def rating_profile(f: Features, domain: str) -> np.ndarray:
    """Importance-weighted level profile: level × importance / 5, per element of ``domain``."""
    cols = (f.elements["domain"] == domain).to_numpy()
    return f.level[:, cols] * f.importance[:, cols] / 5.0


def text_vectors(f: Features, cache_dir: str | Path) -> dict[str, np.ndarray]:
    """MiniLM vectors: each occupation's IDF-weighted mean of its DWA title embeddings, and the
    embedding of its title and description. Cached on disk (``embed_cached``)."""
    from laborlens.models.encoder import embed_cached

    dwa_emb = embed_cached(list(f.dwa_titles), cache_dir)
    weights = _idf_rows(f.dwa, log_counts=True)
    dwa_vec = np.asarray(weights @ dwa_emb)
    texts = [
        f"{t}. {d}" if isinstance(d, str) and d else str(t)
        for t, d in zip(f.occupations["title"], f.occupations["description"], strict=True)
    ]
    desc_vec = embed_cached(texts, cache_dir)
    return {"dwa_text": dwa_vec, "description": desc_vec}


def components(f: Features, vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every component similarity, n × n float32 on [0, 1], NaN where undefined."""
    all_rows = np.ones(f.n, dtype=bool)
    zone = f.job_zone
    zsim = 1.0 - np.abs(zone[:, None] - zone[None, :]) / 4.0
    return {
        "skills": _cosine_dense(rating_profile(f, "skill"), center=True, mask=f.has_ratings),
        "knowledge": _cosine_dense(rating_profile(f, "knowledge"), center=True, mask=f.has_ratings),
        "dwa": _cosine_sparse(f.dwa, f.has_dwa, log_counts=True),
        "dwa_text": _cosine_dense(vectors["dwa_text"], center=True, mask=f.has_dwa),
        "description": _cosine_dense(vectors["description"], center=True, mask=all_rows),
        "tech": _cosine_sparse(f.tech, f.has_tech, log_counts=False),
        "job_zone": zsim.astype(np.float32),
    }


def combine(comps: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted mean of the components available for each pair (missing ones drop out)."""
    total = None
    wsum = None
    for name, w in weights.items():
        if w == 0:
            continue
        c = comps[name]
        ok = np.isfinite(c)
        part = np.where(ok, c, 0.0) * w
        total = part if total is None else total + part
        wsum = ok * w if wsum is None else wsum + ok * w
    if total is None:
        msg = "at least one similarity weight must be positive"
        raise ValueError(msg)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(wsum > 0, total / np.where(wsum > 0, wsum, 1.0), 0.0)
    return out.astype(np.float32)


def level_shortfall(f: Features) -> np.ndarray:
    """n × n: for A (row) → B (column), B's importance-weighted mean of the level B requires
    above A's, over skills and knowledge, on 0–1 (level points / 7). NaN without ratings."""
    n = f.n
    num = np.zeros((n, n), dtype=np.float64)
    imp = f.importance
    for e in range(imp.shape[1]):
        lv = f.level[:, e]
        gap = np.maximum(lv[None, :] - lv[:, None], 0.0)
        num += gap * imp[None, :, e]
    den = imp.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den[None, :] / 7.0
    out[~f.has_ratings, :] = np.nan
    out[:, ~f.has_ratings] = np.nan
    return out.astype(np.float32)


def zone_step(f: Features) -> np.ndarray:
    """n × n job-zone change from A (row) to B (column); NaN where either is unknown."""
    return (f.job_zone[None, :] - f.job_zone[:, None]).astype(np.float32)


def transition(
    sim: np.ndarray,
    shortfall: np.ndarray,
    step: np.ndarray,
    *,
    zone_penalty: float = ZONE_PENALTY,
    level_penalty: float = LEVEL_PENALTY,
) -> np.ndarray:
    """Asymmetric transition score A→B: similarity minus the cost of stepping up.

    ``zone_penalty`` per job-zone step up (none for a step down), ``level_penalty`` times the
    level shortfall; unknown zones or ratings add no penalty. Clipped to [0, 1].
    """
    up = np.nan_to_num(np.maximum(step, 0.0))
    short = np.nan_to_num(shortfall)
    return np.clip(sim - zone_penalty * up - level_penalty * short, 0.0, 1.0).astype(np.float32)
