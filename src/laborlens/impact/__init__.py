"""Labor-market impact: from task exposure to occupations, workers, wages, education and places.

See docs/impact.md for the method, the reproduction of the paper's headline and the
sensitivity of the figures to each choice.
"""

from laborlens.impact.choices import PAPER_CHOICES, Choices
from laborlens.impact.data import ImpactData, load
from laborlens.impact.report import impact_tables, write_tables
from laborlens.impact.run import ImpactResult, compute_impact, reproduction, sensitivity
from laborlens.impact.store import stored_headline, stored_impact, stored_sources, stored_units

__all__ = [
    "PAPER_CHOICES",
    "Choices",
    "ImpactData",
    "ImpactResult",
    "compute_impact",
    "impact_tables",
    "load",
    "reproduction",
    "sensitivity",
    "stored_headline",
    "stored_impact",
    "stored_sources",
    "stored_units",
    "write_tables",
]
