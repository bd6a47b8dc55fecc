"""Capabilities: how an analysis package plugs into the build, the database and the report.

Every capability (measures, careers, titles, impact, outcomes, ...) declares in its own
``<package>/capability.py`` one :class:`Capability`: the registered sources its build step reads,
the tables it writes (with their descriptions), the build step, and its report section.
:data:`DEFAULT_CAPABILITIES` lists the built-in ones in build order, the way datasette's
``DEFAULT_PLUGINS`` lists its built-in plugins; the build and the report only ever go through
:func:`capabilities`.

Hooks are given as ``"module:function"`` strings and imported only when called, so that declaring
a capability (and ``import laborlens``) never loads plotly, torch or the encoder.

This module is the bottom layer: it imports nothing from the analysis packages or the report.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from laborlens.exceptions import BuildError

if TYPE_CHECKING:
    import duckdb

    from laborlens.config import Settings


@dataclass(frozen=True)
class Table:
    """A table a capability writes: its name and a one-line description for ``tables``."""

    name: str
    description: str


@dataclass
class Section:
    """One report section: an anchor id, a heading, an HTML body and the tables behind it."""

    id: str
    title: str
    html: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


class BuildContext:
    """What a build step gets besides the open temporary database.

    ``source(name)`` returns the verified local path of a registered source. A step may read
    only the sources its capability declares: they are in the build fingerprint, and reading an
    undeclared one would let the database go stale without a rebuild.
    """

    def __init__(
        self,
        settings: Settings,
        paths: dict[str, Path],
        *,
        capability: str = "",
        models: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._paths = paths
        self.capability = capability
        self.models = models or {}
        self.read: set[str] = set()

    @classmethod
    def fetching(cls, settings: Settings, cap: Capability | None = None) -> BuildContext:
        """A context over ``cap``'s declared sources, fetched (verified) now: for running one
        build step outside a full build (tests, benchmarks)."""
        from laborlens.sources.fetch import fetch

        names = cap.sources if cap is not None else ()
        return cls(
            settings,
            {n: fetch(n, settings) for n in names},
            capability=cap.name if cap is not None else "",
        )

    def source(self, name: str) -> Path:
        """Verified path of the registered source ``name`` (declared by this capability)."""
        if name not in self._paths:
            msg = (
                f"Capability {self.capability!r} read the source {name!r}, which it does not "
                "declare in its `sources`; declare it so the build fingerprint covers it."
            )
            raise BuildError(msg)
        self.read.add(name)
        return self._paths[name]

    def for_capability(self, cap: Capability) -> BuildContext:
        """A context restricted to the sources ``cap`` declares."""
        paths = {n: p for n, p in self._paths.items() if n in cap.sources}
        return BuildContext(self.settings, paths, capability=cap.name, models=self.models)


BuildStep = Callable[["duckdb.DuckDBPyConnection", BuildContext], None]
SectionFn = Callable[["Settings"], Section]


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class Capability:
    """One analysis capability's hooks into the build and the report.

    ``build`` and ``section`` are ``"module:function"`` references (imported when called).
    ``build(con, ctx)`` creates ``tables`` in the open temporary database; ``section(settings)``
    returns a :class:`Section` for the report. ``report_order`` places the section on the page.
    ``needs_models``: the build step reads the default models' tables (skipped without models).
    """

    name: str
    title: str
    sources: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    build: str | None = None
    section: str | None = None
    report_order: int = 100
    needs_models: bool = False

    def run_build(self, con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
        if self.build is not None:
            _resolve(self.build)(con, ctx.for_capability(self))

    def make_section(self, settings: Settings) -> Section | None:
        return _resolve(self.section)(settings) if self.section is not None else None


# Built-in capabilities in build order (a later step may read an earlier step's tables).
DEFAULT_CAPABILITIES: tuple[str, ...] = (
    "laborlens.exposure.capability",
    "laborlens.measures.capability",
    "laborlens.careers.capability",
    "laborlens.titles.capability",
    "laborlens.impact.capability",
    "laborlens.outcomes.capability",
    "laborlens.vulnerability.capability",
    "laborlens.emerging.capability",
)


@cache
def capabilities(modules: Iterable[str] = DEFAULT_CAPABILITIES) -> tuple[Capability, ...]:
    """The capabilities declared by ``modules`` (each has a module-level ``CAPABILITY``)."""
    caps = tuple(importlib.import_module(m).CAPABILITY for m in modules)
    names = [c.name for c in caps]
    tables = [t.name for c in caps for t in c.tables]
    for kind, values in (("capability", names), ("table", tables)):
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            msg = f"Two capabilities declare the same {kind}: {', '.join(dupes)}"
            raise BuildError(msg)
    return caps


def report_sections(caps: Iterable[Capability] | None = None) -> list[Capability]:
    """Capabilities with a report section, in page order."""
    chosen = capabilities() if caps is None else tuple(caps)
    return sorted((c for c in chosen if c.section), key=lambda c: c.report_order)
