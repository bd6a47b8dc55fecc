"""A one-page summary of one occupation, for a reader who is not an economist.

:func:`occupation_summary` gathers, for one occupation (code or title): its facts; its share of
tasks exposed by every source of task ratings and every public AI-exposure measure, with how
far they agree; the tasks most and least exposed; employment and wages; the best career moves;
and, once the outcomes capability is in the database, employment and wage trends
(:data:`TREND_PROVIDER`). The result is a plain dict, ready for JSON; the CLI renders it.
"""

from __future__ import annotations

import importlib
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from laborlens.exposure.rubric import (
    MEASURE_NAMES,
    SOURCE_NAMES,
    label_probabilities,
    measure_values,
)
from laborlens.occupations.profile import occupation_profile, occupation_tasks

CAVEAT = (
    "Exposure is not job loss: it counts tasks a large language model could speed up by half or "
    "more, not jobs that will go."
)
TREND_PROVIDER = "laborlens.outcomes:occupation_trends"
"""``module:function(con, onet_soc_code) -> dict | None`` giving employment and wage trends; the
outcomes capability provides it. Until its module is installed the summary says trends are not
available, instead of failing."""

AGREE_SPREAD = 25.0
"""Percentile points: measures whose percentiles for the occupation lie within this of each
other are said to agree."""


def _task_scores(tasks: list[dict]) -> pd.DataFrame:
    """Each task's share-of-tasks-exposed score: the model's β where the database has the model's
    ratings, else the human label's (E1 = 1, E2 = ½, E0 = 0)."""
    frame = pd.DataFrame(tasks)
    if frame.empty:
        return frame
    if "model_beta" in frame and frame["model_beta"].notna().any():
        frame["score"] = frame["model_beta"].astype(float)
        frame["scored_by"] = "model"
    else:
        p1, p2 = label_probabilities(frame["human_exposure"])
        frame["score"] = measure_values(p1, p2, "beta")
        frame["scored_by"] = "human"
    return frame.dropna(subset=["score"])


