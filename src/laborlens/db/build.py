"""Build the DuckDB database from verified source files, atomically.

The build writes a temporary file beside the target and renames it over the target only after
every table loaded, so a failed or interrupted build leaves the previous database untouched.
A build whose sources, schema and laborlens version are unchanged is skipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from laborlens._version import __version__
from laborlens.capability import BuildContext, Capability, capabilities
from laborlens.config import Settings
from laborlens.db.connection import write_table
from laborlens.db.tables import META_TABLES, SOURCE_TABLES, TableSpec
from laborlens.exceptions import BuildError, LaborlensError
from laborlens.sources.fetch import fetch
from laborlens.sources.registry import get_source

log = logging.getLogger(__name__)


# Bump when a table's shape or a derivation changes, so existing databases are rebuilt.
SCHEMA_VERSION = 5

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step_description, steps_done, steps_total)``."""


@dataclass
class BuildResult:
    """What a build did."""

    path: Path
    skipped: bool
    seconds: float
    tables: dict[str, int] = field(default_factory=dict)


def _source_names(specs: Sequence[TableSpec], caps: Sequence[Capability]) -> list[str]:
    """Every registered source the build reads: the source tables' and the capabilities'."""
    names = dict.fromkeys(s.source for s in specs)
    for cap in caps:
        names.update(dict.fromkeys(cap.sources))
    return list(names)


