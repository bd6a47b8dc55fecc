"""laborlens: how exposed occupations and work tasks are to large AI models, from public data.

The public API; everything else is internal and may move.
"""

from laborlens._version import __version__
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
from laborlens.posting.analyze import PostingAnalysis, analyze_posting
from laborlens.report import ReportResult, make_report
from laborlens.sources.fetch import check_all, fetch
from laborlens.sources.registry import Source, get_source, registry
from laborlens.titles.api import code_titles

__all__ = [
    "BuildError",
    "BuildResult",
    "ChecksumError",
    "ConfigError",
    "DatabaseError",
    "LaborlensError",
    "LayoutError",
    "PostingAnalysis",
    "ReportResult",
    "Settings",
    "Source",
    "SourceError",
    "SourceMissingError",
    "__version__",
    "analyze_posting",
    "build",
    "check_all",
    "code_titles",
    "connect",
    "fetch",
    "get_settings",
    "get_source",
    "make_report",
    "occupation_exposure",
    "registry",
]
