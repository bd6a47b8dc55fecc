"""Report section: where workers of large, highly exposed occupations could go, and which skills
and knowledge would open the most employment in less exposed occupations."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from laborlens.capability import Section
from laborlens.careers.recommend import recommend_careers
from laborlens.careers.reskilling import reskilling_priorities
from laborlens.charts import chart_html
from laborlens.config import Settings
from laborlens.db.connection import connect, query

N_ORIGINS = 5
N_DESTINATIONS = 5
BETA_ABOVE = 0.5


def careers_section(settings: Settings) -> Section:
    """Recommendations (balanced objective) for the five largest occupations with β ≥ 0.5, and
    the reskilling ranking."""
    with connect(settings.db_path) as con:
        facts = query(con, "SELECT * FROM career_facts")
        source = "model" if facts["beta_model"].notna().any() else "human"
        exposed = facts[facts[f"beta_{source}"] >= BETA_ABOVE].nlargest(N_ORIGINS, "employment")
        rows = []
        for code in exposed["onet_soc_code"]:
            rec = recommend_careers(code, top=N_DESTINATIONS, con=con)
            for item in rec.items:
                rows.append(
                    {
                        "origin_code": code,
                        "origin_title": rec.origin["title"],
                        "origin_beta": rec.origin["beta"],
                        "rank": item["rank"],
                        "onet_soc_code": item["onet_soc_code"],
                        "title": item["title"],
                        "similarity": item["similarity"],
                        "score": item["score"],
                        "feasibility": item["feasibility"],
                        "delta_beta": item["deltas"]["beta"],
                        "delta_median_wage": item["deltas"]["median_wage"],
                        "largest_gap": item["level_gaps"][0]["element"]
                        if item["level_gaps"]
                        else ("none" if item["ratings_compared"] else "not rated"),
                    }
                )
        reskill = reskilling_priorities(beta_above=BETA_ABOVE, con=con)
    recs = pd.DataFrame(rows)
    top = reskill.table.head(15).iloc[::-1]
    fig = go.Figure(go.Bar(x=top["jobs_per_worker"], y=top["element"], orientation="h"))
    fig.update_layout(
        title=f"Skills and knowledge opening the most jobs in less exposed occupations "
        f"(from occupations with β ≥ {BETA_ABOVE})",
        xaxis_title="employment opened per exposed worker (OEWS May 2025)",
        height=520,
    )
    s = reskill.summary
    body = [
        f"<p>For the {N_ORIGINS} largest occupations with β ≥ {BETA_ABOVE} ({source} exposure), "
        f"the {N_DESTINATIONS} best destinations under the <em>balanced</em> objective "
        "(similarity, exposure reduction, wage, outlook, education step; docs/careers.md).</p>",
        _html_table(recs),
        f"<p>Reskilling: {s['exposed_occupations']} occupations with β ≥ {BETA_ABOVE} "
        f"({s['exposed_workers']:,.0f} workers); {s['moves_considered']} moves to occupations "
        f"with β ≤ {s['beta_below']} within reach, {s['moves_reachable_now']} without any level "
        f"gap above {s['gap_tolerance']}. An element opens a move when it is the only gap "
        "blocking it.</p>",
        chart_html(fig),
    ]
    return Section(
        "careers",
        "Career transitions and reskilling",
        "\n".join(body),
        {"careers_recommendations": recs, "careers_reskilling": reskill.table},
    )


def _html_table(frame: pd.DataFrame) -> str:
    cols = [
        "origin_title",
        "rank",
        "title",
        "similarity",
        "feasibility",
        "delta_beta",
        "delta_median_wage",
        "largest_gap",
    ]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for r in frame[cols].itertuples(index=False):
        cells = []
        for v in r:
            if isinstance(v, float):
                text = f"{v:+,.0f}" if abs(v) >= 100 else f"{v:+.2f}"
            else:
                text = "" if v is None else str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
