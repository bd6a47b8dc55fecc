"""Career recommendations: rank an occupation's precomputed destinations by an objective and
explain each one from the O*NET, OEWS and projections tables.

The objective is a weighted sum of terms, each a change from the origin A to the destination B
on a comparable scale of about [-1, 1] (docs/careers.md):

============  ===============================================================================
similarity    transition score A→B (similarity minus the cost of stepping up), 0–1
exposure      β_A − β_B: share of tasks exposed to LLMs given up
wage          log2(median wage B / median wage A), clipped to ±1 (doubling = +1)
growth        (projected growth % of B − of A, 2024–34) / 10, clipped to ±1
openings      log10(annual openings B / A) / 2, clipped to ±1
education     −(job zones stepped up) / 2, clipped at −1; no bonus for a step down
============  ===============================================================================

A term whose data is missing for A or B counts 0 and is listed in the item's ``missing``.
Candidates are the :data:`~laborlens.careers.precompute.TOP_K` destinations with the highest
transition score, so every objective recommends occupations within reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from laborlens.careers.resolve import resolve_occupation
from laborlens.config import Settings, get_settings
from laborlens.db.connection import connect, database_errors
from laborlens.exceptions import ConfigError, DatabaseError

TERMS = ("similarity", "exposure", "wage", "growth", "openings", "education")

OBJECTIVES: dict[str, dict[str, float]] = {
    "similarity": {"similarity": 1.0},
    "balanced": {
        "similarity": 3.0,
        "exposure": 1.0,
        "wage": 0.5,
        "growth": 0.25,
        "openings": 0.25,
        "education": 0.25,
    },
    "safer": {
        "similarity": 3.0,
        "exposure": 3.0,
        "wage": 0.25,
        "growth": 0.25,
        "openings": 0.25,
        "education": 0.25,
    },
    "pay": {
        "similarity": 3.0,
        "exposure": 0.5,
        "wage": 2.0,
        "growth": 0.25,
        "openings": 0.25,
        "education": 0.25,
    },
    "growth": {
        "similarity": 3.0,
        "exposure": 0.5,
        "wage": 0.25,
        "growth": 1.5,
        "openings": 1.0,
        "education": 0.25,
    },
}

BETA_SOURCES = ("model", "human", "gpt4")

# Feasibility tiers (docs/careers.md) rest on the evidence each recommendation shows: the
# job-zone step and the largest level gap (0–7 O*NET level points) among skills and knowledge
# important to the destination. The transition score ranks the candidates (every candidate is
# among the origin's nearest destinations) but does not set the tier, so a tier never
# contradicts the gaps shown beside it.
CLOSE = {"zone_step": 0, "max_gap": 1.0}
STRETCH = {"zone_step": 1, "max_gap": 2.0}

IMPORTANT = 3.0  # O*NET importance of 3 ("important") or more on the 1–5 scale
N_SHARED = 5
N_GAPS = 5
N_TECH = 8


def feasibility(zone_step: float, max_gap: float) -> str:
    """``close``, ``stretch`` or ``major retraining`` from the job-zone step and the largest
    important level gap (an unknown zone or gap counts as 0; :func:`feasibility_reason` says so).
    """
    step = 0.0 if np.isnan(zone_step) else zone_step
    # the gap as shown (rounded to 4 decimals), so a float32 1.0000001 is not a "stretch"
    gap = 0.0 if np.isnan(max_gap) else max(round(float(max_gap), 4), 0.0)
    for tier, t in (("close", CLOSE), ("stretch", STRETCH)):
        if step <= t["zone_step"] and gap <= t["max_gap"]:
            return tier
    return "major retraining"


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """``1 activity``, ``2 activities``, ``0 shared activities``: a count with its noun."""
    n = int(n)
    if n == 1:
        return f"1 {singular}"
    if plural_form is None:
        head, _, last = singular.rpartition(" ")
        if last.endswith("y") and last[-2:-1] not in "aeiou":
            last = last[:-1] + "ies"
        elif last.endswith(("s", "x", "ch", "sh")):
            last += "es"
        else:
            last += "s"
        plural_form = f"{head} {last}".strip()
    return f"{n:,} {plural_form}"


def feasibility_reason(zone_step: float, max_gap: float, gap_element: str | None) -> str:
    """The evidence behind the tier, in words (the same numbers :func:`feasibility` uses)."""
    if np.isnan(zone_step):
        zone = "job zone unknown"
    elif zone_step > 0:
        zone = f"{plural(zone_step, 'job zone')} up"
    elif zone_step < 0:
        zone = f"{plural(-zone_step, 'job zone')} down"
    else:
        zone = "same job zone"
    if not np.isnan(max_gap):
        max_gap = round(float(max_gap), 4)  # as shown in level_gaps
    if np.isnan(max_gap):
        gap = "no O*NET skill ratings to compare"
    elif max_gap <= 0:
        gap = "no skill or knowledge gap"
    else:
        gap = f"largest gap {max_gap:.1f} level points"
        gap += f" ({gap_element})" if gap_element else ""
    return f"{zone}; {gap}"


def objective_weights(objective: str, weights: dict[str, float] | None = None) -> dict[str, float]:
    """The named objective's term weights, overridden by ``weights`` (term → weight)."""
    if objective not in OBJECTIVES:
        msg = f"Unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}."
        raise ConfigError(msg)
    out = dict.fromkeys(TERMS, 0.0) | OBJECTIVES[objective]
    for term, w in (weights or {}).items():
        if term not in TERMS:
            msg = f"Unknown objective term {term!r}; expected one of {', '.join(TERMS)}."
            raise ConfigError(msg)
        if not np.isfinite(w):
            msg = f"The weight of {term!r} must be a finite number, got {w}."
            raise ConfigError(msg)
        out[term] = float(w)
    return out


