"""Impact aggregates computed once at build time and stored, with a small read API.

:func:`compute_impact` takes seconds per choice set (1,000 bootstrap draws); a web service must
answer in milliseconds. The build therefore runs it for the default choices (paper weighting, β,
OEWS May 2025, crosswalk link, thresholds 0.1 and 0.5) and every exposure source the database
has — ``human``, ``gpt4`` and, unless built with ``--no-models``, ``model`` — with geography,
and writes two tables:

``impact_aggregates``
    One row per source × breakdown × group × statistic: the point estimate, its 95 % percentile
    bootstrap interval (``n_draws`` and ``seed`` are columns) and the group's coverage.
``impact_units``
    One row per source × OEWS detailed occupation: employment, wages and the unit's score (the
    exposure-vs-wage scatter).

Every stored number equals a fresh ``compute_impact(data, Choices(source=…), n_draws=N_DRAWS,
seed=SEED)`` run bit for bit (tests/test_impact_store.py).
"""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd

from laborlens.capability import BuildContext
from laborlens.config import Settings
from laborlens.db.connection import query, require_tables, write_table
from laborlens.exceptions import ConfigError, LaborlensError
from laborlens.impact.choices import SOURCES, Choices
from laborlens.impact.run import compute_impact

N_DRAWS = 1000
SEED = 0
LEVEL = 0.95  # the engine's percentile interval (summarise's default)

AGGREGATES_TABLE = "impact_aggregates"
UNITS_TABLE = "impact_units"

# breakdown → (column holding the group code, column holding its label) in the engine's table;
# None: the table has one row, given a fixed code
BREAKDOWNS: dict[str, tuple[str | None, str]] = {
    "all_workers": (None, "group"),
    "wage_bill": (None, "group"),
    "major_group": ("soc_major_code", "soc_major_title"),
    "wage_decile": ("wage_decile", "label"),
    "job_zone": ("job_zone", "label"),
    "state": ("area_code", "area_name"),
    "metro": ("area_code", "area_name"),
}
STATISTICS: tuple[str, ...] = ("mean_exposure", "share_ge_0.1", "share_ge_0.5")
_COVERAGE = [
    "employment_total",
    "employment_covered",
    "employment_unscored",
    "employment_unpublished",
    "employment_share_covered",
    "units_total",
    "units_covered",
]
_CHOICES = ["weighting", "measure", "vintage", "link"]


def _long(source: str, breakdown: str, table: pd.DataFrame, choices: Choices) -> pd.DataFrame:
    """One engine table (a row per group, statistics as columns) as tidy long rows."""
    code_col, label_col = BREAKDOWNS[breakdown]
    groups = pd.DataFrame(
        {
            "group_order": np.arange(len(table), dtype="int64"),
            "group_code": (
                table[code_col].astype(str) if code_col else pd.Series([breakdown] * len(table))
            ).to_numpy(),
            "group_label": table[label_col].astype(str).to_numpy(),
            "state_abbr": (
                table["state_abbr"] if "state_abbr" in table else pd.Series([None] * len(table))
            ).to_numpy(),
        }
    )
    # the wage-bill table weights units by employment × mean wage: its "employment" is dollars
    groups["weight_unit"] = "dollars" if breakdown == "wage_bill" else "workers"
    for col in _COVERAGE:
        groups[col] = table[col].to_numpy()
    parts = []
    for statistic in STATISTICS:
        part = groups.copy()
        part.insert(4, "statistic", statistic)
        part.insert(5, "point", table[statistic].to_numpy(dtype="float64"))
        part.insert(6, "lower", table[f"{statistic}_lo"].to_numpy(dtype="float64"))
        part.insert(7, "upper", table[f"{statistic}_hi"].to_numpy(dtype="float64"))
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    head = {"source": source, **{k: choices.as_columns()[k] for k in _CHOICES}}
    head |= {"n_draws": N_DRAWS, "seed": SEED, "level": LEVEL, "breakdown": breakdown}
    for i, (k, v) in enumerate(head.items()):
        out.insert(i, k, v)
    return out


