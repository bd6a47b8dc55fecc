"""Report sections contributed by the analysis modules.

A section function takes the settings (the database is built) and returns a :class:`Section`:
its tables are written beside the report like the core tables, and its HTML fragment (charts
made with :func:`laborlens.report.figures.chart_html`, tables, prose) is placed after the core
report, before the method and sources. Sections are listed in page order in ``SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from laborlens.config import Settings


@dataclass
class Section:
    """One report section: an anchor id, a heading, an HTML body and the tables behind it."""

    id: str
    title: str
    html: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


SectionFn = Callable[[Settings], Section]

SECTIONS: list[SectionFn] = []


def _careers(settings: Settings) -> Section:
    # Imported here: the careers module imports Section from this one.
    from laborlens.careers.report import careers_section

    return careers_section(settings)


SECTIONS.append(_careers)
