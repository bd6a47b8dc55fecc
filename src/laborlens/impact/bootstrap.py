"""Bootstrap draws of occupation scores, vectorised over draws and tasks.

Each draw resamples, within every occupation, as many tasks as it has, with replacement (the
occupation's task list is treated as a sample of its work). For model scores each resampled
task also gets a label drawn from its predicted (p_E0, p_E1, p_E2), so the interval carries the
model's own uncertainty. Every aggregate is then computed from the drawn occupation scores with
the same matrix products as the point estimate, and the percentile interval is reported.
A fixed seed gives identical draws.
"""

from __future__ import annotations

import numpy as np

from laborlens.exceptions import ConfigError
from laborlens.exposure.rubric import measure_values
from laborlens.impact.aggregate import TaskArrays

CHUNK = 100  # draws per block: bounds memory at CHUNK × tasks values per array


def occupation_draws(
    ta: TaskArrays, measure: str, n_draws: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (draws × occupations) and whether each draw has a score (weights sum > 0)."""
    if n_draws < 1:
        msg = f"bootstrap draws must be at least 1; got {n_draws}"
        raise ConfigError(msg)
    rng = np.random.default_rng(seed)
    n_tasks, n_occ = len(ta.weight), ta.n_occ
    first = ta.starts[ta.occ_index]
    size = ta.counts[ta.occ_index]
    values = measure_values(ta.p_e1, ta.p_e2, measure)
    scores = np.empty((n_draws, n_occ))
    has = np.empty((n_draws, n_occ), dtype=bool)
    for start in range(0, n_draws, CHUNK):
        b = min(CHUNK, n_draws - start)
        pos = first + (rng.random((b, n_tasks)) * size).astype(np.int64)
        w = ta.weight[pos]
        if ta.probabilistic:
            u = rng.random((b, n_tasks))
            p1 = ta.p_e1[pos]
            e1 = u < p1
            e2 = ~e1 & (u < p1 + ta.p_e2[pos])
            v = measure_values(e1.astype("float64"), e2.astype("float64"), measure)
        else:
            v = values[pos]
        keys = (np.arange(b)[:, None] * n_occ + ta.occ_index[None, :]).ravel()
        num = np.bincount(keys, weights=(w * v).ravel(), minlength=b * n_occ).reshape(b, n_occ)
        den = np.bincount(keys, weights=w.ravel(), minlength=b * n_occ).reshape(b, n_occ)
        ok = den > 0
        scores[start : start + b] = np.divide(num, den, out=np.zeros_like(num), where=ok)
        has[start : start + b] = ok
    return scores, has
