"""laborlens: how exposed occupations and work tasks are to large AI models, from public data.

The public API; everything else is internal and may move.
"""

from laborlens._version import __version__
from laborlens.careers.recommend import Recommendations, recommend_careers
from laborlens.careers.reskilling import Reskilling, reskilling_priorities
from laborlens.careers.resolve import resolve_occupation
from laborlens.config import Settings, get_settings
from laborlens.db.build import BuildResult, build
from laborlens.db.connection import connect
from laborlens.db.queries import occupation_exposure
from laborlens.exceptions import (
    BuildError,
    ChecksumError,
    ConfigError,
    DatabaseError,
    LaborlensError,
    LayoutError,
    SourceError,
    SourceMissingError,
)
from laborlens.impact import Choices, compute_impact, impact_tables, stored_headline, stored_impact
from laborlens.measures.analysis import correlation_matrix, measures_for, top_overlap
from laborlens.measures.core import MEASURES, load_measures
from laborlens.posting.analyze import PostingAnalysis, analyze_posting
from laborlens.report import ReportResult, make_report
from laborlens.sources.fetch import check_all, fetch
from laborlens.sources.registry import Source, get_source, registry
from laborlens.titles.api import code_titles

__all__ = [
    "MEASURES",
    "BuildError",
    "BuildResult",
    "ChecksumError",
    "Choices",
    "ConfigError",
    "DatabaseError",
    "LaborlensError",
    "LayoutError",
    "PostingAnalysis",
    "Recommendations",
    "ReportResult",
    "Reskilling",
    "Settings",
    "Source",
    "SourceError",
    "SourceMissingError",
    "__version__",
    "analyze_posting",
    "build",
    "check_all",
    "code_titles",
    "compute_impact",
    "connect",
    "correlation_matrix",
    "fetch",
    "get_settings",
    "get_source",
    "impact_tables",
    "load_measures",
    "make_report",
    "measures_for",
    "occupation_exposure",
    "recommend_careers",
    "registry",
    "reskilling_priorities",
    "resolve_occupation",
    "stored_headline",
    "stored_impact",
    "top_overlap",
]