@dataclass
class Recommendations:
    """Ranked destinations for one origin occupation, with explanations."""

    origin: dict
    objective: str
    weights: dict[str, float]
    beta_source: str
    items: list[dict] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per recommendation: code, title, similarity, score, tier and deltas."""
        rows = [
            {
                "rank": i["rank"],
                "onet_soc_code": i["onet_soc_code"],
                "title": i["title"],
                "similarity": i["similarity"],
                "score": i["score"],
                "feasibility": i["feasibility"],
                **{f"delta_{k}": v for k, v in i["deltas"].items()},
            }
            for i in self.items
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return {
            "origin": self.origin,
            "objective": self.objective,
            "weights": self.weights,
            "beta_source": self.beta_source,
            "recommendations": self.items,
        }

    def to_json(self, indent: int | None = 2) -> str:
        from laborlens.jsonutil import dumps

        return dumps(self.to_dict(), indent=indent)


def _num(value, digits: int | None = None) -> float | None:
    """A plain float (rounded to ``digits``), or None for missing (NaN/NA)."""
    if value is None or pd.isna(value):
        return None
    return float(value) if digits is None else round(float(value), digits)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> dict[str, np.ndarray]:
    """Columns as numpy arrays (NULL → NaN in numeric columns, None in others); a missing table
    is a :class:`DatabaseError` naming the fix. Plain arrays keep a query within milliseconds,
    where building DataFrames would cost more than the SQL."""
    with database_errors("the career tables"):
        cols = con.execute(sql, params).fetchnumpy()
    out = {}
    for name, col in cols.items():
        if np.ma.isMaskedArray(col):
            if col.dtype.kind in "biuf":
                col = col.astype(float).filled(np.nan)
            else:  # filled(None) would use numpy's default fill value ("?"), not None
                col = np.where(np.ma.getmaskarray(col), None, col.data.astype(object))
        elif col.dtype.kind in "biu":
            col = col.astype(float)
        out[name] = col
    return out


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[tuple]:
    with database_errors("the career tables"):
        return con.execute(sql, params).fetchall()


def _terms(c: dict[str, np.ndarray], beta: str) -> dict[str, np.ndarray]:
    """Objective terms of every candidate (row 0 of ``c`` is the origin); NaN where missing."""
    a = {k: v[0] for k, v in c.items()}
    b = {k: v[1:] for k, v in c.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        t = {
            "similarity": b["similarity"].astype(float),
            "exposure": a[beta] - b[beta],
            "wage": np.clip(np.log2(b["median_wage"] / a["median_wage"]), -1, 1),
            "growth": np.clip((b["growth_percent"] - a["growth_percent"]) / 10, -1, 1),
            "openings": np.clip(np.log10(b["openings"] / a["openings"]) / 2, -1, 1),
            "education": np.clip(-np.maximum(b["job_zone_step"], 0) / 2, -1, 0),
        }
    return {k: np.where(np.isfinite(v), v, np.nan) for k, v in t.items()}


def recommend_careers(
    occupation: str,
    *,
    top: int = 10,
    objective: str = "balanced",
    weights: dict[str, float] | None = None,
    beta_source: str | None = None,
    settings: Settings | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Recommendations:
    """Occupations a worker in ``occupation`` (code or title) could move to, best first.

    ``objective`` names a weighting of the terms (:data:`OBJECTIVES`); ``weights`` overrides
    single terms. ``beta_source`` picks the exposure measure (model, human or gpt4; default
    model when the database has it). Pass an open ``con`` to answer many queries quickly.
    """
    if top < 1:
        msg = f"top must be at least 1, got {top}"
        raise ConfigError(msg)
    w = objective_weights(objective, weights)
    if con is None:
        with connect((settings or get_settings()).db_path) as own:
            return recommend_careers(
                occupation,
                top=top,
                objective=objective,
                weights=weights,
                beta_source=beta_source,
                con=own,
            )
    if beta_source is not None and beta_source not in BETA_SOURCES:
        msg = f"Unknown exposure source {beta_source!r}; expected one of {', '.join(BETA_SOURCES)}."
        raise ConfigError(msg)
    code = resolve_occupation(con, occupation)
    # One query: the origin's facts (row 0) and its destinations with theirs.
    c = _fetch(
        con,
        """
        SELECT 0 AS rank, NULL AS related_code, f.*,
               (SELECT count(beta_model) FROM career_facts) AS n_beta_model
        FROM career_facts f WHERE onet_soc_code = ?
        UNION ALL BY NAME
        SELECT s.*, f.* EXCLUDE (onet_soc_code) FROM occupation_similarity s
        JOIN career_facts f ON f.onet_soc_code = s.related_code WHERE s.onet_soc_code = ?
        ORDER BY rank
        """,
        [code, code],
    )
    # Default: the model's β (every O*NET 29.3 occupation) if built with models, else human.
    source = beta_source or ("model" if c["n_beta_model"][0] > 0 else "human")
    beta = f"beta_{source}"
    terms = _terms(c, beta)
    score = sum(np.nan_to_num(terms[k]) * v for k, v in w.items() if v)
    score = np.asarray(score, dtype=float) + np.zeros(len(c["rank"]) - 1)
    # Best score first; ties by the transition score, then the precomputed rank.
    order = np.lexsort((c["rank"][1:], -c["similarity"][1:], -score))[:top]
    codes = [str(c["related_code"][1 + i]) for i in order]
    shared = _shared_activities(con, code, codes)
    gaps = _level_gaps(con, code, codes)
    tech = _technology_to_learn(con, code, codes)
    sims = [k for k in c if k.startswith("sim_")]
    items = []
    for rank, i in enumerate(order, start=1):
        j = i + 1  # row in c
        b = str(c["related_code"][j])
        items.append(
            {
                "rank": rank,
                "onet_soc_code": b,
                "title": str(c["title"][j]),
                "similarity": round(float(c["similarity"][j]), 4),
                "score": round(float(score[i]), 4),
                "feasibility": feasibility(
                    float(c["job_zone_step"][j]), float(c["max_level_gap"][j])
                ),
                "feasibility_reason": feasibility_reason(
                    float(c["job_zone_step"][j]),
                    float(c["max_level_gap"][j]),
                    gaps[b][0]["element"] if gaps.get(b) else None,
                ),
                "components": {k.removeprefix("sim_"): _num(c[k][j]) for k in sims}
                | {"symmetric": _num(c["symmetric_similarity"][j])},
                "terms": {k: _num(terms[k][i], 4) for k in TERMS},
                "missing": [k for k in TERMS if np.isnan(terms[k][i])],
                "deltas": {
                    k: _delta(c[col][0], c[col][j])
                    for k, col in (
                        ("beta", beta),
                        ("median_wage", "median_wage"),
                        ("growth_percent", "growth_percent"),
                        ("openings", "openings"),
                        ("job_zone", "job_zone"),
                    )
                },
                "destination": _facts(c, j, beta),
                "shared_activities": shared.get(b, {"count": 0, "top": []}),
                # False when either occupation lacks O*NET skill/knowledge ratings, so an
                # empty level_gaps list then means "unknown", not "no gap".
                "ratings_compared": bool(np.isfinite(c["level_shortfall"][j])),
                "level_gaps": gaps.get(b, []),
                "technology_to_learn": tech.get(
                    b,
                    {"count": 0, "top": [], "not_current": 0, "uncommon": 0, "worth_learning": 0},
                ),
            }
        )
    origin = {"onet_soc_code": code, "title": str(c["title"][0]), **_facts(c, 0, beta)}
    origin["employment"] = _num(c["employment"][0])
    return Recommendations(origin, objective, w, source, items)


def _facts(c: dict[str, np.ndarray], j: int, beta: str) -> dict:
    edu = c["typical_education"][j]
    return {
        "beta": _num(c[beta][j]),
        "median_wage": _num(c["median_wage"][j]),
        "growth_percent": _num(c["growth_percent"][j]),
        "openings": _num(c["openings"][j]),
        "job_zone": _num(c["job_zone"][j]),
        "typical_education": None if edu is None or edu != edu else str(edu),
    }


def _delta(a, b) -> float | None:
    if pd.isna(a) or pd.isna(b):
        return None
    return round(float(b) - float(a), 4)


def _placeholders(codes: list[str]) -> str:
    # An explicit IN list (not list_contains) lets DuckDB skip to the codes' row groups.
    return ", ".join("?" * len(codes))


def _shared_activities(con, a: str, codes: list[str]) -> dict[str, dict]:
    """Detailed work activities both occupations perform, the most specific (performed by the
    fewest occupations) first."""
    if not codes:
        return {}
    rows = _rows(
        con,
        f"""
        SELECT b.onet_soc_code, b.dwa_title FROM career_dwas b
        SEMI JOIN (SELECT dwa_id FROM career_dwas WHERE onet_soc_code = ?) m USING (dwa_id)
        WHERE b.onet_soc_code IN ({_placeholders(codes)})
        ORDER BY b.onet_soc_code, b.occupations, b.dwa_title
        """,
        [a, *codes],
    )
    out: dict[str, dict] = {}
    for b, title in rows:
        entry = out.setdefault(b, {"count": 0, "top": []})
        entry["count"] += 1
        if len(entry["top"]) < N_SHARED:
            entry["top"].append(title)
    return out


def _level_gaps(con, a: str, codes: list[str]) -> dict[str, list[dict]]:
    """Skills and knowledge where B requires the highest level above A's (among elements with
    importance ≥ 3 to B), with both levels as rated by O*NET."""
    if not codes:
        return {}
    rows = _rows(
        con,
        f"""
        SELECT b.onet_soc_code, b.element_id, b.element, b.domain, a.level AS level_from,
               b.level AS level_to, b.level - a.level AS gap, b.importance AS importance_to
        FROM career_elements b
        JOIN (SELECT element_id, level FROM career_elements WHERE onet_soc_code = ?) a
          USING (element_id)
        WHERE b.onet_soc_code IN ({_placeholders(codes)})
          AND b.importance >= {IMPORTANT} AND b.level > a.level
        ORDER BY b.onet_soc_code, gap DESC, b.element
        """,
        [a, *codes],
    )
    out: dict[str, list[dict]] = {}
    for b, element_id, element, domain, level_from, level_to, gap, importance in rows:
        entry = out.setdefault(b, [])
        if len(entry) < N_GAPS:
            entry.append(
                {
                    "element_id": element_id,
                    "element": element,
                    "domain": domain,
                    "level_from": float(level_from),
                    "level_to": float(level_to),
                    "gap": round(float(gap), 4),
                    "importance_to": float(importance),
                }
            )
    return out


COMMON_PEER_SHARE = 0.25
"""A technology listed by at least this share of the destination's peer occupations (its SOC
minor group) is common in that line of work."""
TYPICAL_LIFT = 2.0
"""... or one its peers list at least this many times as often as occupations at large."""


def technology_weight(hot: bool, in_demand: bool, in_demand_anywhere: bool, peer: float) -> float:
    """How much a technology is worth learning for the destination: how common it is among the
    destination's peers, raised when it is current (O*NET Hot Technology, In Demand anywhere),
    and first of all when employers ask for it in this destination's postings (In Demand)."""
    return 2.0 * in_demand + peer * (1.0 + hot + 0.5 * in_demand_anywhere)


