"""Charts (Plotly, with plotly.js embedded so the page works offline) and the HTML page."""

from __future__ import annotations

from importlib import resources

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from laborlens.charts import chart_html
from laborlens.exposure.rubric import (
    LEVEL_NAMES,
    MEASURE_NAMES,
    SOURCE_DESCRIPTIONS,
    SOURCE_NAMES,
    WEIGHTING_NAMES,
)

SOURCE_LABELS = SOURCE_NAMES
COLORS = {"human": "#1f77b4", "gpt4": "#ff7f0e", "model": "#2ca02c"}


def major_group_chart(groups: pd.DataFrame) -> go.Figure:
    """Employment-weighted β by SOC major group, one bar per label source."""
    order = groups[groups["source"] == "human"].sort_values("beta")["soc_major_title"].tolist()
    fig = go.Figure()
    for source, g in groups.groupby("source"):
        g = g.set_index("soc_major_title").reindex(order)
        fig.add_bar(
            y=order,
            x=g["beta"],
            name=SOURCE_LABELS[source],
            orientation="h",
            marker_color=COLORS[source],
        )
    fig.update_layout(
        title="Share of tasks exposed by occupation group (workers' average)",
        barmode="group",
        height=760,
        xaxis_title="share of tasks exposed (β)",
        xaxis_tickformat=".0%",
        yaxis_automargin=True,
    )
    return fig


def wage_chart(socs: pd.DataFrame) -> go.Figure:
    """Occupation β against annual median wage, marker area by employment."""
    fig = go.Figure()
    for source, g in socs.groupby("source"):
        g = g.dropna(subset=["beta", "a_median"])
        size = np.sqrt(g["employment"].fillna(0) / 1000.0) + 3
        fig.add_scattergl(
            x=g["a_median"],
            y=g["beta"],
            mode="markers",
            name=SOURCE_LABELS[source],
            marker={"size": size, "sizemode": "diameter", "opacity": 0.5, "color": COLORS[source]},
            text=g["title"],
            hovertemplate="%{text}<br>median wage $%{x:,.0f}<br>share of tasks exposed "
            "%{y:.0%}<extra></extra>",
        )
    fig.update_layout(
        title="Share of tasks exposed against median annual wage (OEWS May 2025)",
        xaxis_title="median annual wage (US$, log scale)",
        yaxis_title="share of tasks exposed (β)",
        yaxis_tickformat=".0%",
        xaxis_type="log",
        height=560,
    )
    return fig


def distribution_chart(occ: pd.DataFrame) -> go.Figure:
    """Histogram of occupation β for each label source."""
    fig = go.Figure()
    for source in [s for s in SOURCE_LABELS if f"{s}_beta" in occ.columns]:
        fig.add_histogram(
            x=occ[f"{source}_beta"],
            name=SOURCE_LABELS[source],
            opacity=0.6,
            xbins={"start": 0, "end": 1.0001, "size": 0.05},
            marker_color=COLORS[source],
        )
    fig.update_layout(
        title="How many occupations have each share of tasks exposed",
        barmode="overlay",
        xaxis_title="share of tasks exposed (β)",
        xaxis_tickformat=".0%",
        yaxis_title="O*NET occupations",
        height=420,
    )
    return fig


def all_figures(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Every chart of the report as an HTML fragment."""
    return {
        "major_groups": chart_html(major_group_chart(tables["exposure_by_major_group"])),
        "wages": chart_html(wage_chart(tables["soc_exposure_wages"])),
        "distribution": chart_html(distribution_chart(tables["occupation_exposure"])),
    }


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %"


def _millions(x: float) -> str:
    return "–" if pd.isna(x) else f"{x / 1e6:,.1f} million"


def summary_figures(tables: dict[str, pd.DataFrame]) -> tuple[dict, list[dict], list, list]:
    """The plain-language summary's numbers: the lead source (human ratings when present), the
    others, and the three most and least exposed occupation groups by the lead source."""
    shares = tables["share_of_workers_exposed"]
    cov = tables["coverage"].set_index("source")
    beta = shares[shares["measure"] == "beta"]
    rows = []
    for source in [s for s in SOURCE_NAMES if s in set(beta["source"])]:
        b = beta[beta["source"] == source].set_index("threshold")
        rows.append(
            {
                "source": source,
                "source_name": SOURCE_NAMES[source],
                "share_ge_10": b.loc[0.1, "share_of_workers"],
                "share_ge_50": b.loc[0.5, "share_of_workers"],
                "workers_ge_50": b.loc[0.5, "workers"],
                "coverage": cov.loc[source, "employment_share"],
                "employment_total": cov.loc[source, "employment_total"],
            }
        )
    lead, others = rows[0], rows[1:]
    g = tables["exposure_by_major_group"]
    g = g[g["source"] == lead["source"]].dropna(subset=["beta"]).sort_values("beta")
    top = g.tail(3).iloc[::-1].to_dict("records")
    bottom = g.head(3).to_dict("records")
    return lead, others, top, bottom


def render_html(*, tables, charts, coverage, weighting, version, generated, sections=()) -> str:
    """The whole report page; plotly.js is inlined once, so no network is needed to view it."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("laborlens.report").joinpath("templates", name).read_text("utf-8")
            )
        ),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    env.filters["pct"] = _pct
    env.filters["millions"] = _millions
    env.filters["num"] = lambda x: "–" if pd.isna(x) else f"{x:,.0f}"
    env.filters["f3"] = lambda x: "–" if pd.isna(x) else f"{x:.3f}"
    occ = tables["occupation_exposure"]
    top = occ.sort_values("human_beta", ascending=False).head(25)
    socs = tables["soc_exposure_wages"]
    unscored = socs[(socs["source"] == "human") & socs["beta"].isna()]
    sources = tables["sources"]
    attributions = sorted(set(sources["attribution"].dropna()) - {""})
    lead, others, top_groups, bottom_groups = summary_figures(tables)
    return env.get_template("report.html").render(
        plotly_js=get_plotlyjs(),
        lead=lead,
        others=others,
        top_groups=top_groups,
        bottom_groups=bottom_groups,
        measure_names=MEASURE_NAMES,
        level_names=LEVEL_NAMES,
        source_descriptions=SOURCE_DESCRIPTIONS,
        weighting_names=WEIGHTING_NAMES,
        weighting_name=WEIGHTING_NAMES.get(weighting, weighting),
        charts=charts,
        sections=sections,
        shares=tables["share_of_workers_exposed"].to_dict("records"),
        groups=tables["exposure_by_major_group"],
        coverage=coverage,
        source_labels=SOURCE_LABELS,
        top=top.to_dict("records"),
        n_occupations=int(occ["human_beta"].notna().sum()),
        unscored=unscored[["nem_code", "title", "employment"]].to_dict("records"),
        sources=sources.to_dict("records"),
        attributions=attributions,
        weighting=weighting,
        version=version,
        generated=generated,
    )
