"""Read the built ``emerging_*`` tables: what the CLI, the report section and the service show."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from laborlens.config import Settings
from laborlens.db.connection import connect, table_names
from laborlens.exceptions import DatabaseError, InputError

__all__ = ["RELEASES", "TASK_COLUMNS", "occupation_rows", "summary", "task_rows"]

RELEASES = ("20.1", "29.3", "30.1")
COMPARISONS = ("20.1->29.3", "29.3->30.1")
#: The columns of ``laborlens emerging tasks`` (issue 15), in order.
TASK_COLUMNS = [
    "onet_soc_code",
    "task_id",
    "task",
    "status",
    "release",
    "exposure",
    "p_E0",
    "p_E1",
    "p_E2",
    "beta",
    "automation",
]


def _frame(
    source: Settings | duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pd.DataFrame:
    """Run ``sql`` on an open connection, or on the database of ``source`` settings."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        return _run(source, sql, params, "the database")
    with connect(source.db_path) as con:
        return _run(con, sql, params, str(source.db_path))


def _run(con: duckdb.DuckDBPyConnection, sql: str, params, where: str) -> pd.DataFrame:
    if "emerging_task_change" not in table_names(con):
        msg = (
            f"{where} has no emerging-work tables: they are built with the default models "
            "(run `laborlens build`, without --no-models)"
        )
        raise DatabaseError(msg)
    return con.execute(sql, params or []).df()


def task_rows(
    settings: Settings | duckdb.DuckDBPyConnection,
    old: str = "20.1",
    new: str = "29.3",
    *,
    include_unchanged: bool = False,
    include_emerging: bool | None = None,
    code: str | None = None,
) -> pd.DataFrame:
    """One row per statement of the comparison ``old`` -> ``new`` (:data:`TASK_COLUMNS`).

    Emerging statements (status ``emerging``) are included when ``new`` is 29.3 (they are under
    review for the 29.3 occupations) unless ``include_emerging`` says otherwise; ``code``
    keeps one O*NET-SOC 2019 occupation. ``settings`` may also be an open connection.
    """
    comparison = f"{old}->{new}"
    if comparison not in COMPARISONS:
        msg = (
            f"no comparison {old} -> {new}; the database compares "
            + " and ".join(c.replace("->", " -> ") for c in COMPARISONS)
        )
        raise InputError(msg)
    statuses = ["new", "removed", "revised_old", "revised_new"]
    if include_unchanged:
        statuses.append("unchanged")
    if include_emerging is None:
        include_emerging = new == "29.3"
    comps = [comparison] + (["29.3 emerging"] if include_emerging else [])
    cols = ", ".join(f'"{c}"' for c in TASK_COLUMNS)
    marks = ", ".join("?" for _ in statuses)
    cmarks = ", ".join("?" for _ in comps)
    only = " AND onet_soc_code = ?" if code else ""
    return _frame(
        settings,
        f"SELECT {cols} FROM emerging_task_change WHERE comparison IN ({cmarks}) "
        f"AND (status IN ({marks}) OR status = 'emerging'){only} "
        "ORDER BY onet_soc_code, status, task_id",
        [*comps, *statuses, *([code] if code else [])],
    )


def occupation_rows(settings: Settings | duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``emerging_occupations``: one row per O*NET-SOC 2019 occupation."""
    return _frame(settings, "SELECT * FROM emerging_occupations ORDER BY onet_soc_code")


def summary(settings: Settings | duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts by status and β of new vs removed statements (with intervals) per comparison,
    the emerging statements against their occupations, the crosswalk check and AI shares."""
    rows = _frame(settings, "SELECT section, key, value FROM emerging_summary")
    out: dict[str, Any] = {}
    for section, key, value in rows.itertuples(index=False):
        try:
            parsed: Any = int(value)
        except ValueError:
            try:
                parsed = float(value)
            except ValueError:
                parsed = value
        out.setdefault(section, {})[key] = parsed
    for comp in COMPARISONS:
        block = out.get(comp)
        if block:
            for prefix, name in (("count_", "counts"), ("by_id_", "counts_by_task_id")):
                keys = [k for k in block if k.startswith(prefix)]
                block[name] = {k.removeprefix(prefix): block.pop(k) for k in keys}
    return out
