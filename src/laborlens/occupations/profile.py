"""One occupation's profile: facts, exposure by every measure, tasks with their ratings, and
employment and wages nationally and by state or metro area.

Every function takes an open (read-only) connection and a code or title, resolved by
:func:`laborlens.careers.resolve.resolve_occupation`; results are plain dicts and lists ready
for JSON.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from laborlens.careers.resolve import resolve_occupation
from laborlens.db.connection import query
from laborlens.exceptions import ConfigError

AREA_LEVELS = ("state", "metro")
WAGE_COLUMNS = ["a_mean", "a_median", "a_pct10", "a_pct25", "a_pct75", "a_pct90", "h_median"]


def _clean(value):
    """NaN/NA → None, numpy scalars → Python, so every value is valid JSON."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM tables WHERE name = ?", [table]).fetchone()[0])


def _oews_code(con: duckdb.DuckDBPyConnection, code: str) -> tuple[str | None, str | None]:
    """The occupation's SOC 2018 code and the OEWS row that publishes its employment."""
    row = con.execute(
        "SELECT soc_2018_code, nem_code FROM occupations WHERE onet_soc_code = ?", [code]
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def occupation_profile(
    con: duckdb.DuckDBPyConnection, occupation: str, measures: pd.DataFrame | None = None
) -> dict:
    """Facts (title, description, job zone, SOC), exposure α/β/γ per source and weighting,
    every public measure, national employment and wages, and projections.

    ``measures``: the ``measures_soc2018`` table, when the caller already holds it.
    """
    from laborlens.measures.analysis import measures_for

    code = resolve_occupation(con, occupation)
    facts = query(
        con,
        """
        SELECT o.onet_soc_code, o.title, o.description, o.job_zone, o.soc_2018_code,
               o.soc_2018_title, o.nem_code, o.soc_major_code, o.soc_major_title,
               f.employment, f.median_wage, f.wage_topcoded, f.growth_percent, f.openings,
               f.typical_education
        FROM occupations o LEFT JOIN career_facts f USING (onet_soc_code)
        WHERE o.onet_soc_code = ?
        """,
        [code],
    )
    out = _records(facts)[0]
    exposure = query(
        con,
        "SELECT source, weighting, alpha, beta, gamma, n_tasks FROM occupation_exposure "
        "WHERE onet_soc_code = ? ORDER BY source, weighting",
        [code],
    )
    out["exposure"] = _records(exposure)
    if measures is None:
        measures = query(con, "SELECT * FROM measures_soc2018")
    out["measures"] = (
        _records(measures_for(measures, code))
        if (measures["soc_2018_code"] == out["soc_2018_code"]).any()
        else []
    )
    soc, nem = _oews_code(con, code)
    national = query(
        con,
        f"SELECT soc_code, title, employment, {', '.join(WAGE_COLUMNS)}, a_median_topcoded "
        "FROM oews_national_2025 WHERE soc_code IN (?, ?) "
        "ORDER BY soc_code = ? DESC LIMIT 1",
        [soc, nem, soc],
    )
    out["oews_national_2025"] = _records(national)[0] if len(national) else None
    out["alternate_titles"] = [
        r[0]
        for r in con.execute(
            "SELECT alternate_title FROM onet_alternate_titles WHERE onet_soc_code = ? "
            "ORDER BY alternate_title LIMIT 50",
            [code],
        ).fetchall()
    ]
    return out


def occupation_tasks(con: duckdb.DuckDBPyConnection, occupation: str) -> dict:
    """The occupation's O*NET tasks with the human and GPT-4 exposure labels of Eloundou et al.
    (where the task was in their O*NET release) and the model's exposure and automation
    ratings with their probabilities."""
    code = resolve_occupation(con, occupation)
    cols = [
        "t.task_id",
        "t.task",
        "t.task_type",
        "e.human_exposure",
        "e.gpt4_exposure",
        "e.gpt4_automation",
    ]
    joins = [
        "LEFT JOIN exposure_labels e ON e.onet_soc_code = t.onet_soc_code AND e.task_id = t.task_id"
    ]
    if _has(con, "task_exposure_model"):
        cols += ["m.exposure AS model_exposure", "m.p_E0", "m.p_E1", "m.p_E2"]
        cols.append("m.beta AS model_beta")
        joins.append(
            "LEFT JOIN task_exposure_model m ON m.onet_soc_code = t.onet_soc_code "
            "AND m.task_id = t.task_id"
        )
    if _has(con, "task_automation_model"):
        cols += ["a.automation AS model_automation", "a.automation_score"]
        joins.append(
            "LEFT JOIN task_automation_model a ON a.onet_soc_code = t.onet_soc_code "
            "AND a.task_id = t.task_id"
        )
    tasks = query(
        con,
        f"SELECT {', '.join(cols)} FROM onet_tasks t {' '.join(joins)} "
        "WHERE t.onet_soc_code = ? ORDER BY t.task_type = 'Core' DESC, t.task_id",
        [code],
    )
    return {"onet_soc_code": code, "n_tasks": len(tasks), "tasks": _records(tasks)}


def occupation_geography(
    con: duckdb.DuckDBPyConnection, occupation: str, level: str = "state"
) -> dict:
    """OEWS May 2025 employment and wages of the occupation's OEWS row by state or metro area."""
    if level not in AREA_LEVELS:
        msg = f"level must be one of {', '.join(AREA_LEVELS)}; got {level!r}"
        raise ConfigError(msg)
    code = resolve_occupation(con, occupation)
    soc, nem = _oews_code(con, code)
    oews = soc
    if nem and nem != soc:
        has_soc = con.execute(
            "SELECT count(*) FROM oews_areas_2025 WHERE soc_code = ?", [soc]
        ).fetchone()[0]
        oews = soc if has_soc else nem
    areas = query(
        con,
        "SELECT area_code, area_name, state_abbr, employment, jobs_per_1000, "
        "location_quotient, a_mean, a_median, h_median, a_median_topcoded "
        "FROM oews_areas_2025 WHERE area_type = ? AND soc_code = ? "
        "ORDER BY employment DESC NULLS LAST, area_name",
        [level, oews],
    )
    return {"onet_soc_code": code, "oews_soc_code": oews, "level": level, "areas": _records(areas)}
