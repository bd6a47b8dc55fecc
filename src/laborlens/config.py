"""Settings: where the data mirror, the download cache and the database live.

Precedence is always: explicit argument > ``LABORLENS_*`` environment variable > per-user default.

============================  ==================================================================
``LABORLENS_MIRROR``          folder laid out like ``shared/data`` (a local mirror of the sources)
``LABORLENS_CACHE``           download cache (default: the OS cache folder, ``.../laborlens``)
``LABORLENS_DB``              DuckDB database file (default: the OS data folder,
                              ``~/.local/share/laborlens/laborlens.duckdb`` on Linux)
``LABORLENS_MODELS``          trained models (default: ``models/`` beside the default database)
``LABORLENS_OFFLINE``         ``1`` forbids downloads: sources must be in the mirror or cache
============================  ==================================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from laborlens.exceptions import ConfigError

APP_NAME = "laborlens"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def default_db_path() -> Path:
    """Database file used when neither ``--db`` nor ``LABORLENS_DB`` is given."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "laborlens.duckdb"


def default_models_dir() -> Path:
    """Folder of the default trained models when ``LABORLENS_MODELS`` is not set."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


def default_cache_dir() -> Path:
    """Download cache used when ``LABORLENS_CACHE`` is not set."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


@dataclass(frozen=True)
class Settings:
    """Resolved locations; build one with :func:`get_settings`."""

    db_path: Path
    cache_dir: Path
    mirror: Path | None
    offline: bool
    models_dir: Path


def resolve_db_path(db: str | Path | None = None) -> Path:
    """``db`` argument, else ``LABORLENS_DB``, else :func:`default_db_path`."""
    if db is not None and str(db).strip():
        return Path(db).expanduser()
    return _env_path("LABORLENS_DB") or default_db_path()


def resolve_mirror(mirror: str | Path | None = None) -> Path | None:
    """``mirror`` argument, else ``LABORLENS_MIRROR``, else no mirror."""
    path = Path(mirror).expanduser() if mirror else _env_path("LABORLENS_MIRROR")
    if path is None:
        return None
    if not path.is_dir():
        origin = "--mirror" if mirror else "LABORLENS_MIRROR"
        msg = (
            f"{origin} points at {path}, which is not a folder; "
            "expected a folder laid out like shared/data."
        )
        raise ConfigError(msg)
    return path


def get_settings(
    db: str | Path | None = None,
    mirror: str | Path | None = None,
    cache_dir: str | Path | None = None,
    offline: bool | None = None,
    models_dir: str | Path | None = None,
) -> Settings:
    """Resolve every setting with argument > environment > default precedence."""
    cache = Path(cache_dir).expanduser() if cache_dir else _env_path("LABORLENS_CACHE")
    if offline is None:
        offline = os.environ.get("LABORLENS_OFFLINE", "").strip().lower() in {"1", "true", "yes"}
    return Settings(
        db_path=resolve_db_path(db),
        cache_dir=cache or default_cache_dir(),
        mirror=resolve_mirror(mirror),
        offline=offline,
        models_dir=Path(models_dir).expanduser()
        if models_dir
        else _env_path("LABORLENS_MODELS") or default_models_dir(),
    )
