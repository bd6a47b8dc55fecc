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
from laborlens.report import ReportResult, make_report
from laborlens.sources.fetch import check_all, fetch
from laborlens.sources.registry import Source, get_source, registry

__all__ = [
    "BuildError",
    "BuildResult",
    "ChecksumError",
    "ConfigError",
    "DatabaseError",
    "LaborlensError",
    "LayoutError",
    "Recommendations",
    "ReportResult",
    "Reskilling",
    "Settings",
    "Source",
    "SourceError",
    "SourceMissingError",
    "__version__",
    "build",
    "check_all",
    "connect",
    "fetch",
    "get_settings",
    "get_source",
    "make_report",
    "occupation_exposure",
    "recommend_careers",
    "registry",
    "reskilling_priorities",
    "resolve_occupation",
]