def _technology_to_learn(con, a: str, codes: list[str]) -> dict[str, dict]:
    """Technology skills in B's list and not A's worth learning, best first.

    Kept: current ones (Hot Technology or In Demand in O*NET) that B's postings ask for or that
    are common (:data:`COMMON_PEER_SHARE`) or typical (:data:`TYPICAL_LIFT`) among B's peers;
    ranked by :func:`technology_weight`. Left out, and counted: products O*NET marks neither hot
    nor in demand anywhere (MapQuest, MapPoint …), and generic office tools B's line of work
    rarely uses.
    """
    if not codes:
        return {}
    try:
        rows = _rows(
            con,
            f"""
            SELECT b.onet_soc_code, b.example, b.hot, b.in_demand, b.in_demand_anywhere,
                   b.peer_share, b.global_share
            FROM career_technology b
            ANTI JOIN (SELECT example FROM career_technology WHERE onet_soc_code = ?) m
              USING (example)
            WHERE b.onet_soc_code IN ({_placeholders(codes)})
            ORDER BY b.onet_soc_code, b.example
            """,
            [a, *codes],
        )
    except duckdb.BinderException as exc:
        msg = (
            "The database's career_technology table predates the technology ranking "
            f"({exc}). Rebuild it with `laborlens build`."
        )
        raise DatabaseError(msg) from exc
    out: dict[str, dict] = {}
    ranked: dict[str, list] = {}
    for b, example, hot, in_demand, anywhere, peer, share in rows:
        entry = out.setdefault(b, {"count": 0, "top": [], "not_current": 0, "uncommon": 0})
        entry["count"] += 1
        current = bool(hot) or bool(anywhere)
        if not current:
            entry["not_current"] += 1
            continue
        relevant = (
            bool(in_demand)
            or peer >= COMMON_PEER_SHARE
            or (share > 0 and peer / share >= TYPICAL_LIFT)
        )
        if not relevant:
            entry["uncommon"] += 1
            continue
        weight = technology_weight(bool(hot), bool(in_demand), bool(anywhere), float(peer))
        ranked.setdefault(b, []).append(
            {
                "name": example,
                "hot": bool(hot),
                "in_demand": bool(in_demand),
                "peer_share": round(float(peer), 4),
                "weight": round(weight, 4),
            }
        )
    for b, items in ranked.items():
        items.sort(key=lambda t: (-t["weight"], t["name"]))
        out[b]["top"] = items[:N_TECH]
        out[b]["worth_learning"] = len(items)
    for entry in out.values():
        entry.setdefault("worth_learning", 0)
    return out
