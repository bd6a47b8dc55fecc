"""Is new work more exposed than the work it replaced?

For one comparison of releases (rated statements from :func:`laborlens.emerging.change`):

* per occupation: statement counts by status, turnover (share of statements added, dropped
  or reworded; identical text under a new ID does not count), mean β of new and of removed
  statements and their difference Δβ (new − removed) with a percentile bootstrap interval
  (statements resampled within each set), the paired β change of revisions;
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
    codes, uniques = pd.factorize(change["onet_soc_code"], sort=True)
    status = change["status"].to_numpy(dtype=object)
    beta = change["beta"].to_numpy(dtype=float)
    k = len(uniques)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=k)

    def mean(mask: np.ndarray) -> np.ndarray:
        n = count(mask)
        total = np.bincount(codes[mask], weights=beta[mask], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, total / np.maximum(n, 1), np.nan)

    is_new, is_removed = status == "new", status == "removed"
    n = {s: count(status == s) for s in ("new", "removed", "revised_new", "unchanged")}
    kind = change["revision_kind"].eq("new_id_same_text").fillna(False).to_numpy(dtype=bool)
    same_text = count((status == "revised_new") & kind)
    before = np.isin(status, ["unchanged", "revised_old", "removed"])
    after = np.isin(status, ["unchanged", "revised_new", "new"])
    frame = pd.DataFrame(
        {
            "onet_soc_code": np.asarray(uniques, dtype=object),
            "n_before": count(before),
            "n_after": count(after),
            "n_new": n["new"],
            "n_removed": n["removed"],
            "n_revised": n["revised_new"],
            "n_unchanged": n["unchanged"],
            "n_same_text_new_id": same_text,
            "beta_before": mean(before),
            "beta_after": mean(after),
            "beta_new": mean(is_new),
            "beta_removed": mean(is_removed),
        }
    )
    total = frame[["n_new", "n_removed", "n_revised", "n_unchanged"]].sum(axis=1)
    # Content turnover: statements added, dropped or reworded; an identical statement re-issued
    # under a new ID is not a change of content.
    changed = total - frame["n_unchanged"] - frame["n_same_text_new_id"]
    frame["turnover"] = (changed / total.where(total > 0)).astype(float)
    both = (frame["n_new"] > 0) & (frame["n_removed"] > 0)
    frame["delta_beta"] = (frame["beta_new"] - frame["beta_removed"]).where(both)

    # Statement bootstrap within each set, occupation by occupation (numpy slices only).
    order = np.lexsort((status, codes))
    sorted_codes = codes[order]
    starts = np.searchsorted(sorted_codes, np.arange(k))
    ends = np.searchsorted(sorted_codes, np.arange(k), side="right")
    all_draws = np.full((k, draws), np.nan)
    for g in np.flatnonzero(both.to_numpy()):
        rows = order[starts[g] : ends[g]]
        b_new = beta[rows[status[rows] == "new"]]
        b_rem = beta[rows[status[rows] == "removed"]]
        all_draws[g] = _mean_draws(b_new, rng, draws) - _mean_draws(b_rem, rng, draws)
    frame["delta_ci_low"] = np.where(both, np.quantile(all_draws, 0.025, axis=1), np.nan)
    frame["delta_ci_high"] = np.where(both, np.quantile(all_draws, 0.975, axis=1), np.nan)

    # Revisions: mean β change from the earlier to the later wording of the same statement.
    old = change[change["status"] == "revised_old"][["matched_task_id", "beta"]]
    new = change[change["status"] == "revised_new"][["onet_soc_code", "task_id", "beta"]]
    pairs = new.merge(old, left_on="task_id", right_on="matched_task_id", suffixes=("", "_old"))
    delta = (pairs["beta"] - pairs["beta_old"]).groupby(pairs["onet_soc_code"]).mean()
    frame["revision_delta_beta"] = frame["onet_soc_code"].map(delta).astype(float)
    frame["beta_shift"] = frame["beta_after"] - frame["beta_before"]
    cols = [
        "onet_soc_code", "n_before", "n_after", "n_new", "n_removed", "n_revised",
        "n_unchanged", "n_same_text_new_id", "turnover", "beta_before", "beta_after",
        "beta_new", "beta_removed",
        "delta_beta", "delta_ci_low", "delta_ci_high", "revision_delta_beta", "beta_shift",
    ]
    return frame[cols], all_draws


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
    """Employment-weighted Δβ (new − removed) per group and for all occupations, and the same
    with every occupation weighted equally (``delta_beta_equal``).

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
            eq, d_eq = weighted_draws(
                occ.loc[use, "delta_beta"].to_numpy(float), np.ones(len(w)), occ_draws[use], rng
            )
            row.update(
                beta_new=float(np.sum(w * occ.loc[use, "beta_new"]) / w.sum()),
                beta_removed=float(np.sum(w * occ.loc[use, "beta_removed"]) / w.sum()),
                delta_beta=point,
                delta_ci_low=float(np.nanquantile(d, 0.025)),
                delta_ci_high=float(np.nanquantile(d, 0.975)),
                delta_beta_equal=eq,
                delta_equal_ci_low=float(np.nanquantile(d_eq, 0.025)),
                delta_equal_ci_high=float(np.nanquantile(d_eq, 0.975)),
            )
        else:
            row.update(
                beta_new=np.nan,
                beta_removed=np.nan,
                delta_beta=np.nan,
                delta_ci_low=np.nan,
                delta_ci_high=np.nan,
                delta_beta_equal=np.nan,
                delta_equal_ci_low=np.nan,
                delta_equal_ci_high=np.nan,
            )
        out.append(row)
    return pd.DataFrame(out)
