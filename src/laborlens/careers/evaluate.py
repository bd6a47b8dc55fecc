"""Ranking quality of a similarity: how well it recovers occupations of the same SOC group.

O*NET's own Related Occupations list is not in the data mirror, so the reference is the SOC 2018
hierarchy, which groups occupations by the work performed: for a query occupation, others in the
same broad group are highly relevant (gain 2) and others in the same minor group but another
broad group are relevant (gain 1). Self is excluded. Metrics per query, averaged:

- ``ndcg@10`` with those graded gains (queries with at least one relevant occupation),
- ``p@10_broad`` and ``map_broad``: precision in the top 10 and average precision over the
  full ranking at recovering the same broad group (queries whose broad group has others),
- ``p@10_minor``: precision in the top 10 at recovering the same minor group.

Weights of the combination are chosen by :func:`search_weights` on half the queries and
scored on the other half, over several random splits (docs/careers.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.careers.features import Features
from laborlens.careers.similarity import combine


def relevance(f: Features) -> np.ndarray:
    """n × n gains: 2 same SOC broad group, 1 same minor group only, 0 otherwise; 0 on self."""
    occ = f.occupations
    broad = occ["broad_code"].to_numpy(dtype=object)
    minor = occ["minor_code"].to_numpy(dtype=object)
    has_b = pd.notna(occ["broad_code"]).to_numpy()
    has_m = pd.notna(occ["minor_code"]).to_numpy()
    same_b = (broad[:, None] == broad[None, :]) & has_b[:, None] & has_b[None, :]
    same_m = (minor[:, None] == minor[None, :]) & has_m[:, None] & has_m[None, :]
    gain = np.where(same_b, 2, np.where(same_m, 1, 0)).astype(np.int8)
    np.fill_diagonal(gain, 0)
    return gain


def ranking_metrics(
    score: np.ndarray, gain: np.ndarray, queries: np.ndarray | None = None, k: int = 10
) -> dict[str, float]:
    """Mean ranking metrics of ``score`` (rows = queries) against ``gain`` (see module doc)."""
    n = score.shape[0]
    queries = np.arange(n) if queries is None else np.asarray(queries)
    s = score[queries].astype(np.float64, copy=True)
    s[np.arange(len(queries)), queries] = -np.inf  # exclude self
    g = gain[queries]
    order = np.argsort(-s, axis=1, kind="stable")
    ranked = np.take_along_axis(g, order, axis=1)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = ((2.0 ** ranked[:, :k] - 1) * disc).sum(axis=1)
    ideal = np.sort(g, axis=1)[:, ::-1][:, :k]
    idcg = ((2.0**ideal - 1) * disc).sum(axis=1)
    has_rel = idcg > 0
    broad = ranked == 2
    n_broad = broad.sum(axis=1)
    has_broad = n_broad > 0
    hits = np.cumsum(broad, axis=1)
    ranks = np.arange(1, n + 1)
    ap = (broad * hits / ranks).sum(axis=1) / np.maximum(n_broad, 1)
    minor = ranked >= 1
    return {
        "ndcg@10": float((dcg[has_rel] / idcg[has_rel]).mean()),
        "p@10_broad": float((broad[has_broad, :k].sum(axis=1) / k).mean()),
        "map_broad": float(ap[has_broad].mean()),
        "p@10_minor": float((minor[has_rel, :k].sum(axis=1) / k).mean()),
        "queries": int(has_rel.sum()),
        "queries_broad": int(has_broad.sum()),
    }


def search_weights(
    comps: dict[str, np.ndarray],
    gain: np.ndarray,
    queries: np.ndarray,
    *,
    names: tuple[str, ...] | None = None,
    rounds: int = 4,
    metric: str = "ndcg@10",
) -> dict[str, float]:
    """Coordinate ascent from equal weights: each round tries scaling each weight by 0, ½ and 2
    (and restoring a zero weight to 1), keeping any change that raises ``metric`` on
    ``queries``; stops when a round changes nothing."""
    names = names or tuple(comps)
    weights = dict.fromkeys(names, 1.0)

    def value(w: dict[str, float]) -> float:
        if not any(w.values()):
            return -np.inf
        sub = {k: v[queries] for k, v in comps.items() if k in w}
        sim = combine(sub, w)
        full = np.zeros((len(queries), gain.shape[1]), dtype=np.float32)
        full[:] = sim
        return _metric_rows(full, gain[queries], queries, metric)

    best = value(weights)
    for _ in range(rounds):
        changed = False
        for name in names:
            options = [0.0, 1.0] if weights[name] == 0 else [0.0, 0.5, 2.0]
            for factor in options:
                trial = dict(weights)
                trial[name] = factor if weights[name] == 0 else weights[name] * factor
                v = value(trial)
                if v > best + 1e-6:
                    best, weights, changed = v, trial, True
        if not changed:
            break
    top = max(weights.values())
    return {k: round(v / top, 4) for k, v in weights.items()}


def _metric_rows(rows: np.ndarray, gain_rows: np.ndarray, queries: np.ndarray, metric: str):
    """:func:`ranking_metrics` on pre-sliced rows (row i is query ``queries[i]``)."""
    n = gain_rows.shape[1]
    score = np.zeros((n, n), dtype=np.float32)
    gain = np.zeros((n, n), dtype=np.int8)
    score[queries] = rows
    gain[queries] = gain_rows
    return ranking_metrics(score, gain, queries)[metric]


def split_evaluation(
    comps: dict[str, np.ndarray],
    gain: np.ndarray,
    *,
    splits: int = 5,
    seed: int = 0,
    names: tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Repeated two-fold: choose weights on one half of the queries, score them on the other
    (both directions, ``splits`` random halvings). Returns per-fold weights and test metrics."""
    rng = np.random.default_rng(seed)
    n = gain.shape[0]
    candidates = np.flatnonzero(gain.max(axis=1) > 0)
    weight_rows, metric_rows = [], []
    for s in range(splits):
        perm = rng.permutation(candidates)
        halves = (perm[: len(perm) // 2], perm[len(perm) // 2 :])
        for fold, (train, test) in enumerate((halves, halves[::-1])):
            w = search_weights(comps, gain, np.sort(train), names=names)
            sim = combine(comps, w)
            m = ranking_metrics(sim, gain, np.sort(test))
            weight_rows.append({"split": s, "fold": fold, **w})
            metric_rows.append({"split": s, "fold": fold, **m})
    del n
    return pd.DataFrame(weight_rows), pd.DataFrame(metric_rows)