def _check_complete(tables: dict[str, pd.DataFrame]) -> None:
    """Refuse to drop silently a table or statistic the engine gained since this was written."""
    missing = sorted(set(tables) - {"units"} - set(BREAKDOWNS))
    for name in BREAKDOWNS:
        stats = [c for c in tables[name] if c.startswith(("mean_", "share_"))]
        missing += [
            f"{name}.{c}"
            for c in stats
            if c.removesuffix("_lo").removesuffix("_hi") not in STATISTICS
        ]
    if missing:
        msg = (
            f"The impact engine produced {', '.join(missing)}, which impact_aggregates does not "
            "store; add them to BREAKDOWNS/STATISTICS in laborlens.impact.store"
        )
        raise LaborlensError(msg)


def _units(source: str, units: pd.DataFrame, majors: pd.DataFrame) -> pd.DataFrame:
    u = units.copy()
    # the engine ranks top-coded medians (published as "≥ $239,200") as +inf; store a flag and
    # NULL rather than an infinity a JSON client cannot read
    u["a_median_topcoded"] = np.isinf(u["a_median"])
    u["a_median"] = u["a_median"].where(~u["a_median_topcoded"])
    u["soc_major_title"] = u["soc_major_code"].map(majors.set_index("soc_code")["title"])
    u["job_zone"] = u["job_zone"].astype("Int64")
    cols = ["source", *_CHOICES, "soc_code", "title", "soc_major_code", "soc_major_title"]
    cols += ["job_zone", "employment", "annual_wage", "a_median", "a_median_topcoded", "score"]
    u["source"] = source
    return u[[*cols, "n_onet_occupations"]].reset_index(drop=True)


def impact_frames(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, pd.DataFrame]:
    """The two stored tables, computed from the database behind ``con``."""
    from laborlens.impact.data import load_from_connection

    data = load_from_connection(con, settings, areas=True)
    aggregates, units = [], []
    for source in SOURCES:
        if source not in data.tasks:
            continue  # model: database built with --no-models
        choices = Choices(source=source)
        result = compute_impact(data, choices, n_draws=N_DRAWS, seed=SEED, geography=True)
        _check_complete(result.tables)
        for breakdown in BREAKDOWNS:
            aggregates.append(_long(source, breakdown, result.tables[breakdown], choices))
        units.append(_units(source, result.tables["units"], data.majors))
    return {
        AGGREGATES_TABLE: pd.concat(aggregates, ignore_index=True),
        UNITS_TABLE: pd.concat(units, ignore_index=True),
    }


