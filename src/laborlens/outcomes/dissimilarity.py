"""Occupational-mix dissimilarity: how much the composition of employment changed between years.

For years a and b, D(a, b) = ½ Σ_i |s_ia − s_ib|, where s_iy is occupation i's share of the
year's harmonized employment, over the SOC 2018 codes the panel has in both years (the share
of workers who would have to change occupation for b's mix to equal a's). The Yale Budget Lab
(2025) asks whether the change since ChatGPT is unusual by comparing it with earlier windows
of the same length; :func:`windows` lists those windows.

Caveat: in 2017–2020 the split codes carry later years' shares, so changes inside a split are
invisible before 2021 and D is biased down for windows starting before 2021.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def dissimilarity(panel: pd.DataFrame) -> pd.DataFrame:
    """Every ordered pair of panel years: year_from, year_to, years_apart, dissimilarity (0–1),
    n_occupations (codes with employment in both years)."""
    emp = panel.pivot(index="soc_2018_code", columns="year", values="employment")
    years = sorted(emp.columns)
    rows = []
    for i, a in enumerate(years):
        for b in years[i + 1 :]:
            both = emp[[a, b]].dropna()
            both = both[(both > 0).all(axis=1)]
            sa, sb = both[a] / both[a].sum(), both[b] / both[b].sum()
            rows.append(
                {
                    "year_from": int(a),
                    "year_to": int(b),
                    "years_apart": int(b - a),
                    "dissimilarity": float(0.5 * np.abs(sa - sb).sum()),
                    "n_occupations": len(both),
                }
            )
    return pd.DataFrame(rows)


def windows(table: pd.DataFrame, length: int, end_after: int = 2022) -> pd.DataFrame:
    """Windows of ``length`` years, each flagged ``post`` when it starts at or after the base
    year ``end_after`` (the post-ChatGPT window(s)) for comparison with the earlier ones."""
    w = table[table["years_apart"] == length].copy()
    w["post"] = w["year_from"] >= end_after
    return w.reset_index(drop=True)
