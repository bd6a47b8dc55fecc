"""Every public occupation-level AI measure on one key (SOC 2018 detailed), and their agreement.

See ``docs/measures.md`` for the sources, the crosswalk method and the measured results.
"""

from laborlens.measures.analysis import (
    correlation_matrix,
    measures_for,
    pair_counts,
    top_list,
    top_overlap,
)
from laborlens.measures.core import MEASURES, compute_measures, coverage, load_measures

__all__ = [
    "MEASURES",
    "compute_measures",
    "correlation_matrix",
    "coverage",
    "load_measures",
    "measures_for",
    "pair_counts",
    "top_list",
    "top_overlap",
]