def derive_impact_aggregates(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Build step: store the paper's match and the AEI shares, then create
    ``impact_aggregates`` and ``impact_units`` in ``con``.

    The aggregates are computed before either of their tables is written.
    """
    from laborlens.impact.automation import AEI_DEFAULT
    from laborlens.sources.aei_collaboration import read_collaboration_by_task
    from laborlens.sources.eloundou import read_onet_bls_match

    match = read_onet_bls_match(ctx.source("gpts_occupations_onet_bls_matched"))
    aei = read_collaboration_by_task(ctx.source(AEI_DEFAULT))
    # one transaction: the aggregates read the stored match, and a failure leaves nothing
    con.begin()
    try:
        write_table(con, "impact_paper_match", match, replace=True)
        write_table(con, "impact_aei_collaboration", aei, replace=True)
        for name, frame in impact_frames(con, ctx.settings).items():
            write_table(con, name, frame, replace=True)
    except BaseException:
        con.rollback()
        raise
    con.commit()


# --- read API -------------------------------------------------------------------------------


def _require_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    require_tables(con, [name], needed_by="the stored impact figures")


def stored_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources with stored aggregates, in the engine's order (``model`` only if built with it)."""
    _require_table(con, AGGREGATES_TABLE)
    have = {r[0] for r in con.execute(f"SELECT DISTINCT source FROM {AGGREGATES_TABLE}").fetchall()}
    return [s for s in SOURCES if s in have]


def _check_source(con: duckdb.DuckDBPyConnection, source: str) -> None:
    have = stored_sources(con)
    if source in have:
        return
    msg = f"source must be one of {', '.join(have)}; got {source!r}"
    if source in SOURCES:
        msg += " (this database was built without models: rebuild with `laborlens build --models`)"
    raise ConfigError(msg)


def stored_impact(
    con: duckdb.DuckDBPyConnection, source: str = "human", breakdown: str | None = None
) -> pd.DataFrame:
    """Stored aggregates of ``source``: every breakdown, or only ``breakdown`` (one of
    :data:`BREAKDOWNS`), in the engine's group order, one row per group × statistic."""
    _check_source(con, source)
    if breakdown is not None and breakdown not in BREAKDOWNS:
        msg = f"breakdown must be one of {', '.join(BREAKDOWNS)}; got {breakdown!r}"
        raise ConfigError(msg)
    return _rows(con, source, [breakdown] if breakdown else list(BREAKDOWNS))


def _rows(con: duckdb.DuckDBPyConnection, source: str, breakdowns: list[str]) -> pd.DataFrame:
    return query(
        con,
        f"SELECT * FROM {AGGREGATES_TABLE} WHERE source = ? AND list_contains(?, breakdown) "
        "ORDER BY list_position(?, breakdown), group_order, list_position(?, statistic)",
        [source, breakdowns, list(BREAKDOWNS), list(STATISTICS)],
    )


def stored_units(con: duckdb.DuckDBPyConnection, source: str = "human") -> pd.DataFrame:
    """Per OEWS detailed occupation: employment, wages and score of ``source`` (NaN: unscored)."""
    _require_table(con, UNITS_TABLE)
    _check_source(con, source)
    return query(con, f"SELECT * FROM {UNITS_TABLE} WHERE source = ? ORDER BY soc_code", [source])


def _number(value: object) -> float | int | None:
    """A JSON-ready number: NaN becomes None, numpy scalars become Python ones."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def stored_headline(con: duckdb.DuckDBPyConnection, source: str = "human") -> dict:
    """The all-workers and wage-bill figures of ``source`` with their intervals, as a plain,
    JSON-serialisable dict::

        {"source": "human", "weighting": "paper", ..., "n_draws": 1000, "seed": 0,
         "all_workers": {"share_ge_0.5": {"point": .., "lower": .., "upper": ..}, ...,
                         "employment_total": .., "employment_covered": .., ...},
         "wage_bill": {...}}
    """
    _check_source(con, source)
    rows = _rows(con, source, ["all_workers", "wage_bill"])
    first = rows.iloc[0]
    out: dict = {k: _number(first[k]) for k in ["source", *_CHOICES, "n_draws", "seed", "level"]}
    for breakdown, part in rows.groupby("breakdown", sort=False):
        entry: dict = {
            r.statistic: {
                "point": _number(r.point),
                "lower": _number(r.lower),
                "upper": _number(r.upper),
            }
            for r in part.itertuples()
        }
        entry["weight_unit"] = part["weight_unit"].iloc[0]
        for col in _COVERAGE:
            entry[col] = _number(part[col].iloc[0])
        out[breakdown] = entry
    return out


def stored_groups(
    con: duckdb.DuckDBPyConnection, source: str = "human", breakdown: str = "major_group"
) -> list[dict]:
    """One JSON-ready dict per group of ``breakdown`` (engine order): group_code, group_label,
    state_abbr, coverage, and each statistic as ``{point, lower, upper}``."""
    frame = stored_impact(con, source, breakdown)
    out = []
    for _, part in frame.groupby("group_order", sort=True):
        first = part.iloc[0]
        entry: dict = {
            k: _number(first[k]) for k in ["group_code", "group_label", "state_abbr", *_COVERAGE]
        }
        for r in part.itertuples():
            entry[r.statistic] = {
                "point": _number(r.point),
                "lower": _number(r.lower),
                "upper": _number(r.upper),
            }
        out.append(entry)
    return out
