"""Report sections contributed by the analysis modules.

A section function takes the settings (the database is built) and returns a :class:`Section`:
its tables are written beside the report like the core tables, and its HTML fragment (charts
made with :func:`laborlens.report.figures.chart_html`, tables, prose) is placed after the core
report, before the method and sources. Sections are listed in page order by :func:`all_sections`.
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


def all_sections() -> list[SectionFn]:
    """The section functions in page order (imported here: their modules import Section)."""
    from laborlens.careers.report import careers_section
    from laborlens.impact.section import impact_section
    from laborlens.measures.report import measures_section

    return [impact_section, measures_section, careers_section]
