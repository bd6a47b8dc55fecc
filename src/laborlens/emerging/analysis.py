"""Is new work more exposed than the work it replaced?

For one comparison of releases (rated statements from :func:`laborlens.emerging.change`):

* per occupation: statement counts by status, turnover, mean β of new and of removed statements
  and their difference Δβ (new − removed) with a percentile bootstrap interval (statements
  resampled within each set), the paired β change of revisions;
* per SOC major group and economy-wide: the employment-weighted mean of the occupations' Δβ
  over occupations with both new and removed statements, with a two-stage bootstrap interval
  (occupations resampled with replacement, each contributing its own bootstrap draw of Δβ), so
  the interval covers both which occupations O*NET happened to revise and the statements.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DRAWS", "SEED", "group_change", "occupation_change", "weighted_draws"]

DRAWS = 1000
SEED = 0


def _mean_draws(values: np.ndarray, rng: np.random.Generator, draws: int) -> np.ndarray:
    if len(values) == 0:
        return np.full(draws, np.nan)
    idx = rng.integers(0, len(values), size=(draws, len(values)))
    return values[idx].mean(axis=1)


def occupation_change(
    change: pd.DataFrame, *, draws: int = DRAWS, seed: int = SEED
) -> tuple[pd.DataFrame, np.ndarray]:
    """Per occupation of one comparison: counts, turnover, β of new vs removed statements.

    Returns the frame (one row per onet_soc_code) and the bootstrap draws of ``delta_beta``
    (occupations × draws, NaN where an occupation lacks new or removed statements), rows
    aligned with the frame.
    """
    rng = np.random.default_rng(seed)
    rows = []
    all_draws = []
    for code, g in change.groupby("onet_soc_code", sort=True):
        status = g["status"]
        n = {s: int((status == s).sum()) for s in ("new", "removed", "revised_new", "unchanged")}
        b_new = g.loc[status == "new", "beta"].to_numpy(float)
        b_rem = g.loc[status == "removed", "beta"].to_numpy(float)
        before = g.loc[status.isin(["unchanged", "revised_old", "removed"]), "beta"]
        after = g.loc[status.isin(["unchanged", "revised_new", "new"]), "beta"]
        old_rev = g[status == "revised_old"].set_index("matched_task_id")["beta"]
        new_rev = g[status == "revised_new"].set_index("task_id")["beta"]
        paired = (new_rev - old_rev.reindex(new_rev.index)).dropna()
        d = _mean_draws(b_new, rng, draws) - _mean_draws(b_rem, rng, draws)
        all_draws.append(d)
        both = len(b_new) > 0 and len(b_rem) > 0
        total = n["new"] + n["removed"] + n["revised_new"] + n["unchanged"]
        rows.append(
            {
                "onet_soc_code": code,
                "n_before": len(before),
                "n_after": len(after),
                "n_new": n["new"],
                "n_removed": n["removed"],
                "n_revised": n["revised_new"],
                "n_unchanged": n["unchanged"],
                "turnover": (total - n["unchanged"]) / total if total else np.nan,
                "beta_before": float(before.mean()) if len(before) else np.nan,
                "beta_after": float(after.mean()) if len(after) else np.nan,
                "beta_new": float(b_new.mean()) if len(b_new) else np.nan,
                "beta_removed": float(b_rem.mean()) if len(b_rem) else np.nan,
                "delta_beta": float(b_new.mean() - b_rem.mean()) if both else np.nan,
                "delta_ci_low": float(np.quantile(d, 0.025)) if both else np.nan,
                "delta_ci_high": float(np.quantile(d, 0.975)) if both else np.nan,
                "revision_delta_beta": float(paired.mean()) if len(paired) else np.nan,
            }
        )
    frame = pd.DataFrame(rows)
    frame["beta_shift"] = frame["beta_after"] - frame["beta_before"]
    return frame, np.vstack(all_draws) if all_draws else np.zeros((0, draws))


def weighted_draws(
    values: np.ndarray,
    weights: np.ndarray,
    draws_matrix: np.ndarray,
    rng: np.random.Generator,
) -> tuple[float, np.ndarray]:
    """Weighted mean of ``values`` and its two-stage bootstrap draws (units resampled, each
    unit's own draw used in each replicate)."""
    n, b = draws_matrix.shape
    point = float(np.sum(weights * values) / np.sum(weights))
    idx = rng.integers(0, n, size=(b, n))
    w = weights[idx]
    d = draws_matrix[idx, np.arange(b)[:, None]]
    return point, (w * d).sum(axis=1) / w.sum(axis=1)


def group_change(
    occ: pd.DataFrame,
    occ_draws: np.ndarray,
    *,
    group_column: str = "soc_major_code",
    title_column: str = "soc_major_title",
    seed: int = SEED,
) -> pd.DataFrame:
    """Employment-weighted Δβ (new − removed) per group and for all occupations.

    ``occ`` is :func:`occupation_change`'s frame with ``employment`` and the group columns
    added; rows line up with ``occ_draws``. Only occupations with new and removed statements
    and known employment enter; coverage columns say how many and how much employment.
    """
    rng = np.random.default_rng(seed)
    has = occ["delta_beta"].notna() & (occ["employment"].fillna(0) > 0)
    out = []
    groups = [("all", "All occupations", np.ones(len(occ), bool))]
    for code, title in (
        occ[[group_column, title_column]].drop_duplicates().sort_values(group_column).to_numpy()
    ):
        groups.append((code, title, (occ[group_column] == code).to_numpy()))
    for code, title, member in groups:
        use = member & has.to_numpy()
        emp_all = occ.loc[member, "employment"].sum()
        row = {
            "group": code,
            "group_title": title,
            "occupations": int(member.sum()),
            "occupations_used": int(use.sum()),
            "employment_used_share": float(occ.loc[use, "employment"].sum() / emp_all)
            if emp_all
            else np.nan,
            "n_new": int(occ.loc[member, "n_new"].sum()),
            "n_removed": int(occ.loc[member, "n_removed"].sum()),
        }
        if use.sum() >= 2:
            w = occ.loc[use, "employment"].to_numpy(float)
            point, d = weighted_draws(
                occ.loc[use, "delta_beta"].to_numpy(float), w, occ_draws[use], rng
            )
            row.update(
                beta_new=float(np.sum(w * occ.loc[use, "beta_new"]) / w.sum()),
                beta_removed=float(np.sum(w * occ.loc[use, "beta_removed"]) / w.sum()),
                delta_beta=point,
                delta_ci_low=float(np.nanquantile(d, 0.025)),
                delta_ci_high=float(np.nanquantile(d, 0.975)),
            )
        else:
            row.update(
                beta_new=np.nan,
                beta_removed=np.nan,
                delta_beta=np.nan,
                delta_ci_low=np.nan,
                delta_ci_high=np.nan,
            )
        out.append(row)
    return pd.DataFrame(out)
