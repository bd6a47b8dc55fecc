"""Opening the DuckDB database: read-only by default, since only ``build`` writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from laborlens.exceptions import DatabaseError


@contextmanager
def connect(path: str | Path, *, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``path``; a missing file is a :class:`DatabaseError` telling how to build it."""
    path = Path(path)
    if read_only and not path.is_file():
        msg = f"No laborlens database at {path}. Run `laborlens build --db {path}` first."
        raise DatabaseError(msg)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"Cannot open the database {path}: it is truncated or damaged ({first}). "
            f"Rebuild it with `laborlens build --db {path}`."
        )
        raise DatabaseError(msg) from exc
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"Cannot open the database {path}: {first}"
        raise DatabaseError(msg) from exc
    try:
        yield con
    finally:
        con.close()


@contextmanager
def database_errors(what: str = "a table this needs") -> Iterator[None]:
    """Map a missing table or column (DuckDB's CatalogException) to one :class:`DatabaseError`
    that names the fix; the one place where database errors become messages."""
    try:
        yield
    except duckdb.CatalogException as exc:
        msg = f"The database lacks {what} ({exc}). Rebuild it with `laborlens build`."
        raise DatabaseError(msg) from exc
    except duckdb.IOException as exc:
        # a truncated file opens, and fails when a query reaches the missing part
        msg = f"{damaged_message(exc)} Rebuild it with `laborlens build`."
        raise DatabaseError(msg) from exc


def damaged_message(exc: BaseException) -> str:
    """One line for a database file that DuckDB cannot read to the end (its message names
    the file)."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"The database cannot be read: it is truncated or damaged ({first})."


def execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list | None = None,
    *,
    what: str = "a table this needs",
) -> duckdb.DuckDBPyConnection:
    """Run a parameterised statement with :func:`database_errors`; returns the cursor."""
    with database_errors(what):
        return con.execute(sql, params or [])


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run a parameterised query and return a DataFrame; a missing table names the fix."""
    with database_errors():
        return con.execute(sql, params or []).df()


def require_tables(con: duckdb.DuckDBPyConnection, names: list[str], *, needed_by: str) -> None:
    """Raise one :class:`DatabaseError` naming every table of ``names`` the database lacks."""
    have = set(table_names(con))
    missing = [n for n in names if n not in have]
    if missing:
        msg = (
            f"The database lacks {', '.join(missing)}, which {needed_by} needs (there is no "
            f"{missing[0]} table). Rebuild it with `laborlens build`."
        )
        raise DatabaseError(msg)


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views in the main schema, sorted."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def write_table(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, *, replace: bool = False
) -> None:
    """Create table ``name`` from ``frame`` (build steps only: ``name`` is ours, never a user's)."""
    con.register("_laborlens_frame", frame)
    try:
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        con.execute(f'{verb} "{name}" AS SELECT * FROM _laborlens_frame')
    finally:
        con.unregister("_laborlens_frame")
