"""The outcomes capability: is exposure already showing in employment, wages and hiring?"""

from laborlens.capability import Capability, Table
from laborlens.outcomes.run import SOURCES, TABLES

CAPABILITY = Capability(
    name="outcomes",
    title="What is happening",
    sources=SOURCES,
    tables=tuple(Table(name, description) for name, description in TABLES.items()),
    build="laborlens.outcomes.run:derive_outcomes",
    section="laborlens.outcomes.section:outcomes_section",
    report_order=40,
)
