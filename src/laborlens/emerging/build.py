"""The emerging-work build step: classify, rate and compare, then write the ``emerging_*`` tables.

Reads the O*NET 20.1, 30.1 and emerging task files through ``ctx.source``; O*NET 29.3 tasks,
technology skills, the crosswalks, OEWS and the projections from the tables the source load
already wrote, and the Indeed AI-posting share from the outcomes capability's
``outcomes_ai_share`` (when built). Statements are rated with the trained default
models the build passes in ``ctx.models``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from laborlens.capability import BuildContext
from laborlens.db.connection import table_names, write_table
from laborlens.emerging.analysis import group_change, occupation_change
from laborlens.emerging.change import SIMILAR_THRESHOLD, classify_change
from laborlens.emerging.crosswalk import map_2010_tasks, mapping_report
from laborlens.emerging.rate import rate_statements
from laborlens.emerging.work import (
    ai_share_by_release,
    compare_emerging,
    mentions_ai,
    mentions_ai_tech,
    new_soc_codes,
)
from laborlens.sources.onet import (
    read_emerging_tasks,
    read_task_statements,
    read_task_statements_2010,
)

log = logging.getLogger(__name__)

COMPARISONS = (("20.1", "29.3"), ("29.3", "30.1"))
EXAMPLES_PER_SIDE = 10
FASTEST_GROWING = 30
MIN_STATEMENTS = 3  # occupations ranked by Δβ need this many new and removed statements


def _embedder(ctx: BuildContext) -> Callable[[list[str]], np.ndarray]:
    from laborlens.models.encoder import embed_cached

    return lambda texts: embed_cached(texts, ctx.settings.cache_dir)


class _Clock:
    """Logs the seconds each stage of the step took."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        log.info("emerging: %s in %.1f s", stage, now - self.last)
        self.last = now


def occupation_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """O*NET occupations with SOC major group and OEWS May 2025 employment (a NEM code's
    employment split equally among the O*NET occupations that share it)."""
    return con.execute(
        """
        WITH oews AS (
            SELECT soc_code, any_value(employment) AS employment
            FROM oews_national_2025 WHERE o_group = 'detailed' GROUP BY soc_code
        ), occ AS (
            SELECT *, count(*) OVER (PARTITION BY nem_code) AS sharing FROM occupations
        )
        SELECT o.onet_soc_code, o.title, o.soc_2018_code, o.nem_code,
               coalesce(o.soc_major_code, substr(o.onet_soc_code, 1, 2) || '-0000')
                   AS soc_major_code,
               coalesce(o.soc_major_title, 'Military Specific Occupations') AS soc_major_title,
               w.employment / o.sharing AS employment
        FROM occ o LEFT JOIN oews w ON w.soc_code = o.nem_code
        ORDER BY o.onet_soc_code
        """
    ).df()


