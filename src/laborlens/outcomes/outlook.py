"""Outlook and usage: projected 2024–34 growth against exposure; AI usage v1 → v5 by occupation.

Projections: BLS Employment Projections 2024–34 line items on NEM codes. A NEM code that pools
several SOC 2018 codes takes the mean of its members' exposure. The slope of projected growth
(percent, 2024–34) on exposure is employment-weighted (2024 employment) with HC1 intervals,
reported per 10 percentage points of exposure for measures on a 0–1 scale (as Anthropic 2026
reports −0.6 pp per +10 pp of observed exposure) and per standard deviation for every measure.

Usage: the Anthropic Economic Index task shares of each release (v1 2025-02, v2 2025-03, v3
2025-09, v4 2026-01, v5 2026-03 in the mirror's derived copies) rolled up to SOC 2018 codes the
way ``measures_soc2018`` rolls up v1 (a task shared by several occupations splits its share
equally; see :func:`laborlens.measures.core.aei_to_soc2018`), then compared across releases.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from laborlens.measures.core import aei_to_soc2018

UNIT_SCALE = {"beta_human", "beta_gpt4", "beta_model", "ms_ai_applicability", "ilo_2025",
              "frey_osborne"}  # fmt: skip


def projection_exposure(
    projections: pd.DataFrame, nem: pd.DataFrame, measures: pd.DataFrame, names: list[str]
) -> pd.DataFrame:
    """Line items with exposure: soc_code (NEM), employment_2024, change_percent, measures."""
    lines = projections[projections["occupation_type"] == "Line item"]
    m = measures.set_index("soc_2018_code")[names]
    members = nem[["nem_code", "soc_2018_code"]].drop_duplicates()
    direct = lines["soc_code"].isin(m.index)
    out = lines.loc[direct, ["soc_code", "title", "employment_2024", "change_percent"]].copy()
    out = out.join(m, on="soc_code")
    pooled = lines[~direct & lines["soc_code"].isin(members["nem_code"])]
    mem = members[members["nem_code"].isin(pooled["soc_code"])].join(m, on="soc_2018_code")
    pooled_vals = mem.groupby("nem_code")[names].mean()
    extra = pooled[["soc_code", "title", "employment_2024", "change_percent"]].join(
        pooled_vals, on="soc_code"
    )
    return pd.concat([out, extra], ignore_index=True)


def projection_slopes(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """measure, slope_per_10pp (0–1 measures), slope_per_sd, CIs, n, employment-weighted."""
    import statsmodels.api as sm

    rows = []
    for name in names:
        d = table[["change_percent", "employment_2024", name]].dropna()
        d = d[d["employment_2024"] > 0]
        if len(d) < 10:
            continue
        w = d["employment_2024"].to_numpy()
        x = d[name].to_numpy()
        sd = float(np.sqrt(np.average((x - np.average(x, weights=w)) ** 2, weights=w)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.WLS(d["change_percent"].to_numpy(), sm.add_constant(x), weights=w).fit(
                cov_type="HC1"
            )
        b = float(fit.params[1])
        lo, hi = (float(v) for v in fit.conf_int(0.05)[1])
        rec = {
            "measure": name,
            "slope_per_sd": b * sd,
            "ci_low_sd": lo * sd,
            "ci_high_sd": hi * sd,
            "n": len(d),
            "employment_share": float(w.sum() / table["employment_2024"].sum()),
        }
        unit = name in UNIT_SCALE
        rec["slope_per_10pp"] = b * 0.1 if unit else np.nan
        rec["ci_low_10pp"] = lo * 0.1 if unit else np.nan
        rec["ci_high_10pp"] = hi * 0.1 if unit else np.nan
        rows.append(rec)
    return pd.DataFrame(rows)


def usage_by_release(
    releases: dict[str, pd.DataFrame], tasks: pd.DataFrame, onet_xwalk: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Wide table soc_2018_code × release (percent of conversations), and per release the
    number of task names that match no task statement (their share is left out)."""
    cols, unmatched = {}, {}
    for name, usage in releases.items():
        usage = usage.assign(task_name=usage["task_name"].str.lower().str.strip())
        usage = usage.groupby("task_name", as_index=False)["pct"].sum()
        series, lost = aei_to_soc2018(usage, tasks, onet_xwalk)
        total = float(usage["pct"].sum())
        # releases differ in scale (percent or fraction): make each sum to 100 over tasks
        cols[name] = series * (100.0 / total) if total else series
        unmatched[name] = len(lost)
    wide = pd.DataFrame(cols)
    wide.index.name = "soc_2018_code"
    return wide.reset_index(), unmatched


def usage_growth(
    wide: pd.DataFrame, measures: pd.DataFrame, names: list[str], first: str, last: str
) -> pd.DataFrame:
    """Per occupation: usage in the first and last release, change (pp), and the employment-
    weighted correlation of the change with each exposure measure (one row per measure)."""
    m = measures.set_index("soc_2018_code")
    d = wide.set_index("soc_2018_code")[[first, last]].fillna(0.0)
    d["change"] = d[last] - d[first]
    d = d.join(m[["employment", *names]], how="inner")
    rows = []
    for name in names:
        ok = d[name].notna() & (d["employment"] > 0)
        x, y, w = d.loc[ok, name], d.loc[ok, "change"], d.loc[ok, "employment"]
        mx, my = np.average(x, weights=w), np.average(y, weights=w)
        cov = np.average((x - mx) * (y - my), weights=w)
        sx = np.sqrt(np.average((x - mx) ** 2, weights=w))
        sy = np.sqrt(np.average((y - my) ** 2, weights=w))
        rows.append(
            {
                "measure": name,
                "correlation_with_usage_change": float(cov / (sx * sy)) if sx and sy else np.nan,
                "n": int(ok.sum()),
            }
        )
    return pd.DataFrame(rows)
