"""Read the built ``emerging_*`` tables: what the CLI, the report section and the service show."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from laborlens.careers.resolve import resolve_occupation
from laborlens.config import Settings
from laborlens.db.connection import connect, table_names
from laborlens.exceptions import DatabaseError, InputError

__all__ = [
    "RELEASES",
    "TASK_COLUMNS",
    "occupation_rows",
    "overview",
    "revision_pairs",
    "summary",
    "task_rows",
]

RELEASES = ("20.1", "29.3", "30.1")
COMPARISONS = ("20.1->29.3", "29.3->30.1")


def _comparison(old: str, new: str) -> str:
    """The comparison name ``old->new``; InputError naming the ones the database has."""
    comparison = f"{old}->{new}"
    if comparison not in COMPARISONS:
        msg = (
            f"no comparison {old} -> {new}; the database compares "
            + " and ".join(c.replace("->", " -> ") for c in COMPARISONS)
        )
        raise InputError(msg)
    return comparison


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
    source: Settings | duckdb.DuckDBPyConnection,
    sql: str,
    params: list | None = None,
    *,
    occupation: str | None = None,
) -> pd.DataFrame:
    """Run ``sql`` on an open connection, or on the database of ``source`` settings.

    ``occupation`` (a code or title, resolved as by every occupation query: an unknown one
    raises :class:`OccupationNotFoundError` naming it) is appended to ``params`` as its
    O*NET-SOC code."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        return _run(source, sql, params, "the database", occupation)
    with connect(source.db_path) as con:
        return _run(con, sql, params, str(source.db_path), occupation)


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, params, where: str, occupation: str | None
) -> pd.DataFrame:
    if "emerging_task_change" not in table_names(con):
        msg = (
            f"{where} has no emerging-work tables: they are built with the default models "
            "(run `laborlens build`, without --no-models)"
        )
        raise DatabaseError(msg)
    params = list(params or [])
    if occupation is not None:
        params.append(resolve_occupation(con, occupation))
    return con.execute(sql, params).df()


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
    keeps one O*NET-SOC 2019 occupation (a code or title: one the database does not have
    raises :class:`~laborlens.exceptions.OccupationNotFoundError` naming it, as every
    occupation query does). ``settings`` may also be an open connection.
    """
    comparison = _comparison(old, new)
    statuses = ["new", "removed", "revised_old", "revised_new"]
    if include_unchanged:
        statuses.append("unchanged")
    if include_emerging is None:
        include_emerging = new == "29.3"
    comps = [comparison] + (["29.3 emerging"] if include_emerging else [])
    cols = ", ".join(f'"{c}"' for c in TASK_COLUMNS)
    marks = ", ".join("?" for _ in statuses)
    cmarks = ", ".join("?" for _ in comps)
    only = " AND onet_soc_code = ?" if code is not None else ""
    return _frame(
        settings,
        f"SELECT {cols} FROM emerging_task_change WHERE comparison IN ({cmarks}) "
        f"AND (status IN ({marks}) OR status = 'emerging'){only} "
        "ORDER BY onet_soc_code, status, task_id",
        [*comps, *statuses],
        occupation=code,
    )


def revision_pairs(
    con: duckdb.DuckDBPyConnection, old: str = "20.1", new: str = "29.3", *, code: str
) -> pd.DataFrame:
    """The revisions of one occupation in the comparison ``old`` -> ``new``, one row per pair
    of wordings: ``old_task_id``, ``new_task_id``, ``kind`` (``same_id``: reworded under the
    same task ID; ``new_id_similar_text``: a removed and a new statement paired by wording;
    ``new_id_same_text``: identical wording under a new ID), ``similarity``, ``old_task``,
    ``new_task``, ``beta_old``, ``beta_new``. ``code`` is resolved as in :func:`task_rows`
    (an unknown occupation raises :class:`~laborlens.exceptions.OccupationNotFoundError`)."""
    comparison = _comparison(old, new)
    return _frame(
        con,
        """
        SELECT o.task_id AS old_task_id, n.task_id AS new_task_id, o.revision_kind AS kind,
               o.similarity, o.task AS old_task, n.task AS new_task,
               o.beta AS beta_old, n.beta AS beta_new
        FROM emerging_task_change o JOIN emerging_task_change n
          ON n.comparison = o.comparison AND n.onet_soc_code = o.onet_soc_code
         AND n.status = 'revised_new' AND n.task_id = coalesce(o.matched_task_id, o.task_id)
        WHERE o.comparison = ? AND o.onet_soc_code = ? AND o.status = 'revised_old'
        ORDER BY o.task_id
        """,
        [comparison],
        occupation=code,
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


#: Occupations listed as changed most need at least this many statements in each release, so a
#: tiny occupation with two statements rewritten does not top the list.
MIN_STATEMENTS_CHANGED = 5
TOP = 15


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    return con.execute(sql, params or []).df().to_dict("records")


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the dashboard's "New work" view shows, from the built tables: :func:`summary`; the
    difference in β of new vs removed statements by SOC major group (``groups``, both
    comparisons, the row ``all`` economy-wide); the :data:`TOP` occupations whose task content
    changed most from 20.1 to 29.3 (turnover, at least :data:`MIN_STATEMENTS_CHANGED`
    statements in each release); the largest changes both ways (``examples``); emerging
    statements and their occupations; occupations new since SOC 2010 and the fastest-growing
    (:data:`TOP` each, with their counts); AI work by release and the monthly share of US
    Indeed postings mentioning AI (None without the outcomes tables)."""
    out: dict[str, Any] = {"summary": summary(con)}
    out["groups"] = _records(
        con,
        "SELECT * FROM emerging_group_change ORDER BY comparison, "
        "CASE WHEN \"group\" = 'all' THEN 0 ELSE 1 END, \"group\"",
    )
    out["min_statements_changed"] = MIN_STATEMENTS_CHANGED
    out["changed_most"] = _records(
        con,
        "SELECT onet_soc_code, title, soc_major_title, employment, n_before, n_after, n_new, "
        "n_removed, n_revised, n_same_text_new_id, turnover, beta_new, beta_removed, "
        "delta_beta, delta_ci_low, delta_ci_high FROM emerging_occupation_change "
        "WHERE comparison = '20.1->29.3' AND n_before >= ? AND n_after >= ? "
        "ORDER BY turnover DESC, onet_soc_code LIMIT ?",
        [MIN_STATEMENTS_CHANGED, MIN_STATEMENTS_CHANGED, TOP],
    )
    out["examples"] = _records(
        con, "SELECT * FROM emerging_examples ORDER BY comparison, kind, abs(delta_beta) DESC"
    )
    out["emerging_occupations"] = _records(
        con,
        "SELECT * FROM emerging_statement_occupations "
        "ORDER BY n_emerging DESC, onet_soc_code LIMIT ?",
        [TOP],
    )
    out["emerging_statements"] = _records(
        con,
        "SELECT onet_soc_code, title, task, category, original_task, exposure, beta, "
        "occupation_beta, beta_vs_occupation, original_beta, mentions_ai "
        "FROM emerging_statements ORDER BY title, category, task",
    )
    profile = (
        "onet_soc_code, title, soc_change, soc_2010_codes, employment, "
        "projected_change_percent, growth_rank, oews_growth_2019_2025_percent, beta, "
        "automation, top_technologies, ai_tools"
    )
    out["new_occupations_total"] = con.execute(
        "SELECT count(*) FROM emerging_occupations WHERE new_since_soc_2010"
    ).fetchone()[0]
    out["new_occupations"] = _records(
        con,
        f"SELECT {profile} FROM emerging_occupations WHERE new_since_soc_2010 "
        "ORDER BY employment DESC NULLS LAST, onet_soc_code LIMIT ?",
        [TOP],
    )
    out["growing_occupations"] = _records(
        con,
        f"SELECT {profile} FROM emerging_occupations WHERE growth_rank IS NOT NULL "
        "ORDER BY growth_rank, onet_soc_code LIMIT ?",
        [TOP],
    )
    out["ai_share"] = _records(con, "SELECT * FROM emerging_ai_share ORDER BY release")
    out["postings_ai_share"] = (
        _records(
            con,
            "SELECT month, ai_share FROM outcomes_ai_share WHERE country = 'US' ORDER BY month",
        )
        if "outcomes_ai_share" in table_names(con)
        else None
    )
    return out