def _task_rows(frame: pd.DataFrame) -> list[dict]:
    keep = ["task", "task_type", "score", "human_exposure", "model_exposure"]
    out = []
    for row in frame.to_dict("records"):
        out.append({k: _plain(row.get(k)) for k in keep if k in row})
    return out


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def ordinal(n: float) -> str:
    """41 → "41st", 92 → "92nd", 13 → "13th"."""
    n = round(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _agreement(profile: dict) -> dict:
    """How far the exposure figures agree for this occupation: the sources of task ratings on
    the share of tasks exposed, and the public measures on the occupation's percentile."""
    paper = [e for e in profile["exposure"] if e["weighting"] == "paper"]
    betas = {e["source"]: e["beta"] for e in paper if e["beta"] is not None}
    pct = [m["percentile"] for m in profile["measures"] if m["percentile"] is not None]
    out: dict[str, Any] = {
        "sources": len(betas),
        "beta_min": min(betas.values()) if betas else None,
        "beta_max": max(betas.values()) if betas else None,
        "measures": len(pct),
        "percentile_min": min(pct) if pct else None,
        "percentile_max": max(pct) if pct else None,
    }
    if len(pct) >= 2:
        spread = max(pct) - min(pct)
        out["measures_agree"] = bool(spread <= AGREE_SPREAD)
        out["verdict"] = (
            f"the {len(pct)} public measures {'agree' if out['measures_agree'] else 'disagree'}:"
            f" this occupation ranks between the {ordinal(min(pct))} and {ordinal(max(pct))} "
            "percentile of occupations"
        )
    else:
        out["measures_agree"] = None
        out["verdict"] = "too few public measures cover this occupation to compare them"
    return out


def _panel_trends(con: duckdb.DuckDBPyConnection, soc: str | None) -> dict | None:
    """Employment and median wage of the occupation's SOC 2018 code in the outcomes capability's
    harmonized OEWS panel (May 2017–2025), first and last year; None without the panel."""
    have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "outcomes_panel" not in have or soc is None:
        return None
    rows = con.execute(
        "SELECT year, employment, median_wage, median_topcoded FROM outcomes_panel "
        "WHERE soc_2018_code = ? AND employment IS NOT NULL ORDER BY year",
        [soc],
    ).fetchall()
    if len(rows) < 2:
        return {"available": False, "note": f"the OEWS panel has fewer than 2 years for {soc}"}
    (y0, e0, w0, t0), (y1, e1, w1, t1) = rows[0], rows[-1]
    out = {
        "available": True,
        "soc_2018_code": soc,
        "years": [r[0] for r in rows],
        "employment": [r[1] for r in rows],
        "median_wage": [r[2] for r in rows],
        "employment_change": (e1 - e0) / e0 if e0 else None,
        "median_wage_change": None if (w0 is None or w1 is None or t0 or t1) else (w1 - w0) / w0,
    }
    emp = f"employment {e0:,.0f} in May {y0} → {e1:,.0f} in May {y1}"
    if out["employment_change"] is not None:
        emp += f" ({100 * out['employment_change']:+.0f} %)"
    wage = ""
    if out["median_wage_change"] is not None:
        wage = (
            f"; median wage ${w0:,.0f} → ${w1:,.0f} ({100 * out['median_wage_change']:+.0f} %, "
            "not adjusted for inflation)"
        )
    out["summary"] = (
        f"{emp}{wage}. OEWS harmonized to SOC 2018; each May pools three years of survey panels, "
        "so year-to-year changes are smoothed; changes have many causes besides AI."
    )
    return out


def _trends(con: duckdb.DuckDBPyConnection, code: str, soc: str | None) -> dict:
    """Employment and wage trends: the outcomes capability's provider when it offers one, else
    its stored panel, else a note that trends are not available."""
    module, _, name = TREND_PROVIDER.partition(":")
    try:
        provider = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        provider = None
    trends = provider(con, code) if provider is not None else _panel_trends(con, soc)
    if trends is None:
        return {"available": False, "note": "employment and wage trends are not available yet"}
    return {"available": True, **trends} if "available" not in trends else trends


def occupation_summary(
    con: duckdb.DuckDBPyConnection,
    occupation: str,
    *,
    n_tasks: int = 5,
    n_moves: int = 5,
) -> dict:
    """Everything a one-page summary shows about ``occupation`` (an O*NET-SOC or SOC code, or a
    title), as a JSON-ready dict."""
    from laborlens.careers.recommend import recommend_careers

    profile = occupation_profile(con, occupation)
    code = profile["onet_soc_code"]
    exposure = []
    order = {source: i for i, source in enumerate(SOURCE_NAMES)}
    for e in sorted(profile["exposure"], key=lambda e: order.get(e["source"], len(order))):
        if e["weighting"] != "paper":
            continue
        exposure.append(
            {
                "source": e["source"],
                "source_name": SOURCE_NAMES.get(e["source"], e["source"]),
                **{m: e[m] for m in ("alpha", "beta", "gamma")},
                "n_tasks": e["n_tasks"],
            }
        )
    tasks = _task_scores(occupation_tasks(con, code)["tasks"])
    if tasks.empty:
        most, least, scored_by = [], [], None
    else:
        ordered = tasks.sort_values("score", ascending=False, kind="stable")
        k = min(n_tasks, len(ordered) // 2) if len(ordered) > 1 else len(ordered)
        most = _task_rows(ordered.head(k))
        least = _task_rows(ordered.tail(k).iloc[::-1]) if len(ordered) > 1 else []
        scored_by = str(tasks["scored_by"].iloc[0])
    oews = profile["oews_national_2025"] or {}
    rec = recommend_careers(code, top=n_moves, con=con)
    moves = [
        {
            "onet_soc_code": i["onet_soc_code"],
            "title": i["title"],
            "feasibility": i["feasibility"],
            "feasibility_reason": i["feasibility_reason"],
            "beta_change": i["deltas"]["beta"],
            "median_wage_change": i["deltas"]["median_wage"],
            "technology_to_learn": [t["name"] for t in i["technology_to_learn"]["top"][:3]],
        }
        for i in rec.items
    ]
    return {
        "onet_soc_code": code,
        "title": profile["title"],
        "description": profile["description"],
        "job_zone": profile["job_zone"],
        "soc_2018_code": profile["soc_2018_code"],
        "soc_major_title": profile["soc_major_title"],
        "caveat": CAVEAT,
        "exposure": exposure,
        "measure_names": {m: MEASURE_NAMES[m] for m in ("alpha", "beta", "gamma")},
        "public_measures": profile["measures"],
        "agreement": _agreement(profile),
        "tasks_scored_by": scored_by,
        "tasks_most_exposed": most,
        "tasks_least_exposed": least,
        "employment": {
            "oews_soc_code": oews.get("soc_code"),
            "employment": oews.get("employment", profile["employment"]),
            "median_wage": oews.get("a_median", profile["median_wage"]),
            "median_wage_topcoded": bool(oews.get("a_median_topcoded") or False),
            "growth_percent_2024_34": profile["growth_percent"],
            "openings_per_year": profile["openings"],
            "typical_education": profile["typical_education"],
        },
        "trends": _trends(con, code, profile["soc_2018_code"]),
        "career_moves": moves,
        "career_moves_beta_source": rec.beta_source,
    }
