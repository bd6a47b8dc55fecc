"""The "What is happening" report section: employment, wages and hiring by exposure."""

from __future__ import annotations

import html

import pandas as pd

from laborlens.config import Settings
from laborlens.db.connection import connect, query
from laborlens.measures.core import MEASURES

_LABELS = {m.name: m.label for m in MEASURES}
CAVEATS = (
    "Exposure is not job loss: it is potential, and a highly exposed occupation may grow. OEWS "
    "estimates pool three years of survey panels (May 2025 holds panels from November 2022 to "
    "May 2025), "
    "so a change shows late and smoothed. May 2020 is a pandemic year. Before May 2021 the "
    "panel carries split codes by later years' shares, so some early movement is imputed. "
    "Intervals cover sampling of occupations, not the OEWS survey error."
)


def _fmt(v: float) -> str:
    return "–" if v != v else f"{v:+.2f}"


def _index_chart(trends: pd.DataFrame, measure: str):
    import plotly.graph_objects as go

    part = trends[trends["measure"] == measure]
    fig = go.Figure()
    for g, d in part.groupby("group"):
        fig.add_trace(
            go.Scatter(
                x=d["year"],
                y=d["employment_index"],
                mode="lines+markers",
                name=f"group {g}" + (" (least)" if g == 1 else "")
                + (" (most exposed)" if g == part["group"].max() else ""),
            )
        )
    fig.add_vline(x=2022, line_dash="dash", line_color="grey")
    fig.add_annotation(x=2022, y=1.02, yref="paper", text="May 2022 (base)", showarrow=False)
    fig.update_layout(
        title=f"Employment index by exposure group, {_LABELS.get(measure, measure)} "
        "(quintiles of workers; May 2022 = 100)",
        xaxis_title="OEWS May of year",
        yaxis_title="employment index",
        height=420,
    )
    return fig


def _postings_chart(sectors: pd.DataFrame, measure: str):
    import plotly.graph_objects as go

    d = sectors.dropna(subset=[measure, "change_since_nov2022"])
    fig = go.Figure(
        go.Scatter(
            x=d[measure],
            y=d["change_since_nov2022"],
            mode="markers+text",
            text=d["sector"],
            textposition="top center",
            textfont={"size": 9},
        )
    )
    fig.update_layout(
        title=f"Indeed postings, change since Nov 2022 (%) against sector exposure "
        f"({_LABELS.get(measure, measure)})",
        xaxis_title="employment-weighted exposure of the sector's SOC codes",
        yaxis_title="postings change since Nov 2022, %",
        height=480,
    )
    return fig


def outcomes_section(settings: Settings):
    """Report section: trends, difference-in-trends per measure, hiring, who is exposed."""
    from laborlens.capability import Section
    from laborlens.charts import chart_html

    names = [
        "outcomes_panel_coverage",
        "outcomes_trends",
        "outcomes_summary",
        "outcomes_dissimilarity",
        "outcomes_sector_postings",
        "outcomes_postings_slopes",
        "outcomes_demographics",
        "outcomes_projection_slopes",
    ]
    with connect(settings.db_path) as con:
        t = {n: query(con, f'SELECT * FROM "{n}"') for n in names}
    summary = t["outcomes_summary"]
    wide = summary.pivot(index="measure", columns="statistic", values="estimate")
    lo = summary.pivot(index="measure", columns="statistic", values="ci_low")
    hi = summary.pivot(index="measure", columns="statistic", values="ci_high")
    rows = []
    for m in wide.index:
        rec = {"measure": _LABELS.get(m, m)}
        for stat, label in (
            ("diff_in_trends", "difference-in-trends (pp/yr)"),
            ("diff_in_trends_fe", "with major-group FE"),
            ("placebo", "placebo 2019"),
        ):
            rec[label] = f"{_fmt(wide.loc[m, stat])} [{_fmt(lo.loc[m, stat])}, " \
                f"{_fmt(hi.loc[m, stat])}]"
        rows.append(rec)
    table = pd.DataFrame(rows).to_html(index=False, border=0, escape=True)
    cov = t["outcomes_panel_coverage"].copy()
    cov["coverage"] = (cov["coverage"] * 100).map("{:.3f} %".format)
    dis = t["outcomes_dissimilarity"]
    three = dis[dis["years_apart"] == 3][["year_from", "year_to", "dissimilarity"]].copy()
    three["dissimilarity"] = (three["dissimilarity"] * 100).map("{:.2f} %".format)
    first = "beta_human" if "beta_human" in set(t["outcomes_trends"]["measure"]) else (
        t["outcomes_trends"]["measure"].iloc[0]
    )
    parts = [
        "<p>Is exposure already showing in employment, wages and hiring? OEWS May 2017–2025 "
        "harmonized on SOC 2018 detailed codes (table <code>outcomes_panel</code>), occupations "
        "grouped by exposure into quintiles of workers, May 2022 (the last survey before "
        "ChatGPT) = 100. The difference-in-trends is the change in the annual growth gap "
        "between the most and least exposed fifth of workers, after (2022→2025) minus before "
        "(2017→2022), in percentage points a year, with a 95 % occupation bootstrap interval; "
        "the placebo puts a fake break in May 2019. See <code>docs/outcomes.md</code>.</p>",
        f"<p class='muted'>{html.escape(CAVEATS)}</p>",
        chart_html(_index_chart(t["outcomes_trends"], first)),
        "<h3>Difference-in-trends, every measure</h3>",
        table,
        "<h3>Panel coverage</h3>",
        cov.to_html(index=False, border=0, float_format="{:,.0f}".format),
        "<h3>Occupational-mix dissimilarity, three-year windows</h3>",
        three.to_html(index=False, border=0),
        "<h3>Hiring</h3>",
        chart_html(_postings_chart(t["outcomes_sector_postings"], first)),
    ]
    return Section(
        id="outcomes",
        title="What is happening",
        html="\n".join(parts),
        tables=t,
    )