def build_emerging_tables(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """The build step (``CAPABILITY.build``): every ``emerging_*`` table."""
    started = time.perf_counter()
    tables = compute_tables(con, ctx)
    for name, frame in tables.items():
        write_table(con, name, frame)
    log.info("emerging: %d tables in %.1f s", len(tables), time.perf_counter() - started)


def compute_tables(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """The ``emerging_*`` tables as frames (the build step writes them)."""
    embed = _embedder(ctx)
    clock = _Clock()
    occ = occupation_frame(con)
    titles = occ.set_index("onet_soc_code")["title"]
    xwalk = con.execute("SELECT * FROM onet2010_onet2019_crosswalk").df()
    xwalk_titles = xwalk.drop_duplicates("onet_2019_code").set_index("onet_2019_code")[
        "onet_2019_title"
    ]

    t20 = read_task_statements_2010(ctx.source("onet20_task_statements"))
    t29 = con.execute("SELECT * FROM onet_tasks").df()
    t30 = read_task_statements(ctx.source("onet30_task_statements"))
    emerging = read_emerging_tasks(ctx.source("onet_emerging_tasks"))
    mapped = map_2010_tasks(t20, xwalk, t29, embed=embed)

    releases = {"20.1": mapped, "29.3": t29, "30.1": t30}
    changes = []
    for old, new in COMPARISONS:
        change = classify_change(
            releases[old], releases[new], old_release=old, new_release=new, embed=embed
        )
        changes.append(change)
    change = pd.concat(changes, ignore_index=True)
    clock("classified task change")
    extra = mapped.set_index("task_id")[["onet_2010_code", "code_mapping"]]
    from20 = change["release"] == "20.1"
    change["onet_2010_code"] = change["task_id"].map(extra["onet_2010_code"]).where(from20)
    change["code_mapping"] = change["task_id"].map(extra["code_mapping"]).where(from20)

    # Emerging statements join the task table as status 'emerging' (release 29.3).
    em = pd.DataFrame(
        {
            "comparison": "29.3 emerging",
            "onet_soc_code": emerging["onet_soc_code"],
            "task_id": pd.array([pd.NA] * len(emerging), dtype="Int64"),
            "task": emerging["task"],
            "status": "emerging",
            "release": "29.3",
            "id_status": pd.NA,
            "revision_kind": emerging["category"].str.lower(),
            "matched_task_id": emerging["original_task_id"],
            "similarity": np.nan,
        }
    )
    change = pd.concat([change, em], ignore_index=True)
    change["title"] = (
        change["onet_soc_code"].map(titles).fillna(change["onet_soc_code"].map(xwalk_titles))
    )
    missing_title = change["title"].isna()
    if missing_title.any():
        change.loc[missing_title, "title"] = change.loc[missing_title, "onet_soc_code"]
    clock("prepared statements")
    change = rate_statements(change, ctx.models, known=known_ratings(con))
    clock("rated statements")
    change["mentions_ai"] = mentions_ai(change["task"])
    change["status"] = change["status"].astype("string")

    # Occupation and group comparisons, per comparison of releases.
    occ_parts, group_parts, example_parts = [], [], []
    for old, new in COMPARISONS:
        comp = f"{old}->{new}"
        part = change[change["comparison"] == comp]
        per_occ, draws = occupation_change(part)
        per_occ = per_occ.merge(occ.drop(columns=["title"]), on="onet_soc_code", how="left")
        per_occ.insert(1, "title", per_occ["onet_soc_code"].map(titles))
        per_occ["soc_major_code"] = per_occ["soc_major_code"].fillna(
            per_occ["onet_soc_code"].str[:2] + "-0000"
        )
        per_occ["soc_major_title"] = per_occ["soc_major_title"].fillna("(no SOC 2018 title)")
        groups = group_change(per_occ, draws)
        per_occ.insert(0, "comparison", comp)
        groups.insert(0, "comparison", comp)
        occ_parts.append(per_occ)
        group_parts.append(groups)
        example_parts.append(examples(part, per_occ, comp))
    clock("occupation and group comparisons")
    occ_change = pd.concat(occ_parts, ignore_index=True)
    group = pd.concat(group_parts, ignore_index=True)

    current = change[
        (change["comparison"] == "20.1->29.3")
        & change["status"].isin(["unchanged", "revised_new", "new"])
    ]
    em_rated = change[change["status"] == "emerging"].copy()
    em_rated["category"] = emerging["category"].to_numpy()
    em_rated["original_task_id"] = emerging["original_task_id"].to_numpy()
    em_rated["original_task"] = emerging["original_task"].to_numpy()
    em_stmts, em_occ, em_overall = compare_emerging(em_rated, current)
    em_stmts = em_stmts.drop(columns=["comparison", "status", "release", "id_status",
                                      "revision_kind", "matched_task_id", "similarity",
                                      "onet_2010_code", "code_mapping"])

    clock("emerging statements")
    profiles = occupation_profiles(con, occ, current, occ_change, em_occ)
    clock("occupation profiles")
    ai_share = ai_share_by_release(
        {
            "20.1": mapped.assign(onet_soc_code=mapped["onet_soc_code"].fillna("unmapped")),
            "29.3": t29,
            "30.1": t30,
            "29.3 emerging": emerging,
        }
    )
    postings = None
    if "outcomes_ai_share" in table_names(con):
        postings = con.execute("SELECT * FROM outcomes_ai_share").df()
    summary = summary_table(change, group, em_overall, mapped, ai_share, postings)
    return {
        "emerging_task_change": change,
        "emerging_crosswalk_report": mapping_report(mapped),
        "emerging_occupation_change": occ_change,
        "emerging_group_change": group,
        "emerging_examples": pd.concat(example_parts, ignore_index=True),
        "emerging_statements": em_stmts,
        "emerging_statement_occupations": em_occ,
        "emerging_occupations": profiles,
        "emerging_ai_share": ai_share,
        "emerging_summary": summary,
    }


def known_ratings(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The exposure capability's ratings of every O*NET 29.3 task by the same default models
    (task, title, rating columns), so they are not scored twice; None when not built."""
    present = set(table_names(con))
    if not {"task_exposure_model", "task_automation_model"} <= present:
        return None
    return con.execute(
        """
        SELECT t.task, o.title, e.exposure, e.p_E0, e.p_E1, e.p_E2, e.beta,
               a.automation AS automation_level, a.p_T0, a.p_T1, a.p_T2, a.p_T3, a.p_T4,
               a.automation_score AS automation
        FROM onet_tasks t
        JOIN onet_occupations o USING (onet_soc_code)
        JOIN task_exposure_model e USING (onet_soc_code, task_id)
        JOIN task_automation_model a USING (onet_soc_code, task_id)
        """
    ).df()


def examples(part: pd.DataFrame, per_occ: pd.DataFrame, comparison: str) -> pd.DataFrame:
    """The largest changes both ways: occupations whose new statements are most (least)
    exposed relative to the removed ones (at least :data:`MIN_STATEMENTS` of each), with their
    most telling statements, and the revisions whose β moved most."""
    rows = []
    ranked = per_occ[
        (per_occ["n_new"] >= MIN_STATEMENTS) & (per_occ["n_removed"] >= MIN_STATEMENTS)
    ].dropna(subset=["delta_beta"])
    for direction, chosen in (
        ("occupation_up", ranked.nlargest(EXAMPLES_PER_SIDE, "delta_beta")),
        ("occupation_down", ranked.nsmallest(EXAMPLES_PER_SIDE, "delta_beta")),
    ):
        up = direction.endswith("up")
        for r in chosen.itertuples():
            g = part[part["onet_soc_code"] == r.onet_soc_code]
            new = g[g["status"] == "new"].sort_values("beta", ascending=not up).iloc[0]
            rem = g[g["status"] == "removed"].sort_values("beta", ascending=up).iloc[0]
            rows.append(
                {
                    "kind": direction,
                    "onet_soc_code": r.onet_soc_code,
                    "title": r.title,
                    "old_task": rem["task"],
                    "new_task": new["task"],
                    "beta_old": float(r.beta_removed),
                    "beta_new": float(r.beta_new),
                    "delta_beta": float(r.delta_beta),
                    "delta_ci_low": float(r.delta_ci_low),
                    "delta_ci_high": float(r.delta_ci_high),
                    "n_old": int(r.n_removed),
                    "n_new": int(r.n_new),
                }
            )
    old = part[part["status"] == "revised_old"].set_index("matched_task_id")
    new = part[part["status"] == "revised_new"].set_index("task_id")
    pairs = new.join(old[["task", "beta"]], suffixes=("", "_old"), how="inner")
    pairs["delta"] = pairs["beta"] - pairs["beta_old"]
    for direction, chosen in (
        ("revision_up", pairs.nlargest(EXAMPLES_PER_SIDE, "delta")),
        ("revision_down", pairs.nsmallest(EXAMPLES_PER_SIDE, "delta")),
    ):
        for r in chosen.itertuples():
            rows.append(
                {
                    "kind": direction,
                    "onet_soc_code": r.onet_soc_code,
                    "title": r.title,
                    "old_task": r.task_old,
                    "new_task": r.task,
                    "beta_old": float(r.beta_old),
                    "beta_new": float(r.beta),
                    "delta_beta": float(r.delta),
                    "delta_ci_low": np.nan,
                    "delta_ci_high": np.nan,
                    "n_old": 1,
                    "n_new": 1,
                }
            )
    out = pd.DataFrame(rows)
    out.insert(0, "comparison", comparison)
    return out


def occupation_profiles(
    con: duckdb.DuckDBPyConnection,
    occ: pd.DataFrame,
    current: pd.DataFrame,
    occ_change: pd.DataFrame,
    em_occ: pd.DataFrame,
) -> pd.DataFrame:
    """One row per O*NET-SOC 2019 occupation: new since SOC 2010?, employment, projected growth,
    exposure, task change since 20.1, emerging statements, and hot / in-demand technologies."""
    soc_new = new_soc_codes(con.execute("SELECT * FROM soc2010_soc2018_crosswalk").df())
    xw = con.execute("SELECT * FROM onet2010_onet2019_crosswalk").df()
    proj = con.execute(
        "SELECT soc_code, employment_2024, change_percent, openings_annual "
        "FROM projections_2024_34 WHERE occupation_type = 'Line item'"
    ).df()
    tech = con.execute("SELECT * FROM onet_technology_skills").df()
    out = occ.copy()
    sharing = out.groupby("nem_code")["onet_soc_code"].transform("size")
    out = out.merge(soc_new[["soc_2018_code", "soc_change", "soc_2010_codes"]],
                    on="soc_2018_code", how="left")
    out["onet_2010_codes"] = out["onet_soc_code"].map(
        xw.groupby("onet_2019_code")["onet_2010_code"].agg(lambda s: ", ".join(sorted(set(s))))
    )
    out["new_since_soc_2010"] = out["soc_change"].isin(["split_off", "merged"]) | out[
        "onet_2010_codes"
    ].isna()
    p = proj.set_index("soc_code")
    out["employment_2024_projections"] = out["nem_code"].map(p["employment_2024"]) / sharing
    out["projected_change_percent"] = out["nem_code"].map(p["change_percent"])
    ranks = p["change_percent"].rank(ascending=False, method="min")
    out["growth_rank"] = out["nem_code"].map(ranks).astype("Int64")
    stats = current.groupby("onet_soc_code").agg(
        beta=("beta", "mean"),
        automation=("automation", "mean"),
        statements=("task", "size"),
        ai_statements=("mentions_ai", "sum"),
    )
    out = out.join(stats, on="onet_soc_code")
    ch = occ_change[occ_change["comparison"] == "20.1->29.3"].set_index("onet_soc_code")
    for col in ("n_new", "n_removed", "n_revised", "turnover", "delta_beta", "delta_ci_low",
                "delta_ci_high"):
        out[f"change_{col}"] = out["onet_soc_code"].map(ch[col])
    if "outcomes_panel" in set(table_names(con)):
        # Growth on the outcomes capability's harmonized OEWS panel (SOC 2018 detailed codes).
        panel = con.execute(
            "SELECT soc_2018_code, year, employment FROM outcomes_panel WHERE year IN (2019, 2025)"
        ).df()
        wide = panel.pivot_table(index="soc_2018_code", columns="year", values="employment")
        if {2019, 2025} <= set(wide.columns):
            growth = 100 * (wide[2025] / wide[2019] - 1)
            out["oews_growth_2019_2025_percent"] = out["soc_2018_code"].map(growth)
    out["n_emerging"] = out["onet_soc_code"].map(em_occ.set_index("onet_soc_code")["n_emerging"])
    out["n_emerging"] = out["n_emerging"].fillna(0).astype(int)
    tech["ai_tool"] = mentions_ai_tech(tech["example"])
    g = tech.groupby("onet_soc_code")
    out["hot_technologies"] = out["onet_soc_code"].map(g["hot_technology"].sum()).fillna(0)
    out["in_demand_technologies"] = out["onet_soc_code"].map(g["in_demand"].sum()).fillna(0)
    top = (
        tech[tech["in_demand"].fillna(False) | tech["hot_technology"].fillna(False)]
        .sort_values(["onet_soc_code", "in_demand", "hot_technology", "example"],
                     ascending=[True, False, False, True])
        .groupby("onet_soc_code")["example"]
        .agg(lambda s: "; ".join(s.head(5)))
    )
    out["top_technologies"] = out["onet_soc_code"].map(top)
    ai_tools = tech[tech["ai_tool"]].groupby("onet_soc_code")["example"].agg(
        lambda s: "; ".join(sorted(set(s)))
    )
    out["ai_tools"] = out["onet_soc_code"].map(ai_tools)
    for c in ("hot_technologies", "in_demand_technologies"):
        out[c] = out[c].astype(int)
    return out


def summary_table(
    change: pd.DataFrame,
    group: pd.DataFrame,
    em_overall: dict,
    mapped: pd.DataFrame,
    ai_share: pd.DataFrame,
    postings: pd.DataFrame | None,
) -> pd.DataFrame:
    """Headline numbers as (section, key, value) rows (value as text; the CLI's summary)."""
    rows: list[tuple[str, str, str]] = []
    for comp, part in change[change["status"] != "emerging"].groupby("comparison", sort=False):
        counts = part["status"].value_counts()
        for s in ("new", "removed", "revised_old", "revised_new", "unchanged"):
            rows.append((comp, f"count_{s}", str(int(counts.get(s, 0)))))
        ids = part.drop_duplicates(["task_id", "release"])
        by_id = ids.drop_duplicates("task_id")["id_status"].value_counts()
        for s in ("new", "removed", "revised", "unchanged"):
            rows.append((comp, f"by_id_{s}", str(int(by_id.get(s, 0)))))
        rev = part[part["status"] == "revised_new"]["revision_kind"].value_counts()
        for k in ("same_id", "new_id_same_text", "new_id_similar_text"):
            rows.append((comp, f"revisions_{k}", str(int(rev.get(k, 0)))))
        allrow = group[(group["comparison"] == comp) & (group["group"] == "all")].iloc[0]
        for k in ("beta_new", "beta_removed", "delta_beta", "delta_ci_low", "delta_ci_high",
                  "delta_beta_equal", "delta_equal_ci_low", "delta_equal_ci_high",
                  "occupations_used", "employment_used_share"):
            rows.append((comp, k, f"{allrow[k]:.6g}"))
        for s in ("new", "removed"):
            rows.append((comp, f"mean_beta_{s}_statements",
                         f"{part.loc[part['status'] == s, 'beta'].mean():.6g}"))
    rows.append(("all", "similar_threshold", str(SIMILAR_THRESHOLD)))
    for k, v in em_overall.items():
        rows.append(("29.3 emerging", k, f"{v:.6g}" if isinstance(v, float) else str(v)))
    unmapped = mapped["code_mapping"] == "unmapped"
    n_codes = mapped.loc[unmapped, "onet_2010_code"].nunique()
    rows.append(("crosswalk", "unmapped_codes", str(n_codes)))
    rows.append(("crosswalk", "unmapped_tasks", str(int(unmapped.sum()))))
    for r in ai_share.itertuples():
        rows.append((f"ai {r.release}", "ai_statements", str(r.ai_statements)))
        rows.append((f"ai {r.release}", "ai_share", f"{r.ai_share:.6g}"))
    if postings is not None:  # the outcomes capability's monthly Indeed AI-posting share
        us = postings[postings["country"] == "US"]
        yearly = us.groupby(us["month"].str[:4])["ai_share"].mean()
        for year, value in yearly.items():
            rows.append(("indeed US", f"ai_posting_share_{year}", f"{value:.4g}"))
    return pd.DataFrame(rows, columns=["section", "key", "value"])
