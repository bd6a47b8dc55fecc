"""The measures section of ``laborlens report``: coverage, correlations, top-50 agreement."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from laborlens.config import Settings
from laborlens.measures.analysis import correlation_matrix, pair_counts, top_overlap
from laborlens.measures.core import MEASURES, load_measures

_LABELS = {m.name: m.label for m in MEASURES}


def pairwise_table(wide: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """Every pair of measures in long form: Pearson, Spearman, employment-weighted Pearson,
    codes compared and the top-``n`` overlap."""
    mats = {m: correlation_matrix(wide, m) for m in ("pearson", "spearman", "weighted_pearson")}
    counts = pair_counts(wide)
    overlap = top_overlap(wide, n)
    names = list(mats["pearson"].columns)
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            row = {"measure_a": a, "measure_b": b}
            row.update({k: float(v.loc[a, b]) for k, v in mats.items()})
            row["codes_compared"] = int(counts.loc[a, b])
            row[f"top{n}_overlap"] = float(overlap.loc[a, b])
            rows.append(row)
    return pd.DataFrame(rows)


def _heatmap(matrix: pd.DataFrame, title: str, zmin: float):
    import plotly.graph_objects as go

    labels = [_LABELS.get(c, c) for c in matrix.columns]
    z = matrix.to_numpy(dtype=float)
    text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.2f}")(z))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=labels,
            zmin=zmin,
            zmax=1,
            colorscale="RdBu",
            reversescale=True,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} × %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(title=title, height=560, yaxis={"autorange": "reversed"})
    return fig


def _scatter(wide: pd.DataFrame, x: str, y: str):
    import plotly.graph_objects as go

    both = wide.dropna(subset=[x, y])
    size = np.sqrt(both["employment"].fillna(0) / 1000.0) + 3
    fig = go.Figure(
        go.Scattergl(
            x=both[x],
            y=both[y],
            mode="markers",
            marker={"size": size, "opacity": 0.5, "color": "#1f77b4"},
            text=both["soc_2018_code"] + " " + both["title"],
            hovertemplate="%{text}<br>%{x:.3f}, %{y:.3f}<extra></extra>",
        )
    )
    r = both[[x, y]].corr(method="spearman").iloc[0, 1]
    fig.update_layout(
        title=f"{_LABELS[y]} against {_LABELS[x]} ({len(both)} SOC codes, Spearman {r:.2f}); "
        "marker area ∝ employment",
        xaxis_title=_LABELS[x],
        yaxis_title=_LABELS[y],
        height=480,
    )
    return fig


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(
        index=False, border=0, na_rep="–", escape=True, float_format="{:.3f}".format
    )


def measures_section(settings: Settings):
    """Report section: every public measure on SOC 2018 and how they agree."""
    from laborlens.capability import Section
    from laborlens.charts import chart_html

    wide, cov = load_measures(settings)
    pairs = pairwise_table(wide)
    present = [m for m in MEASURES if wide[m.name].notna().any()]

    about = pd.DataFrame(
        [
            {
                "column": m.name,
                "measure": m.label,
                "source": m.source,
                "vintage": m.vintage,
                "license": m.license,
                "published on": m.native_key,
                "what it is": m.meaning,
            }
            for m in present
        ]
    )
    shown = cov[cov["measure"].isin([m.name for m in present])].copy()
    shown["employment_share"] = (shown["employment_share"] * 100).map("{:.1f} %".format)
    for col in ("employment_covered", "employment_uncovered", "employment_total"):
        shown[col] = shown[col].map("{:,.0f}".format)
    shown = shown.drop(columns=["label", "native_key"])
    overlap = top_overlap(wide, 50)
    parts = [
        "<p>Each public occupation-level AI measure, put on one key: the 867 SOC 2018 detailed "
        "occupations, with OEWS May 2025 employment. Scores published on SOC 2010 or ISCO-08 "
        "travel along the BLS crosswalks (splits keep the score, merges take the "
        "employment-weighted mean); see <code>docs/measures.md</code>. The full table is "
        "<code>tables/measures_soc2018.csv</code> (also <code>laborlens measures compare"
        "</code>).</p>",
        _table_html(about),
        "<h3>Coverage</h3>",
        "<p>SOC 2018 detailed codes and OEWS employment with a value of each measure "
        "(covered + uncovered = total).</p>",
        _table_html(shown),
        "<h3>Correlations</h3>",
        "<p>Pairwise complete: each pair is compared on the codes where both have a value "
        "(table <code>measure_correlations</code> gives the counts and the "
        "employment-weighted Pearson correlation).</p>",
        chart_html(_heatmap(correlation_matrix(wide, "spearman"), "Spearman correlation", -1)),
        chart_html(_heatmap(correlation_matrix(wide, "pearson"), "Pearson correlation", -1)),
        "<h3>Agreement of the top-50 lists</h3>",
        "<p>Share of one measure's 50 most exposed occupations that are also among the "
        "other's 50 most exposed, both ranked on the codes where both have a value.</p>",
        chart_html(_heatmap(overlap, "Top-50 overlap (share of common codes)", 0)),
    ]
    for x, y in (("aioe", "beta_human"), ("ms_ai_applicability", "beta_gpt4")):
        if wide[x].notna().any() and wide[y].notna().any():
            parts.append(chart_html(_scatter(wide, x, y)))
    note = html.escape(
        "Anthropic Economic Index usage is a share of conversations (additive, so large "
        "occupations with many tasks rank high), not an exposure score; Frey & Osborne is a "
        "probability of computerisation (2013) and correlates negatively with the LLM measures."
    )
    parts.append(f"<p class='muted'>{note}</p>")
    return Section(
        id="measures",
        title="Public AI exposure measures compared",
        html="\n".join(parts),
        tables={
            "measures_soc2018": wide,
            "measure_coverage": cov,
            "measure_correlations": pairs,
        },
    )
