"""Build step: the career tables every recommendation and reskilling query reads.

``occupation_similarity``
    For every O*NET-SOC occupation, its top :data:`TOP_K` destinations by transition score,
    with the symmetric similarity, each component, the job-zone step, the level shortfall and
    the largest level gap among the destination's important elements.
``career_facts``
    One row per occupation: job zone, employment attributed to it (OEWS May 2025), median
    annual wage, BLS 2024–34 projected growth and openings, typical education, β per source.
``career_elements``, ``career_dwas``, ``career_technology``
    The O*NET rows the explanations quote (skill/knowledge importance and level side by side;
    DWAs with how many occupations perform them; technology examples with hot/in-demand flags),
    sorted by occupation so a query reads only its occupations' blocks.
"""

from __future__ import annotations

import logging
import time

import duckdb
import numpy as np
import pandas as pd

from laborlens.capability import BuildContext
from laborlens.careers import similarity as sim
from laborlens.careers.features import Features, load_features
from laborlens.careers.recommend import IMPORTANT
from laborlens.db.connection import write_table
from laborlens.exposure.rubric import SOURCES

log = logging.getLogger(__name__)

TOP_K = 50
HOURS_PER_YEAR = 2080  # OEWS's own annualisation of hourly wages


def max_important_gap(f: Features) -> np.ndarray:
    """n × n: A (row) → B (column), the largest level B requires above A's among the elements
    important to B (importance ≥ 3); NaN without ratings."""
    out = np.zeros((f.n, f.n), dtype=np.float32)
    for e in range(f.level.shape[1]):
        lv = f.level[:, e]
        gap = lv[None, :] - lv[:, None]
        gap = np.where(f.importance[None, :, e] >= IMPORTANT, gap, 0.0)
        np.maximum(out, gap, out=out)
    out[~f.has_ratings, :] = np.nan
    out[:, ~f.has_ratings] = np.nan
    return out


