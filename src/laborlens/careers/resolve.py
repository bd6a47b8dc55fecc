"""Resolve what a user typed (an O*NET-SOC or SOC code, or a job title) to one occupation.

Order: 8-digit O*NET-SOC code; 6-digit SOC code (O*NET codes under it, or whose SOC 2018 or
OEWS code it is); exact O*NET title, singular or plural ("cashier" → Cashiers); exact
alternate, short or reported title; O*NET titles containing the text; else the job-title coder
(:mod:`laborlens.titles`) with its calibrated probabilities. One match resolves; several raise
:class:`AmbiguousOccupationError` with the candidates; none raises
:class:`OccupationNotFoundError` naming the input.
"""

from __future__ import annotations

import re

import duckdb

from laborlens.db.connection import query
from laborlens.exceptions import AmbiguousOccupationError, OccupationNotFoundError

ONET_CODE = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
SOC_CODE = re.compile(r"^\d{2}-\d{4}$")
CODE_LIKE = re.compile(r"^[\d\s.\-]+$")
RESOLVE_PROBABILITY = 0.5
"""The title coder's top code is taken as the answer at this calibrated probability or more."""
CANDIDATE_PROBABILITY = 0.05
"""Below this, a title coder's code is not offered as a candidate."""


def occupation_candidates(
    con: duckdb.DuckDBPyConnection, text: str, *, coder=None
) -> list[tuple[str, str]]:
    """Every (onet_soc_code, title) the input could mean, by the first rule that matches.
    ``coder``: the title coder of ``con``'s database (loaded from its file when not given)."""
    text = text.strip()
    if not text:
        msg = "An empty occupation was given; expected an O*NET-SOC code or a job title."
        raise OccupationNotFoundError(msg)
    if ONET_CODE.match(text):
        rows = query(
            con, "SELECT onet_soc_code, title FROM occupations WHERE onet_soc_code = ?", [text]
        )
        if rows.empty:
            msg = (
                f"Unknown O*NET-SOC code {text!r}: it is not one of the O*NET-SOC 2019 "
                "occupations in the database."
            )
            raise OccupationNotFoundError(msg)
        return list(rows.itertuples(index=False, name=None))
    if SOC_CODE.match(text):
        rows = query(
            con,
            "SELECT onet_soc_code, title FROM occupations WHERE onet_soc_code LIKE ? "
            "OR soc_2018_code = ? OR nem_code = ? ORDER BY onet_soc_code",
            [f"{text}.%", text, text],
        )
        if rows.empty:
            msg = f"Unknown SOC code {text!r}: no O*NET-SOC occupation falls under it."
            raise OccupationNotFoundError(msg)
        return list(rows.itertuples(index=False, name=None))
    if CODE_LIKE.match(text):
        msg = (
            f"{text!r} is not a valid occupation code: expected an O*NET-SOC code like "
            "15-1252.00 or a SOC code like 15-1252."
        )
        raise OccupationNotFoundError(msg)
    key = " ".join(text.lower().split())
    # an exact O*NET title, in the singular or the plural ("cashier" is "Cashiers"), resolves
    # before the alternate titles, where "cashier" also names other occupations
    rows = query(
        con,
        "SELECT onet_soc_code, title FROM occupations WHERE lower(title) IN (?, ?, ?, ?) "
        "ORDER BY onet_soc_code",
        [key, f"{key}s", f"{key}es", key.removesuffix("s")],
    )
    if len(rows) == 1:
        return list(rows.itertuples(index=False, name=None))
    for sql in (
        "SELECT onet_soc_code, title FROM occupations WHERE lower(title) = ?",
        """
        SELECT DISTINCT o.onet_soc_code, o.title FROM occupations o JOIN (
            SELECT onet_soc_code, alternate_title AS t FROM onet_alternate_titles
            UNION ALL SELECT onet_soc_code, short_title FROM onet_alternate_titles
            UNION ALL SELECT onet_soc_code, reported_title FROM onet_reported_titles
        ) a USING (onet_soc_code) WHERE lower(a.t) = ? ORDER BY 1
        """,
        "SELECT onet_soc_code, title FROM occupations WHERE contains(lower(title), ?) "
        "ORDER BY onet_soc_code",
    ):
        rows = query(con, sql, [key])
        if not rows.empty:
            return list(rows.itertuples(index=False, name=None))
    coded = _title_coder_candidates(con, text, coder)
    if coded:
        return coded
    msg = (
        f"No occupation matches {text!r}: it is neither an O*NET-SOC/SOC code nor an O*NET "
        "title, and the job-title coder found no occupation with probability "
        f"{CANDIDATE_PROBABILITY:.0%} or more. Give an O*NET-SOC code such as 15-1252.00."
    )
    raise OccupationNotFoundError(msg)


def _title_coder_candidates(
    con: duckdb.DuckDBPyConnection, text: str, coder=None
) -> list[tuple[str, str]]:
    """Free text through the job-title coder: its top code when it is confident
    (p ≥ ``RESOLVE_PROBABILITY``), else every code with p ≥ ``CANDIDATE_PROBABILITY``."""
    from pathlib import Path

    from laborlens.titles.api import _coder

    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    if "title_index" not in tables or (path is None and coder is None):
        return []  # a database built before the title coder existed
    if coder is None:
        coder = _coder(Path(path), Path(path).stat().st_mtime)
    coded = coder.code_one(text, top=5)
    coded = coded.dropna(subset=["onet_soc_code"])
    if coded.empty:
        return []
    if coded["probability"].iloc[0] >= RESOLVE_PROBABILITY:
        coded = coded.head(1)
    coded = coded[coded["probability"] >= CANDIDATE_PROBABILITY]
    return list(coded[["onet_soc_code", "occupation_title"]].itertuples(index=False, name=None))


def resolve_occupation(con: duckdb.DuckDBPyConnection, text: str, *, coder=None) -> str:
    """The one O*NET-SOC code ``text`` means; raises with the candidates when several match."""
    candidates = occupation_candidates(con, text, coder=coder)
    if len(candidates) > 1:
        raise AmbiguousOccupationError(text.strip(), candidates)
    return candidates[0][0]
