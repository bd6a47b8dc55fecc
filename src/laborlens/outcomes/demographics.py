"""Who is exposed: age (CPS 2025), sex and race (CPS 2022) of workers by exposure group.

CPS tables name Census occupations (2018 Census titles). Each is linked to SOC 2018 detailed
codes through the Census Bureau's code list (:func:`laborlens.sources.cps.census_soc_links`);
its exposure is the employment-weighted mean (OEWS, the ``measures_soc2018`` employment) of the
measure over its codes. Census occupations are then placed in quantiles of *CPS* workers by
exposure (group 1 least exposed), and each group's shares are computed from CPS counts:
workers aged 20–24 and 55 and over (CPS 2025), women, White, Black or African American,
Asian, Hispanic or Latino (CPS 2022; occupations whose share is not published — a dash, base
under 50,000 — are left out of that share's denominator, and the coverage is stated).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.outcomes.trends import worker_groups
from laborlens.sources.cps import normalise_title

_SHARES_2022 = ("women", "white", "black", "asian", "hispanic")


def census_exposure(
    links: pd.DataFrame, measures: pd.DataFrame, names: list[str]
) -> pd.DataFrame:
    """Per Census title (normalised): employment-weighted mean of each measure over its codes."""
    m = measures.set_index("soc_2018_code")
    lk = links.dropna(subset=["soc_2018_code"]).copy()
    lk["key"] = lk["census_title"].map(normalise_title)
    lk["w"] = lk["soc_2018_code"].map(m["employment"]).fillna(0.0)
    out = {}
    for name in names:
        v = lk["soc_2018_code"].map(m[name])
        ok = v.notna()
        # unweighted mean where the codes have no OEWS employment (military)
        w = lk["w"].where(lk.loc[ok, "w"].groupby(lk.loc[ok, "key"]).transform("sum") > 0, 1.0)
        part = pd.DataFrame({"key": lk.loc[ok, "key"], "vw": v[ok] * w[ok], "w": w[ok]})
        g = part.groupby("key")
        out[name] = g["vw"].sum() / g["w"].sum()
    return pd.DataFrame(out)


def _attach(cps: pd.DataFrame, exposure: pd.DataFrame) -> pd.DataFrame:
    cps = cps.assign(key=cps["occupation"].map(normalise_title))
    return cps[cps["key"].isin(exposure.index)].drop_duplicates("key")


def by_group(
    age: pd.DataFrame,
    sex_race: pd.DataFrame,
    exposure: pd.DataFrame,
    names: list[str],
    groups: int = 5,
) -> pd.DataFrame:
    """measure, group, n_occupations, employed_2025, share_20_24, share_55_plus,
    employed_2022, share_women … share_hispanic (percent), coverage_2022 (share of the group's
    2022 workers in occupations with published shares)."""
    a = _attach(age, exposure)
    s = _attach(sex_race, exposure)
    rows = []
    for name in names:
        x = exposure[name]
        aa = a[a["key"].map(x).notna() & (a["employed"] > 0)]
        ga = worker_groups(aa["key"].map(x), aa["employed"], groups)
        ss = s[s["key"].map(x).notna() & (s["employed"] > 0)]
        gs = worker_groups(ss["key"].map(x), ss["employed"], groups)
        for g in range(1, groups + 1):
            pa, ps = aa[ga == g], ss[gs == g]
            emp = pa["employed"].sum()
            rec = {
                "measure": name,
                "group": g,
                "n_occupations": len(pa),
                "employed_2025": float(emp),
                "share_20_24": 100 * pa["age_20_24"].sum() / emp if emp else np.nan,
                "share_55_plus": 100 * (pa["age_55_64"] + pa["age_65_plus"]).sum() / emp
                if emp
                else np.nan,
                "employed_2022": float(ps["employed"].sum()),
            }
            ok = ps["pct_women"].notna()
            rec["coverage_2022"] = (
                float(ps.loc[ok, "employed"].sum() / ps["employed"].sum())
                if ps["employed"].sum()
                else np.nan
            )
            for k in _SHARES_2022:
                col = f"pct_{k}"
                okk = ps[col].notna()
                w = ps.loc[okk, "employed"]
                share = (ps.loc[okk, col] * w).sum() / w.sum() if w.sum() else np.nan
                rec[f"share_{k}"] = float(share)
            rows.append(rec)
    return pd.DataFrame(rows)
