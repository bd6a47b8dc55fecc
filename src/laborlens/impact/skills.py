"""Skills shift: which skills, knowledge areas and technologies are concentrated in highly
exposed employment, and so which ones AI is most likely to raise or lower demand for.

Method. Each O*NET occupation gets its exposure score (the chosen source, weighting and
measure) and an employment: its OEWS code's employment shared equally among the O*NET
occupations linked to that code. Occupations are split into employment-weighted terciles of
exposure (each tercile holds about a third of covered employment).

- Skills and knowledge (O*NET importance ratings, scale IM, 1–5): for each element, the
  employment-weighted mean importance in the top and the bottom tercile, their difference
  (``gap``, ranked), and the employment-weighted least-squares slope of importance on the
  exposure score over all covered occupations.
- Technology skills (O*NET software categories): the share of employment of the occupations
  listing a category that falls in the top tercile and in the bottom tercile; ``gap`` is their
  difference (a category used evenly across exposure has gap ≈ 0). Categories listed by fewer
  than ``min_occupations`` occupations are left out (counted in the table's note).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from laborlens.db.connection import connect, query
from laborlens.impact.aggregate import occupation_scores, task_arrays
from laborlens.impact.automation import _onet_employment
from laborlens.impact.choices import Choices
from laborlens.impact.data import ImpactData


def occupation_exposure_terciles(data: ImpactData, choices: Choices) -> pd.DataFrame:
    """onet_soc_code, score, employment and tercile (1 low … 3 high) of covered occupations."""
    ta = task_arrays(
        data.tasks[choices.source], choices.weighting, probabilistic=choices.source == "model"
    )
    s, h = occupation_scores(ta, choices.measure)
    occ = pd.DataFrame({"onet_soc_code": ta.occ_codes, "score": s[0]})[h[0]]
    occ["employment"] = occ["onet_soc_code"].map(
        _onet_employment(data, choices.vintage, occ["onet_soc_code"])
    )
    occ = occ[occ["employment"] > 0].sort_values("score", kind="stable")
    cum = occ["employment"].cumsum()
    mid = (cum - occ["employment"] / 2) / cum.iloc[-1]
    occ["tercile"] = np.minimum((mid * 3).astype(int) + 1, 3)
    return occ.reset_index(drop=True)


def _wmean(x: pd.Series, w: pd.Series) -> float:
    return float((x * w).sum() / w.sum()) if w.sum() > 0 else np.nan


def _slope(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    var = np.average((x - xm) ** 2, weights=w)
    return float(np.average((x - xm) * (y - ym), weights=w) / var) if var > 0 else np.nan


def rating_shift(occ: pd.DataFrame, ratings: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Per element: importance in high vs low exposure employment, gap and slope."""
    r = ratings[(ratings["scale_id"] == "IM")].merge(occ, on="onet_soc_code")
    rows = []
    for (eid, name), g in r.groupby(["element_id", "element_name"]):
        hi, lo = g[g["tercile"] == 3], g[g["tercile"] == 1]
        rows.append(
            {
                "kind": kind,
                "element_id": eid,
                "element_name": name,
                "importance_high_exposure": _wmean(hi["data_value"], hi["employment"]),
                "importance_low_exposure": _wmean(lo["data_value"], lo["employment"]),
                "slope_on_exposure": _slope(
                    g["score"].to_numpy(), g["data_value"].to_numpy(), g["employment"].to_numpy()
                ),
                "occupations": len(g),
            }
        )
    out = pd.DataFrame(rows)
    out["gap"] = out["importance_high_exposure"] - out["importance_low_exposure"]
    return out.sort_values("gap", ascending=False, ignore_index=True)


def technology_shift(
    occ: pd.DataFrame, tech: pd.DataFrame, min_occupations: int = 10
) -> pd.DataFrame:
    """Per software category: share of its users' employment in high and low exposure."""
    t = tech[["onet_soc_code", "commodity_title"]].drop_duplicates().merge(occ, on="onet_soc_code")
    g = t.groupby("commodity_title")
    emp = g["employment"].sum()
    out = pd.DataFrame(
        {
            "occupations": g.size(),
            "employment": emp,
            "share_high_exposure": t[t["tercile"] == 3]
            .groupby("commodity_title")["employment"]
            .sum()
            .reindex(emp.index, fill_value=0.0)
            / emp,
            "share_low_exposure": t[t["tercile"] == 1]
            .groupby("commodity_title")["employment"]
            .sum()
            .reindex(emp.index, fill_value=0.0)
            / emp,
        }
    ).reset_index()
    out["gap"] = out["share_high_exposure"] - out["share_low_exposure"]
    out = out[out["occupations"] >= min_occupations]
    return out.sort_values("gap", ascending=False, ignore_index=True)


def skills_shift(data: ImpactData, choices: Choices) -> dict[str, pd.DataFrame]:
    """``skills_shift`` (skills and knowledge) and ``technology_shift`` tables, with choices."""
    occ = occupation_exposure_terciles(data, choices)
    with connect(data.settings.db_path) as con:
        skills = query(
            con,
            "SELECT onet_soc_code, element_id, element_name, scale_id, data_value FROM onet_skills",
        )
        knowledge = query(
            con,
            "SELECT onet_soc_code, element_id, element_name, scale_id, "
            "data_value FROM onet_knowledge",
        )
        tech = query(con, "SELECT onet_soc_code, commodity_title FROM onet_technology_skills")
    ratings = pd.concat(
        [rating_shift(occ, skills, "skill"), rating_shift(occ, knowledge, "knowledge")],
        ignore_index=True,
    ).sort_values("gap", ascending=False, ignore_index=True)
    techs = technology_shift(occ, tech)
    for frame in (ratings, techs):
        for k, v in choices.as_columns().items():
            frame[k] = v
    return {"skills_shift": ratings, "technology_shift": techs}