def similarity_table(f: Features, vectors: dict[str, np.ndarray], k: int = TOP_K) -> pd.DataFrame:
    """Top-``k`` destinations of every occupation (self excluded; destinations need DWAs)."""
    comps = sim.components(f, vectors)
    symmetric = sim.combine(comps, sim.DEFAULT_WEIGHTS)
    short = sim.level_shortfall(f)
    step = sim.zone_step(f)
    score = sim.transition(symmetric, short, step)
    gap = max_important_gap(f)
    ranked = score.copy()
    np.fill_diagonal(ranked, -1.0)
    ranked[:, ~f.has_dwa] = -1.0  # undescribed occupations are not destinations
    k = min(k, int(f.has_dwa.sum()) - 1)
    top = np.argpartition(-ranked, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(ranked, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    rows = np.repeat(np.arange(f.n), k)
    cols = top.ravel()
    frame = pd.DataFrame(
        {
            "onet_soc_code": f.codes[rows],
            "rank": np.tile(np.arange(1, k + 1), f.n).astype("int16"),
            "related_code": f.codes[cols],
            "similarity": score[rows, cols],
            "symmetric_similarity": symmetric[rows, cols],
        }
    )
    for name in sim.COMPONENTS:
        frame[f"sim_{name}"] = comps[name][rows, cols]
    frame["job_zone_step"] = step[rows, cols]
    frame["level_shortfall"] = short[rows, cols]
    frame["max_level_gap"] = gap[rows, cols]
    return frame


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return con.execute(sql, [name]).fetchall()[0][0] > 0


def facts_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per-occupation job zone, employment, wage, outlook and β (every source present).

    OEWS and the projections publish one row per NEM code; when several O*NET occupations
    share a code, each gets an equal share of its employment and openings (there is no finer
    published split) and the code's wage and growth rate.
    """
    frame = con.execute(
        f"""
        WITH oews AS (
            SELECT soc_code, any_value(employment) AS employment,
                   any_value(coalesce(a_median, h_median * {HOURS_PER_YEAR})) AS median_wage,
                   any_value(a_median_topcoded OR h_median_topcoded) AS wage_topcoded
            FROM oews_national_2025 WHERE o_group = 'detailed' GROUP BY soc_code
        ), proj AS (
            SELECT soc_code, change_percent, openings_annual, typical_education
            FROM projections_2024_34 WHERE occupation_type = 'Line item'
        ), occ AS (
            SELECT *, count(*) OVER (PARTITION BY nem_code) AS sharing FROM occupations
        )
        SELECT o.onet_soc_code, o.title, o.job_zone, o.nem_code, o.soc_major_code,
               w.employment / o.sharing AS employment, w.median_wage, w.wage_topcoded,
               p.change_percent AS growth_percent, p.openings_annual / o.sharing AS openings,
               p.typical_education
        FROM occ o
        LEFT JOIN oews w ON w.soc_code = o.nem_code
        LEFT JOIN proj p ON p.soc_code = o.nem_code
        ORDER BY o.onet_soc_code
        """
    ).df()
    exposure = con.execute(
        "SELECT onet_soc_code, source, beta FROM occupation_exposure WHERE weighting = 'paper'"
    ).df()
    wide = exposure.pivot(index="onet_soc_code", columns="source", values="beta")
    for source in SOURCES:
        col = wide[source] if source in wide else pd.Series(dtype=float)
        frame[f"beta_{source}"] = frame["onet_soc_code"].map(col).astype(float)
    frame["wage_topcoded"] = frame["wage_topcoded"].astype("boolean")
    return frame


PEER_MIN = 5
"""A SOC minor group with fewer occupations listing technology is too small to say what its
occupations commonly use; the major group stands in."""

EXPLANATION_TABLES = {
    "career_elements": """
        WITH r AS (
            SELECT onet_soc_code, element_id, element_name, 'skill' AS domain, scale_id,
                   data_value FROM onet_skills
            UNION ALL
            SELECT onet_soc_code, element_id, element_name, 'knowledge', scale_id, data_value
            FROM onet_knowledge
        )
        SELECT onet_soc_code, element_id, any_value(element_name) AS element,
               any_value(domain) AS domain,
               max(data_value) FILTER (WHERE scale_id = 'IM') AS importance,
               max(data_value) FILTER (WHERE scale_id = 'LV') AS level
        FROM r GROUP BY onet_soc_code, element_id ORDER BY onet_soc_code, element_id
    """,
    "career_dwas": """
        WITH df AS (
            SELECT dwa_id, count(DISTINCT onet_soc_code) AS occupations
            FROM onet_tasks_to_dwas GROUP BY dwa_id
        )
        SELECT DISTINCT t.onet_soc_code, t.dwa_id, d.dwa_title, df.occupations
        FROM onet_tasks_to_dwas t JOIN df USING (dwa_id) JOIN onet_dwas d USING (dwa_id)
        ORDER BY t.onet_soc_code, df.occupations, d.dwa_title
    """,
    # One row per occupation and technology example, with how current it is (O*NET's Hot
    # Technology flag, In Demand for this occupation and for any) and how common: the share of
    # the occupation's peers listing it (its SOC minor group, or its major group when the minor
    # group has fewer than PEER_MIN occupations) and the share of all occupations.
    "career_technology": f"""
        WITH t AS (
            SELECT onet_soc_code, example, bool_or(hot_technology) AS hot,
                   bool_or(coalesce(in_demand, false)) AS in_demand
            FROM onet_technology_skills GROUP BY onet_soc_code, example
        ),
        occ AS (
            SELECT DISTINCT onet_soc_code, left(onet_soc_code, 4) AS minor,
                   left(onet_soc_code, 2) AS major FROM t
        ),
        n_minor AS (SELECT minor, count(*) AS n FROM occ GROUP BY minor),
        n_major AS (SELECT major, count(*) AS n FROM occ GROUP BY major),
        by_minor AS (
            SELECT t.example, o.minor, count(*) AS n FROM t JOIN occ o USING (onet_soc_code)
            GROUP BY t.example, o.minor
        ),
        by_major AS (
            SELECT t.example, o.major, count(*) AS n FROM t JOIN occ o USING (onet_soc_code)
            GROUP BY t.example, o.major
        ),
        everywhere AS (
            SELECT example, count(*) / (SELECT count(*) FROM occ) AS global_share,
                   bool_or(in_demand) AS in_demand_anywhere
            FROM t GROUP BY example
        )
        SELECT t.onet_soc_code, t.example, t.hot, t.in_demand, e.in_demand_anywhere,
               CASE WHEN nmi.n >= {PEER_MIN} THEN bmi.n / nmi.n ELSE bma.n / nma.n END
                   AS peer_share,
               e.global_share
        FROM t JOIN occ o USING (onet_soc_code)
        JOIN n_minor nmi ON nmi.minor = o.minor
        JOIN n_major nma ON nma.major = o.major
        JOIN by_minor bmi ON bmi.example = t.example AND bmi.minor = o.minor
        JOIN by_major bma ON bma.example = t.example AND bma.major = o.major
        JOIN everywhere e ON e.example = t.example
        ORDER BY t.onet_soc_code, t.hot DESC, t.in_demand DESC, t.example
    """,
}


def build_career_tables(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Build step (careers capability): create ``occupation_similarity``, ``career_facts`` and
    the explanation tables in ``con``."""
    started = time.perf_counter()
    f = load_features(con)
    vectors = sim.text_vectors(f, ctx.settings.cache_dir)
    embedded = time.perf_counter()
    table = similarity_table(f, vectors)
    facts = facts_table(con)
    for name, frame in (("occupation_similarity", table), ("career_facts", facts)):
        write_table(con, name, frame)
    for name, sql in EXPLANATION_TABLES.items():
        con.execute(f'CREATE TABLE "{name}" AS {sql}')
    log.info(
        "career tables: %d rows, coverage %s, %.1f s (%.1f s embedding)",
        len(table),
        f.coverage(),
        time.perf_counter() - started,
        embedded - started,
    )
