"""From occupation scores to workers: SOC 2018 roll-up, employment weighting, headline shares.

O*NET-SOC 2019 occupations map to the occupation codes OEWS publishes employment for through the
BLS National Employment Matrix crosswalk: SOC 2018 detailed codes, except a dozen codes where BLS
pools several detailed occupations (13-1020, 31-1120 …). Several O*NET occupations can share one
such code, whose score is then their unweighted mean (OEWS has no employment below it).
Every result reports its coverage: how many occupations and how much employment had a score,
so nothing drops out silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from laborlens.exposure.occupation import MEASURES


def soc_exposure(occ_scores: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Average O*NET-SOC scores onto the OEWS/NEM occupation codes.

    ``occ_scores`` has onet_soc_code and the measure columns; ``crosswalk`` has onet_soc_code
    and nem_code. Returns nem_code, the measures and n_onet (occupations averaged).
    """
    merged = occ_scores.merge(
        crosswalk[["onet_soc_code", "nem_code"]], on="onet_soc_code", how="inner"
    )
    scored = merged.dropna(subset=["beta"])
    grouped = scored.groupby("nem_code")
    out = grouped[list(MEASURES)].mean()
    out["n_onet"] = grouped.size()
    return out.reset_index()


@dataclass(frozen=True)
class Coverage:
    """How much of the workforce a result covers."""

    occupations_scored: int
    occupations_total: int
    employment_scored: float
    employment_total: float

    @property
    def employment_share(self) -> float:
        return self.employment_scored / self.employment_total if self.employment_total else np.nan


def with_employment(soc_scores: pd.DataFrame, oews: pd.DataFrame) -> tuple[pd.DataFrame, Coverage]:
    """Join SOC scores to OEWS detailed occupations; unscored occupations stay in, with NaN."""
    detailed = oews[oews["o_group"] == "detailed"][
        ["soc_code", "title", "employment", "a_median", "a_median_topcoded"]
    ].rename(columns={"soc_code": "nem_code"})
    # OEWS lists a few pooled codes twice (as broad and as detailed); keep one row per code.
    detailed = detailed.drop_duplicates("nem_code")
    joined = detailed.merge(soc_scores, on="nem_code", how="left")
    joined["soc_major_code"] = joined["nem_code"].str[:2] + "-0000"
    has = joined["beta"].notna()
    emp = joined["employment"].fillna(0.0)
    coverage = Coverage(
        occupations_scored=int(has.sum()),
        occupations_total=len(joined),
        employment_scored=float(emp[has].sum()),
        employment_total=float(emp.sum()),
    )
    return joined, coverage


def weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Weighted mean over rows where both are present."""
    ok = values.notna() & weights.notna()
    w = weights[ok]
    return float((values[ok] * w).sum() / w.sum()) if w.sum() > 0 else np.nan


def by_major_group(joined: pd.DataFrame, major_titles: pd.DataFrame) -> pd.DataFrame:
    """Employment-weighted α/β/γ per SOC major group, with its coverage."""
    rows = []
    for code, g in joined.groupby("soc_major_code"):
        has = g["beta"].notna()
        row = {
            "soc_major_code": code,
            "employment": g["employment"].sum(),
            "employment_scored": g.loc[has, "employment"].sum(),
            "occupations": len(g),
            "occupations_scored": int(has.sum()),
        }
        for m in MEASURES:
            row[m] = weighted_mean(g[m], g["employment"])
        rows.append(row)
    out = pd.DataFrame(rows)
    titles = major_titles.rename(columns={"soc_code": "soc_major_code", "title": "soc_major_title"})
    out = out.merge(titles[["soc_major_code", "soc_major_title"]], on="soc_major_code", how="left")
    cols = [
        "soc_major_code",
        "soc_major_title",
        *MEASURES,
        "employment",
        "employment_scored",
        "occupations",
        "occupations_scored",
    ]
    return out[cols].sort_values("beta", ascending=False, ignore_index=True)


def share_of_workers(joined: pd.DataFrame, thresholds=(0.1, 0.5)) -> pd.DataFrame:
    """Share of scored employment whose occupation has at least each threshold of tasks exposed,
    for each measure."""
    scored = joined[joined["beta"].notna() & joined["employment"].notna()]
    total = scored["employment"].sum()
    rows = []
    for m in MEASURES:
        for t in thresholds:
            share = scored.loc[scored[m] >= t, "employment"].sum() / total if total else np.nan
            rows.append(
                {
                    "measure": m,
                    "threshold": t,
                    "share_of_workers": share,
                    "workers": scored.loc[scored[m] >= t, "employment"].sum(),
                }
            )
    return pd.DataFrame(rows)
