"""Reskilling priorities: which skills and knowledge open the most employment in less exposed
occupations to workers of highly exposed ones.

For every exposed occupation A (β ≥ ``beta_above``) and each of its precomputed destinations B
that is less exposed (β ≤ ``beta_below``) and within reach (transition score ≥
``min_similarity``), an element (skill or knowledge) *blocks* the move when it is important to B
(importance ≥ 3) and B requires more than ``gap_tolerance`` level points above A's level. A move
with no blocker is reachable now; a move blocked by one element only is *opened* by closing
that gap. Per element:

- ``pairs_blocked``: moves it blocks (alone or with others); ``pairs_opened``: moves it alone
  blocks,
- ``jobs_per_worker``: for the average worker of the exposed group (weighted by OEWS
  employment), the employment of the destinations closing this gap opens,
- ``workers_helped``: workers in exposed occupations that gain at least one destination,
- ``destination_employment``: employment of the distinct destinations opened,
- ``mean_gap``: mean level gap closed over the opened moves.

Elements are ranked by ``jobs_per_worker``. Employment of an O*NET occupation is its share of
its OEWS code's (see :func:`laborlens.careers.precompute.facts_table`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from laborlens.careers.recommend import IMPORTANT
from laborlens.config import Settings, get_settings
from laborlens.db.connection import connect, query
from laborlens.exceptions import ConfigError


@dataclass
class Reskilling:
    """Ranked elements and what the analysis covered."""

    table: pd.DataFrame
    summary: dict


def reskilling_priorities(
    *,
    beta_above: float = 0.5,
    beta_below: float = 0.35,
    min_similarity: float = 0.55,
    gap_tolerance: float = 1.0,
    beta_source: str | None = None,
    settings: Settings | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Reskilling:
    """Rank skills and knowledge by the employment in less exposed occupations they open."""
    for name, v in (("beta_above", beta_above), ("beta_below", beta_below)):
        if not 0.0 <= v <= 1.0:
            msg = f"{name} must be between 0 and 1 (a share of tasks), got {v}"
            raise ConfigError(msg)
    if gap_tolerance < 0:
        msg = f"gap_tolerance must be at least 0 level points, got {gap_tolerance}"
        raise ConfigError(msg)
    if con is None:
        with connect((settings or get_settings()).db_path) as own:
            return reskilling_priorities(
                beta_above=beta_above,
                beta_below=beta_below,
                min_similarity=min_similarity,
                gap_tolerance=gap_tolerance,
                beta_source=beta_source,
                con=own,
            )
    facts = query(con, "SELECT * FROM career_facts").set_index("onet_soc_code")
    if beta_source is None:
        beta_source = "model" if facts["beta_model"].notna().any() else "human"
    beta = f"beta_{beta_source}"
    if beta not in facts:
        msg = f"Unknown exposure source {beta_source!r}; expected model, human or gpt4."
        raise ConfigError(msg)
    emp = facts["employment"].fillna(0.0)
    exposed = facts.index[facts[beta] >= beta_above]
    pairs = query(
        con,
        "SELECT onet_soc_code AS a, related_code AS b, similarity FROM occupation_similarity "
        "WHERE similarity >= ?",
        [min_similarity],
    )
    pairs = pairs[pairs["a"].isin(exposed) & (pairs["b"].map(facts[beta]) <= beta_below)]
    elements = query(con, "SELECT * FROM career_elements")
    level = elements.pivot(index="onet_soc_code", columns="element_id", values="level")
    imp = elements.pivot(index="onet_soc_code", columns="element_id", values="importance")
    names = elements.drop_duplicates("element_id").set_index("element_id")
    rated = pairs["a"].isin(level.index) & pairs["b"].isin(level.index)
    unrated = int((~rated).sum())
    pairs = pairs[rated].reset_index(drop=True)
    la = level.reindex(pairs["a"]).to_numpy()
    lb = level.reindex(pairs["b"]).to_numpy()
    ib = imp.reindex(pairs["b"]).to_numpy()
    gap = lb - la
    blocked = (ib >= IMPORTANT) & (gap > gap_tolerance)
    n_block = blocked.sum(axis=1)
    emp_b = pairs["b"].map(emp).to_numpy()
    exposed_workers = float(emp.reindex(exposed).sum())

    def jobs_per_worker(mask: np.ndarray) -> tuple[float, pd.Series]:
        """Worker-weighted mean employment of the destinations in ``mask``, and per origin."""
        per_a = pd.Series(emp_b[mask]).groupby(pairs["a"].to_numpy()[mask]).sum()
        if not exposed_workers or per_a.empty:
            return 0.0, per_a
        return float((per_a * per_a.index.map(emp)).sum() / exposed_workers), per_a

    rows = []
    for e, element_id in enumerate(level.columns):
        opened = blocked[:, e] & (n_block == 1)
        jobs, per_a = jobs_per_worker(opened)
        rows.append(
            {
                "element_id": element_id,
                "element": names.loc[element_id, "element"],
                "domain": names.loc[element_id, "domain"],
                "pairs_blocked": int(blocked[:, e].sum()),
                "pairs_opened": int(opened.sum()),
                "jobs_per_worker": jobs,
                "workers_helped": float(emp.reindex(per_a.index).sum()),
                "destination_employment": float(emp.reindex(pairs.loc[opened, "b"].unique()).sum()),
                "mean_gap": float(gap[opened, e].mean()) if opened.any() else np.nan,
            }
        )
    table = (
        pd.DataFrame(rows)
        .sort_values(["jobs_per_worker", "pairs_opened"], ascending=False, ignore_index=True)
        .rename_axis("rank")
        .reset_index()
    )
    table["rank"] += 1
    summary = {
        "beta_source": beta_source,
        "beta_above": beta_above,
        "beta_below": beta_below,
        "min_similarity": min_similarity,
        "gap_tolerance": gap_tolerance,
        "exposed_occupations": len(exposed),
        "exposed_workers": exposed_workers,
        "moves_considered": len(pairs),
        "moves_without_ratings": unrated,
        "moves_reachable_now": int((n_block == 0).sum()),
        "jobs_per_worker_now": jobs_per_worker(n_block == 0)[0],
    }
    return Reskilling(table, summary)
