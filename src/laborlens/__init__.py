"""laborlens: how exposed occupations and work tasks are to large AI models, from public data.

The public API; everything else is internal and may move. Attributes are imported on first use,
so ``import laborlens`` (and ``laborlens --help``) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from laborlens._version import __version__

# Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "Recommendations": "laborlens.careers.recommend",
    "recommend_careers": "laborlens.careers.recommend",
    "Reskilling": "laborlens.careers.reskilling",
    "reskilling_priorities": "laborlens.careers.reskilling",
    "resolve_occupation": "laborlens.careers.resolve",
    "Settings": "laborlens.config",
    "get_settings": "laborlens.config",
    "BuildResult": "laborlens.db.build",
    "build": "laborlens.db.build",
    "connect": "laborlens.db.connection",
    "occupation_exposure": "laborlens.db.queries",
    "BuildError": "laborlens.exceptions",
    "ChecksumError": "laborlens.exceptions",
    "ConfigError": "laborlens.exceptions",
    "DatabaseError": "laborlens.exceptions",
    "LaborlensError": "laborlens.exceptions",
    "LayoutError": "laborlens.exceptions",
    "SourceError": "laborlens.exceptions",
    "SourceMissingError": "laborlens.exceptions",
    "Choices": "laborlens.impact",
    "compute_impact": "laborlens.impact",
    "impact_tables": "laborlens.impact",
    "stored_headline": "laborlens.impact",
    "stored_impact": "laborlens.impact",
    "correlation_matrix": "laborlens.measures.analysis",
    "measures_for": "laborlens.measures.analysis",
    "top_overlap": "laborlens.measures.analysis",
    "MEASURES": "laborlens.measures.core",
    "load_measures": "laborlens.measures.core",
    "PostingAnalysis": "laborlens.posting.analyze",
    "analyze_posting": "laborlens.posting.analyze",
    "ReportResult": "laborlens.report",
    "make_report": "laborlens.report",
    "check_all": "laborlens.sources.fetch",
    "fetch": "laborlens.sources.fetch",
    "Source": "laborlens.sources.registry",
    "get_source": "laborlens.sources.registry",
    "registry": "laborlens.sources.registry",
    "code_titles": "laborlens.titles.api",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'laborlens' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))

