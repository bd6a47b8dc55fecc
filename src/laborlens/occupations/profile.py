"""One occupation's profile: facts, exposure by every measure, tasks with their ratings, and
employment and wages nationally and by state or metro area.

Every function takes an open (read-only) connection and a code or title, resolved by
:func:`laborlens.careers.resolve.resolve_occupation`; results are plain dicts and lists ready
for JSON.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from laborlens.careers.resolve import resolve_occupation
from laborlens.db.connection import execute, query
from laborlens.exceptions import ConfigError
from laborlens.jsonutil import clean_json, records

AREA_LEVELS = ("state", "metro")
WAGE_COLUMNS = ["a_mean", "a_median", "a_pct10", "a_pct25", "a_pct75", "a_pct90", "h_median"]


_clean = clean_json
_records = records


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM tables WHERE name = ?", [table]).fetchone()[0])


def _oews_code(con: duckdb.DuckDBPyConnection, code: str) -> tuple[str | None, str | None]:
    """The occupation's SOC 2018 code and the OEWS row that publishes its employment."""
    row = con.execute(
        "SELECT soc_2018_code, nem_code FROM occupations WHERE onet_soc_code = ?", [code]
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


# The profile's parts, each read for one occupation (``WHERE ... = ?``) or for all at once
# (a server's :class:`ProfileIndex`); both paths share these queries and :func:`_assemble`.
_FACTS_SQL = """
    SELECT o.onet_soc_code, o.title, o.description, o.job_zone, o.soc_2018_code,
           o.soc_2018_title, o.nem_code, o.soc_major_code, o.soc_major_title,
           f.employment, f.median_wage, f.wage_topcoded, f.growth_percent, f.openings,
           f.typical_education
    FROM occupations o LEFT JOIN career_facts f USING (onet_soc_code)
"""
_EXPOSURE_SQL = (
    "SELECT onet_soc_code, source, weighting, alpha, beta, gamma, n_tasks "
    "FROM occupation_exposure {where} ORDER BY onet_soc_code, source, weighting"
)
_NATIONAL_SQL = (
    f"SELECT soc_code, title, employment, {', '.join(WAGE_COLUMNS)}, a_median_topcoded "
    "FROM oews_national_2025"
)
_ALTERNATES_SQL = (
    "SELECT onet_soc_code, alternate_title FROM onet_alternate_titles {where} "
    "ORDER BY onet_soc_code, alternate_title"
)
MAX_ALTERNATE_TITLES = 50


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts of JSON-ready values (DuckDB gives Python types; NaN becomes None)."""
    cur = execute(con, sql, params)
    names = [d[0] for d in cur.description]
    return [{k: _clean(v) for k, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _grouped(rows: list[dict], key: str, limit: int | None = None) -> dict[str, list[dict]]:
    """Rows by ``key`` (which is dropped from them), in their order, at most ``limit`` each."""
    out: dict[str, list[dict]] = {}
    for row in rows:
        group = out.setdefault(row.pop(key), [])
        if limit is None or len(group) < limit:
            group.append(row)
    return out


def _first_by(rows: list[dict], key: str) -> dict[str, dict]:
    """The first row of each ``key`` (OEWS repeats a few codes as both a broad and a detailed
    row, with the same figures)."""
    out: dict[str, dict] = {}
    for row in rows:
        out.setdefault(row[key], row)
    return out


def _measure_records(measures: pd.DataFrame) -> dict[str, list[dict]]:
    """:func:`~laborlens.measures.analysis.measures_for` of every SOC code of the wide table,
    as JSON-ready records; the percentiles come from one sort per measure instead of a scan of
    the whole column per code."""
    from laborlens.measures.core import MEASURES

    present = [m for m in MEASURES if m.name in measures]
    columns = {}
    for m in present:
        col = measures[m.name].dropna().to_numpy(dtype=float)
        columns[m.name] = (np.sort(col), len(col))
    out: dict[str, list[dict]] = {}
    for i, soc in enumerate(measures["soc_2018_code"]):
        if soc in out:  # measures_for takes a code's first row
            continue
        records = []
        for m in present:
            value = _clean(measures[m.name].iat[i])
            ordered, n = columns[m.name]
            # share of covered codes with a lower value, as measures_for computes it
            pct = None if value is None else float(ordered.searchsorted(value, "left") / n * 100)
            records.append(
                {
                    "measure": m.name,
                    "label": m.label,
                    "value": value,
                    "percentile": pct,
                    "codes_covered": n,
                    "native_key": m.native_key,
                }
            )
        out[soc] = records
    return out


def _assemble(
    facts: dict,
    exposure: list[dict],
    measures: list[dict] | None,
    national: dict[str, dict],
    alternates: list[str],
) -> dict:
    """One profile from its parts (fresh dicts and lists, so a caller may change them)."""
    out = dict(facts)
    out["exposure"] = [dict(r) for r in exposure]
    out["measures"] = [dict(r) for r in measures] if measures is not None else []
    # the occupation's own SOC 2018 row when OEWS publishes it, else the row it is
    # published under (nem_code)
    soc, nem = facts["soc_2018_code"], facts["nem_code"]
    row = national.get(soc) if soc is not None else None
    if row is None and nem is not None:
        row = national.get(nem)
    out["oews_national_2025"] = dict(row) if row is not None else None
    out["alternate_titles"] = list(alternates)
    return out


def occupation_profile(
    con: duckdb.DuckDBPyConnection, occupation: str, measures: pd.DataFrame | None = None
) -> dict:
    """Facts (title, description, job zone, SOC), exposure α/β/γ per source and weighting,
    every public measure, national employment and wages, and projections.

    ``measures``: the ``measures_soc2018`` table, when the caller already holds it. A server
    answering many requests holds a :class:`ProfileIndex` instead.
    """
    from laborlens.measures.analysis import measures_for

    code = resolve_occupation(con, occupation)
    facts = _rows(con, f"{_FACTS_SQL} WHERE o.onet_soc_code = ?", [code])[0]
    exposure = _rows(con, _EXPOSURE_SQL.format(where="WHERE onet_soc_code = ?"), [code])
    if measures is None:
        measures = query(con, "SELECT * FROM measures_soc2018")
    measure_rows = (
        _records(measures_for(measures, code))
        if (measures["soc_2018_code"] == facts["soc_2018_code"]).any()
        else None
    )
    soc, nem = facts["soc_2018_code"], facts["nem_code"]
    national = _rows(con, f"{_NATIONAL_SQL} WHERE soc_code IN (?, ?)", [soc, nem])
    alternates = _rows(
        con,
        _ALTERNATES_SQL.format(where="WHERE onet_soc_code = ?") + f" LIMIT {MAX_ALTERNATE_TITLES}",
        [code],
    )
    return _assemble(
        facts,
        [{k: v for k, v in r.items() if k != "onet_soc_code"} for r in exposure],
        measure_rows,
        _first_by(national, "soc_code"),
        [r["alternate_title"] for r in alternates],
    )


class ProfileIndex:
    """Every occupation's profile, read from the database once: what a server holds so that
    :meth:`profile` answers in microseconds. Gives the same dicts as
    :func:`occupation_profile`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, measures: pd.DataFrame | None = None):
        if measures is None:
            measures = query(con, "SELECT * FROM measures_soc2018")
        self._facts = {r["onet_soc_code"]: r for r in _rows(con, _FACTS_SQL)}
        self._exposure = _grouped(_rows(con, _EXPOSURE_SQL.format(where="")), "onet_soc_code")
        self._national = _first_by(_rows(con, _NATIONAL_SQL), "soc_code")
        alternates = _grouped(
            _rows(con, _ALTERNATES_SQL.format(where="")), "onet_soc_code", MAX_ALTERNATE_TITLES
        )
        self._alternates = {c: [r["alternate_title"] for r in v] for c, v in alternates.items()}
        self._measures_frame = measures
        self._measures = _measure_records(measures)

    def __len__(self) -> int:
        return len(self._facts)

    def get(self, occupation: str) -> dict | None:
        """The profile of an O*NET-SOC code of the database, else None; reads nothing from the
        database (so a server may answer it without leaving its event loop)."""
        code = occupation.strip()
        facts = self._facts.get(code)
        if facts is None or (
            facts["soc_2018_code"] in self._measures and code[:7] not in self._measures
        ):
            return None
        return self._profile(code)

    def profile(self, con: duckdb.DuckDBPyConnection, occupation: str) -> dict:
        """The profile of an O*NET-SOC code, SOC code or title; ``con`` resolves anything but
        an O*NET-SOC code of the database (and raises the same errors as
        :func:`occupation_profile`)."""
        found = self.get(occupation)
        return found if found is not None else self._profile(resolve_occupation(con, occupation))

    def _profile(self, code: str) -> dict:
        facts = self._facts[code]
        measures = None
        if facts["soc_2018_code"] in self._measures:
            measures = self._measures.get(code[:7])
            if measures is None:  # not a SOC code of the table: measures_for says so
                from laborlens.measures.analysis import measures_for

                measures = _records(measures_for(self._measures_frame, code))
        return _assemble(
            facts,
            self._exposure.get(code, []),
            measures,
            self._national,
            self._alternates.get(code, []),
        )


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
