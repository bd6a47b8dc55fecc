"""Named, parameterised queries over the built database; each returns a DataFrame."""

from __future__ import annotations

import duckdb
import pandas as pd

from laborlens.db.connection import query
from laborlens.exceptions import LaborlensError
from laborlens.exposure.occupation import WEIGHTINGS

EXPOSURE_SOURCES = ("human", "gpt4", "model")


def occupation_exposure(
    con: duckdb.DuckDBPyConnection, source: str = "human", weighting: str = "paper"
) -> pd.DataFrame:
    """α/β/γ per O*NET-SOC occupation: onet_soc_code, title, alpha, beta, gamma, n_tasks."""
    if source not in EXPOSURE_SOURCES:
        msg = f"source must be one of {', '.join(EXPOSURE_SOURCES)}; got {source!r}"
        raise LaborlensError(msg)
    if weighting not in WEIGHTINGS:
        msg = f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}"
        raise LaborlensError(msg)
    return query(
        con,
        """
        SELECT e.onet_soc_code,
               coalesce(o.title, p.title) AS title,
               e.alpha, e.beta, e.gamma, e.n_tasks
        FROM occupation_exposure e
        LEFT JOIN onet_occupations o USING (onet_soc_code)
        LEFT JOIN published_occupation_exposure p USING (onet_soc_code)
        WHERE e.source = ? AND e.weighting = ?
        ORDER BY e.onet_soc_code
        """,
        [source, weighting],
    )


def table(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A whole table by name (names come from the ``tables`` catalog, never from users' SQL)."""
    known = {r[0] for r in con.execute("SELECT name FROM tables").fetchall()}
    if name not in known:
        msg = f"No table {name!r}; the database has {', '.join(sorted(known))}"
        raise LaborlensError(msg)
    return query(con, f'SELECT * FROM "{name}"')
