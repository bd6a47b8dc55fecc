"""Chart fragments shared by every report section and the report page (Plotly, offline).

Analysis packages draw their section's charts with :func:`chart_html`; the report page inlines
plotly.js once. Kept out of ``laborlens.report`` so analysis packages never import the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go


def chart_html(fig: go.Figure) -> str:
    """A figure as an HTML fragment in the report's style (plotly.js is inlined once per page)."""
    fig.update_layout(template="plotly_white", margin={"l": 40, "r": 20, "t": 50, "b": 40})
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
