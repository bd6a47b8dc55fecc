"""Chart fragments shared by every report section and the report page (Plotly, offline).

Analysis packages draw their section's charts with :func:`chart_html`; the report page inlines
plotly.js once. Kept out of ``laborlens.report`` so analysis packages never import the report.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go


def chart_html(fig: go.Figure) -> str:
    """A figure as an HTML fragment in the report's style (plotly.js is inlined once per page).

    The chart follows its box's width (a phone's 375 px as a laptop's 1,280 px): its title is
    moved out of the drawing into a paragraph above it, which wraps where a drawn title would be
    cut off, and the legend sits in rows above the plot.
    """
    title = fig.layout.title.text or ""
    fig.update_layout(
        template="plotly_white",
        autosize=True,
        title_text=None,
        margin={"l": 40, "r": 20, "t": 10, "b": 40},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
    )
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    plot = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        default_width="100%",
        config={"displaylogo": False, "responsive": True},
    )
    if not title:
        return plot
    text = html.escape(title.replace("<br>", " "))
    caption = f'<figcaption class="chart-title">{text}</figcaption>'
    return f'<figure class="chart">{caption}{plot}</figure>'

