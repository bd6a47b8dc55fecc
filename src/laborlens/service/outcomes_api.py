"""``/api/outcomes/…``: the outcomes tables (docs/outcomes.md), read from the database.

Kept beside ``api.py`` so the outcomes endpoints stay one small module; they share its error
responses (a database built without the outcomes step answers 503 naming the table).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from laborlens.db.connection import query
from laborlens.jsonutil import clean_json
from laborlens.service.api import ERRORS, StoreDep

Measure = Literal[
    "beta_human",
    "beta_gpt4",
    "beta_model",
    "aioe",
    "lm_aioe",
    "ms_ai_applicability",
    "aei_task_usage",
    "ilo_2025",
    "frey_osborne",
]
router = APIRouter(prefix="/api/outcomes", responses=ERRORS, tags=["outcomes"])


def _rows(s, sql: str, params: list | None = None) -> list[dict]:
    with s.cursor() as cur:
        return clean_json(query(cur, sql, params).to_dict("records"))


@router.get("/panel")
def outcomes_panel(s: StoreDep, code: str | None = None) -> dict:
    """The harmonized OEWS panel, May 2017–2025 on SOC 2018 codes (one code with ``code``),
    and each year's coverage."""
    where, params = ("WHERE soc_2018_code = ?", [code]) if code else ("", [])
    cols = "soc_2018_code, title, year, employment, mean_wage, median_wage, rule, sources"
    return {
        "rows": _rows(s, f"SELECT {cols} FROM outcomes_panel {where} ORDER BY 1, 3", params),
        "coverage": _rows(s, "SELECT * FROM outcomes_panel_coverage ORDER BY year"),
    }


@router.get("/trends")
def outcomes_trends(s: StoreDep, measure: Measure = "beta_human") -> dict:
    """Employment and median-wage index by exposure group (quintiles of workers, May 2022 =
    100) and the summary statistics, each with its 95 % interval."""
    trends = _rows(
        s, "SELECT * FROM outcomes_trends WHERE measure = ? ORDER BY 2, 3", [measure]
    )
    summary = _rows(
        s,
        "SELECT statistic, estimate, ci_low, ci_high, n FROM outcomes_summary WHERE measure = ?",
        [measure],
    )
    return {
        "measure": measure,
        "trends": trends,
        "summary": {r.pop("statistic"): r for r in summary},
    }


@router.get("/dissimilarity")
def outcomes_dissimilarity(s: StoreDep) -> dict:
    """Occupational-mix dissimilarity for every pair of years."""
    return {"rows": _rows(s, "SELECT * FROM outcomes_dissimilarity ORDER BY 1, 2")}


@router.get("/postings")
def outcomes_postings(s: StoreDep) -> dict:
    """Indeed sectors (postings change, exposure), the slopes, and AI mentions by country."""
    return {
        "sectors": _rows(s, "SELECT * FROM outcomes_sector_postings ORDER BY sector"),
        "slopes": _rows(s, "SELECT * FROM outcomes_postings_slopes"),
        "ai_share": _rows(s, "SELECT * FROM outcomes_ai_share ORDER BY country, month"),
    }


@router.get("/demographics")
def outcomes_demographics(s: StoreDep, measure: Measure = "beta_human") -> dict:
    """Age, sex and race/ethnicity shares of CPS workers by exposure group for one measure."""
    return {
        "measure": measure,
        "rows": _rows(
            s, "SELECT * FROM outcomes_demographics WHERE measure = ? ORDER BY \"group\"", [measure]
        ),
    }
