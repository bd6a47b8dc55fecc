"""The "New work" report section."""

from __future__ import annotations

import html

import pandas as pd

from laborlens.capability import Section
from laborlens.charts import chart_html
from laborlens.config import Settings
from laborlens.db.connection import connect, table_names
from laborlens.emerging.query import overview

__all__ = ["emerging_section"]


def _f(x, digits: int = 3) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:.{digits}f}"


def _table(frame: pd.DataFrame, cols: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(v)}</th>" for v in cols.values())
    body = []
    for row in frame.to_dict("records"):
        cells = []
        for c in cols:
            v = row[c]
            if isinstance(v, float):
                text = "–" if pd.isna(v) else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3f}")
            else:
                text = "–" if v is None or v is pd.NA else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def emerging_section(settings: Settings) -> Section | None:
    """Counts of task change, Δβ new vs removed (economy, major groups), examples, emerging
    statements, new and growing occupations, AI work; None when the database was built without
    the models (no emerging tables).

    Every figure comes from :func:`laborlens.emerging.query.overview`, what the API and the
    dashboard's "New work" view show, so the three cannot disagree; only the postings chart
    reads the outcomes table for its five countries (the overview carries the US series)."""
    import plotly.graph_objects as go

    with connect(settings.db_path) as con:
        if "emerging_summary" not in table_names(con):
            return None
        o = overview(con)
        posts = None
        if "outcomes_ai_share" in table_names(con):
            posts = con.execute(
                "SELECT month, country, ai_share FROM outcomes_ai_share ORDER BY month"
            ).df()
    s = o["summary"]
    groups = pd.DataFrame(o["groups"])
    parts = []
    for comp in ("20.1->29.3", "29.3->30.1"):
        b = s[comp]
        c = b["counts"]
        parts.append(
            f"<p><b>O*NET {html.escape(comp.replace('->', ' → '))}</b>: by task ID "
            f"{b['counts_by_task_id']['new']:,} new, {b['counts_by_task_id']['removed']:,} "
            f"removed, {b['counts_by_task_id']['revised']:,} reworded under the same ID, "
            f"{b['counts_by_task_id']['unchanged']:,} unchanged. Pairing a removed and a new "
            f"statement of the same occupation whose wordings have cosine ≥ "
            f"{s['all']['similar_threshold']} as one revision leaves {c['new']:,} new and "
            f"{c['removed']:,} removed statements ({b['revisions_new_id_same_text']:,} pairs with "
            f"identical text under a new ID, {b['revisions_new_id_similar_text']:,} reworded). "
            f"Employment-weighted over the {b['occupations_used']} occupations with both new "
            f"and removed statements ({b['employment_used_share']:.0%} of employment), mean β "
            f"of new statements {_f(b['beta_new'])} vs removed {_f(b['beta_removed'])}: "
            f"Δβ = {_f(b['delta_beta'])} (95 % interval {_f(b['delta_ci_low'])} to "
            f"{_f(b['delta_ci_high'])}); each occupation weighted equally Δβ = "
            f"{_f(b['delta_beta_equal'])} ({_f(b['delta_equal_ci_low'])} to "
            f"{_f(b['delta_equal_ci_high'])}).</p>"
        )
    e = s["29.3 emerging"]
    parts.append(
        f"<p><b>Emerging statements</b> (O*NET 29.3, under review): {e['statements']} in "
        f"{e['occupations']} occupations, mean β {_f(e['mean_beta_emerging'])}; against their "
        f"occupation's current statements {_f(e['mean_beta_vs_occupation'])} (95 % interval "
        f"{_f(e['ci_low'])} to {_f(e['ci_high'])}); "
        f"{e['share_above_occupation_mean']:.0%} are above their occupation's mean.</p>"
    )
    g = groups[(groups["comparison"] == "20.1->29.3") & (groups["group"] != "all")]
    g = g.dropna(subset=["delta_beta"]).sort_values("delta_beta")
    fig = go.Figure()
    fig.add_bar(
        y=g["group_title"],
        x=g["delta_beta"],
        orientation="h",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": g["delta_ci_high"] - g["delta_beta"],
            "arrayminus": g["delta_beta"] - g["delta_ci_low"],
        },
    )
    fig.update_layout(
        title="Δβ of new vs removed task statements, O*NET 20.1 → 29.3, by SOC major group "
        "(employment-weighted, 95 % interval)",
        height=720,
    )
    parts.append(chart_html(fig))
    least = o["min_statements_changed"]
    ex = pd.DataFrame(o["examples"])
    parts += [
        "<h3>Occupations whose task content changed most (20.1 → 29.3; at least "
        f"{least} statements in each release)</h3>",
        _table(
            pd.DataFrame(o["changed_most"]),
            {
                "title": "occupation",
                "n_before": "statements 20.1",
                "n_after": "29.3",
                "n_new": "new",
                "n_removed": "removed",
                "n_revised": "revised",
                "turnover": "turnover",
                "delta_beta": "Δβ",
                "delta_ci_low": "lo",
                "delta_ci_high": "hi",
            },
        ),
        "<h3>Largest changes both ways</h3>",
        _table(
            ex[ex["comparison"] == "20.1->29.3"]
            .groupby("kind", sort=False)
            .head(4),
            {
                "kind": "kind",
                "title": "occupation",
                "old_task": "old statement",
                "new_task": "new statement",
                "beta_old": "β old",
                "beta_new": "β new",
                "delta_beta": "Δβ",
            },
        ),
        "<h3>Emerging statements by occupation (most statements)</h3>",
        _table(
            pd.DataFrame(o["emerging_occupations"]).head(12),
            {
                "title": "occupation",
                "n_emerging": "emerging",
                "n_new": "of which new",
                "beta_emerging": "β emerging",
                "occupation_beta": "β current",
                "beta_vs_occupation": "difference",
            },
        ),
    ]
    cols = {
        "title": "occupation",
        "soc_change": "SOC change",
        "employment": "employment (OEWS 2025)",
        "projected_change_percent": "growth 2024–34 %",
        "beta": "β",
        "top_technologies": "in-demand / hot technologies",
    }
    parts += [
        f"<h3>Occupations new since SOC 2010 ({o['new_occupations_total']}; largest "
        f"{len(o['new_occupations'])})</h3>",
        _table(pd.DataFrame(o["new_occupations"]), cols),
        "<h3>Fastest-growing occupations, projections 2024–34</h3>",
        _table(pd.DataFrame(o["growing_occupations"]), cols),
        "<h3>AI work in the task statements</h3>",
        _table(
            pd.DataFrame(o["ai_share"]),
            {
                "release": "release",
                "statements": "statements",
                "ai_statements": "mention AI / ML / data science",
                "ai_share": "share",
                "ai_occupations": "occupations",
            },
        ),
    ]
    if posts is not None:
        fig2 = go.Figure()
        for country in ("US", "GB", "DE", "FR", "CA"):
            p = posts[posts["country"] == country]
            fig2.add_scatter(x=p["month"], y=p["ai_share"], mode="lines", name=country)
        fig2.update_layout(
            title="Share of Indeed job postings mentioning AI terms (%, monthly mean)",
            height=420,
        )
        parts.append(chart_html(fig2))
    parts.append(
        "<p>What this can and cannot show: O*NET revises occupations on a rolling schedule, so "
        "an occupation with no change may simply not have been revisited; a \"new\" statement "
        "may be an old one reworded below the similarity threshold; β is the default model's "
        "rating of a statement's exposure to large language models, not a forecast of job "
        "loss. Employment weights are OEWS May 2025 (three pooled survey years).</p>"
    )
    return Section(id="emerging", title="New work", html="\n".join(parts))
