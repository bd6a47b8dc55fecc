"""Every public occupation-level AI measure on one key (SOC 2018 detailed), and their agreement.

See ``docs/measures.md`` for the sources, the crosswalk method and the measured results.
"""

from laborlens.measures.core import MEASURES, compute_measures, load_measures

__all__ = ["MEASURES", "compute_measures", "load_measures"]
