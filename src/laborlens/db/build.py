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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from laborlens._version import __version__
from laborlens.config import Settings
from laborlens.db.connection import write_table
from laborlens.db.tables import DERIVED_TABLES, SOURCE_TABLES, TableSpec
from laborlens.exceptions import BuildError, LaborlensError
from laborlens.exposure.occupation import WEIGHTINGS, occupation_exposure
from laborlens.measures.core import derive_measures
from laborlens.sources.fetch import fetch
from laborlens.sources.registry import get_source

log = logging.getLogger(__name__)


def _careers_step(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    from laborlens.careers.precompute import build_career_tables

    build_career_tables(con, settings)


def _impact_step(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    from laborlens.impact.store import derive_impact_aggregates

    derive_impact_aggregates(con, settings)


def _title_index(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    from laborlens.titles.index import build_title_tables

    build_title_tables(con, settings)


# Derivations of the analysis modules, in build order: each takes the open temporary database
# and the settings and creates its tables there (imported lazily: they load the encoder).
EXTRA_STEPS: list[tuple[str, Callable[[duckdb.DuckDBPyConnection, Settings], None]]] = [
    ("public AI measures on SOC 2018", derive_measures),
    ("career similarity and recommendation tables", _careers_step),
    ("the job-title index", _title_index),
    ("labor-market impact aggregates", _impact_step),
]

# Bump when a table's shape or a derivation changes, so existing databases are rebuilt.
SCHEMA_VERSION = 4

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step_description, steps_done, steps_total)``."""


@dataclass
class BuildResult:
    """What a build did."""

    path: Path
    skipped: bool
    seconds: float
    tables: dict[str, int] = field(default_factory=dict)


def _fingerprint(specs: tuple[TableSpec, ...], models: bool) -> str:
    payload = {
        "laborlens": __version__,
        "schema": SCHEMA_VERSION,
        "models": models,
        "sources": sorted({(s.source, get_source(s.source).sha256) for s in specs}),
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
    report = progress or (lambda *_: None)
    total = len(specs) + 3
    target.parent.mkdir(parents=True, exist_ok=True)

    report("verifying sources", 0, total)
    paths: dict[str, Path] = {}
    for spec in specs:
        if spec.source not in paths:
            try:
                paths[spec.source] = fetch(spec.source, settings)
            except LaborlensError as exc:
                msg = f"Build stopped before writing anything: {exc}"
                raise BuildError(msg) from exc
    _remove_stale_temps(target)
    fingerprint = _fingerprint(specs, models)
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
                step = f"loading {spec.name} from {get_source(spec.source).path}"
                report(step, i, total)
                frame = spec.reader(paths[spec.source])
                _write(con, spec.name, frame)
                rows[spec.name] = len(frame)
            step = "deriving occupation tables and exposure scores"
            report(step, len(specs) + 1, total)
            _derive(con, trained)
            for name, derive in EXTRA_STEPS:
                step = f"deriving {name}"
                report(step, len(specs) + 1, total)
                derive(con, settings)
            step = "recording sources and build metadata"
            report(step, len(specs) + 2, total)
            _catalog(con, specs, rows, fingerprint)
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


def _derive(con: duckdb.DuckDBPyConnection, trained: dict) -> None:
    con.execute(
        """
        CREATE TABLE occupations AS
        SELECT o.onet_soc_code, o.title, o.description, z.job_zone,
               x.soc_2018_code, s.title AS soc_2018_title, x.nem_code,
               s.major_code AS soc_major_code, m.title AS soc_major_title
        FROM onet_occupations o
        LEFT JOIN onet_job_zones z USING (onet_soc_code)
        LEFT JOIN onet_soc_crosswalk x USING (onet_soc_code)
        LEFT JOIN soc_structure s ON s.soc_code = x.soc_2018_code
        LEFT JOIN soc_structure m ON m.soc_code = s.major_code
        ORDER BY o.onet_soc_code
        """
    )
    labels = con.execute("SELECT * FROM exposure_labels").df()
    parts = []
    for source, column in (("human", "human_exposure"), ("gpt4", "gpt4_exposure")):
        for weighting in WEIGHTINGS:
            part = occupation_exposure(labels, label=column, weighting=weighting)
            part.insert(1, "source", source)
            part.insert(2, "weighting", weighting)
            parts.append(part)
    if trained:
        from laborlens.models.scoring import score_frame

        tasks = con.execute(
            "SELECT t.onet_soc_code, t.task_id, t.task AS Task, o.title AS Title, t.task_type "
            "FROM onet_tasks t JOIN onet_occupations o USING (onet_soc_code) "
            "ORDER BY t.onet_soc_code, t.task_id"
        ).df()
        scored = {t: score_frame(m, tasks) for t, m in trained.items()}
        for model_target, frame in scored.items():
            _write(
                con,
                f"task_{model_target}_model",
                frame.drop(columns=["Task", "Title", "task_type"]),
            )
        for weighting in WEIGHTINGS:
            part = occupation_exposure(scored["exposure"], label="model", weighting=weighting)
            part.insert(1, "source", "model")
            part.insert(2, "weighting", weighting)
            parts.append(part)
    _write(con, "occupation_exposure", pd.concat(parts, ignore_index=True))


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return rows[0][0] > 0


def _catalog(
    con: duckdb.DuckDBPyConnection,
    specs: tuple[TableSpec, ...],
    rows: dict[str, int],
    fingerprint: str,
) -> None:
    records = []
    for spec in specs:
        s = get_source(spec.source)
        records.append(
            {
                "name": s.name,
                "table_name": spec.name,
                "path": s.path,
                "release": s.release,
                "publisher": s.publisher,
                "license": s.license,
                "attribution": s.attribution,
                "sha256": s.sha256,
                "bytes": s.bytes,
                "url": s.url,
                "official_url": s.official_url,
                "loaded_rows": rows[spec.name],
            }
        )
    _write(con, "sources", pd.DataFrame(records))
    tables = [
        {
            "name": spec.name,
            "description": spec.description,
            "sources": spec.source,
            "rows": rows[spec.name],
        }
        for spec in specs
    ]
    for name, description in DERIVED_TABLES.items():
        count = 0
        if name not in ("sources", "tables", "build_info"):
            if not _exists(con, name):
                continue  # model tables when built without models
            count = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
        tables.append(
            {"name": name, "description": description, "sources": "derived", "rows": count}
        )
    frame = pd.DataFrame(tables)
    frame.loc[frame["name"] == "sources", "rows"] = len(records)
    frame.loc[frame["name"] == "tables", "rows"] = len(frame)
    frame.loc[frame["name"] == "build_info", "rows"] = 4
    frame["rows"] = frame["rows"].astype("int64")
    _write(con, "tables", frame)
    info = pd.DataFrame(
        {
            "key": ["laborlens_version", "schema_version", "fingerprint", "built_at"],
            "value": [
                __version__,
                str(SCHEMA_VERSION),
                fingerprint,
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            ],
        }
    )
    _write(con, "build_info", info)