def _fingerprint(
    specs: Sequence[TableSpec], caps: Sequence[Capability], models: bool, settings: Settings
) -> str:
    payload = {
        "laborlens": __version__,
        "schema": SCHEMA_VERSION,
        "models": models,
        "capabilities": [c.name for c in caps],
        "sources": sorted(
            (n, get_source(n, settings.registry_file).sha256) for n in _source_names(specs, caps)
        ),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def current_fingerprint(path: Path) -> str | None:
    """Fingerprint stored in an existing database, or None if absent or unreadable."""
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute("SELECT value FROM build_info WHERE key = 'fingerprint'").fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.build-{os.getpid()}.tmp")


def _remove_stale_temps(target: Path) -> None:
    """Delete temporary files left by builds that were killed (their process is gone)."""
    for tmp in target.parent.glob(f".{target.name}.build-*.tmp*"):
        pid_text = tmp.name.split(".build-")[1].split(".")[0]
        try:
            os.kill(int(pid_text), 0)
        except (ValueError, ProcessLookupError):
            tmp.unlink(missing_ok=True)
        except PermissionError:
            pass


def build(
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    specs: tuple[TableSpec, ...] = SOURCE_TABLES,
    models: bool = True,
    caps: Sequence[Capability] | None = None,
) -> BuildResult:
    """Build (or confirm up to date) the database at ``settings.db_path``.

    With ``models`` (the default), the default exposure and automation models are trained
    from the mirror's label files if not yet trained, and every O*NET task statement is scored.

    Raises
    ------
    BuildError
        Any step failed; the message names the step, and the previous database is unchanged.
    """
    started = time.perf_counter()
    target = settings.db_path
    caps = tuple(capabilities() if caps is None else caps)
    report = progress or (lambda *_: None)
    total = len(specs) + len(caps) + 2
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"Cannot create the database folder {target.parent}: {exc}"
        raise BuildError(msg) from exc

    report("verifying sources", 0, total)
    paths: dict[str, Path] = {}
    for name in _source_names(specs, caps):
        try:
            paths[name] = fetch(name, settings)
        except LaborlensError as exc:
            msg = f"Build stopped before writing anything: {exc}"
            raise BuildError(msg) from exc
    _remove_stale_temps(target)
    fingerprint = _fingerprint(specs, caps, models, settings)
    if not force and current_fingerprint(target) == fingerprint:
        report("up to date", total, total)
        return BuildResult(target, True, time.perf_counter() - started)

    trained = {}
    if models:
        from laborlens.models.default import ensure_default_model

        for model_target in ("exposure", "automation"):
            try:
                trained[model_target] = ensure_default_model(
                    settings, model_target, progress=report
                )
            except LaborlensError as exc:
                msg = f"Build stopped before writing anything: {exc}"
                raise BuildError(msg) from exc

    tmp = _temp_path(target)
    tmp.unlink(missing_ok=True)
    rows: dict[str, int] = {}
    step = "opening the temporary database"
    try:
        with duckdb.connect(str(tmp)) as con:
            for i, spec in enumerate(specs, start=1):
                step = (
                    f"loading {spec.name} from "
                    f"{get_source(spec.source, settings.registry_file).path}"
                )
                report(step, i, total)
                frame = spec.reader(paths[spec.source])
                _write(con, spec.name, frame)
                rows[spec.name] = len(frame)
            ctx = BuildContext(settings, paths, models=trained)
            done = len(specs)
            for cap in caps:
                done += 1
                if cap.needs_models and not trained:
                    continue
                step = f"deriving {cap.title.lower()}"
                report(step, done, total)
                cap.run_build(con, ctx)
            step = "recording sources and build metadata"
            report(step, done + 1, total)
            _catalog(con, specs, caps, rows, fingerprint, settings)
            con.execute("CHECKPOINT")
        os.replace(tmp, target)
    except BaseException as exc:
        # BaseException: a Ctrl-C midway must also leave no half-written file behind.
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(exc, LaborlensError | duckdb.Error | OSError | ValueError):
            msg = f"Build failed while {step}: {exc}. The previous database is unchanged."
            raise BuildError(msg) from exc
        raise
    report("done", total, total)
    with duckdb.connect(str(target), read_only=True) as con:
        counts = dict(con.execute("SELECT name, rows FROM tables").fetchall())
    return BuildResult(target, False, time.perf_counter() - started, counts)


def _write(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    write_table(con, name, frame)


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return rows[0][0] > 0


def _source_record(
    name: str, table: str | None, used_by: str, rows: int | None, settings: Settings
) -> dict:
    s = get_source(name, settings.registry_file)
    return {
        "name": s.name,
        "table_name": table,
        "used_by": used_by,
        "path": s.path,
        "release": s.release,
        "publisher": s.publisher,
        "license": s.license,
        "attribution": s.attribution,
        "sha256": s.sha256,
        "bytes": s.bytes,
        "url": s.url,
        "official_url": s.official_url,
        "loaded_rows": rows,
    }


def _catalog(
    con: duckdb.DuckDBPyConnection,
    specs: Sequence[TableSpec],
    caps: Sequence[Capability],
    rows: dict[str, int],
    fingerprint: str,
    settings: Settings,
) -> None:
    """Write ``sources`` (every file read), ``tables`` (every table) and ``build_info``."""
    records = [
        _source_record(spec.source, spec.name, "source table", rows[spec.name], settings)
        for spec in specs
    ]
    for cap in caps:
        records += [
            _source_record(n, None, f"{cap.name} build step", None, settings) for n in cap.sources
        ]
    sources = pd.DataFrame(records)
    sources["loaded_rows"] = sources["loaded_rows"].astype("Int64")
    _write(con, "sources", sources)
    tables = [
        {
            "name": spec.name,
            "description": spec.description,
            "sources": spec.source,
            "rows": rows[spec.name],
            "capability": "sources",
        }
        for spec in specs
    ]
    for cap in caps:
        for t in cap.tables:
            if not _exists(con, t.name):
                continue  # model tables when built without models
            count = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchall()[0][0]
            tables.append(
                {
                    "name": t.name,
                    "description": t.description,
                    "sources": ", ".join(cap.sources) or "derived",
                    "rows": count,
                    "capability": cap.name,
                }
            )
    for t in META_TABLES:
        tables.append(
            {"name": t.name, "description": t.description, "sources": "derived", "rows": 0,
             "capability": "build"}
        )
    frame = pd.DataFrame(tables)
    info = {
        "laborlens_version": __version__,
        "schema_version": str(SCHEMA_VERSION),
        "fingerprint": fingerprint,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mirror": str(settings.mirror.resolve()) if settings.mirror is not None else "",
        "capabilities": ", ".join(c.name for c in caps),
        # the source registry the files were verified against ("": the packaged one)
        "registry": str(settings.registry_file.resolve()) if settings.registry_file else "",
    }
    frame.loc[frame["name"] == "sources", "rows"] = len(records)
    frame.loc[frame["name"] == "tables", "rows"] = len(frame)
    frame.loc[frame["name"] == "build_info", "rows"] = len(info)
    frame["rows"] = frame["rows"].astype("int64")
    _write(con, "tables", frame)
    _write(con, "build_info", pd.DataFrame({"key": list(info), "value": list(info.values())}))
