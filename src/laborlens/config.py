"""Settings: where the data mirror, the download cache, the models and the database live.

Every setting is declared once in :data:`SETTINGS` (name, environment variable, default, help).
Precedence is always: explicit argument > ``LABORLENS_*`` environment variable > the user config
file (``laborlens config set NAME VALUE``; ``config_path()``) > default. The mirror has one more
fallback: the mirror the database was built from, recorded in its ``build_info``, so that every
command after ``make run`` finds the data without exporting anything.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from laborlens.exceptions import ConfigError

APP_NAME = "laborlens"
CONFIG_ENV = "LABORLENS_CONFIG"


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    name: str
    env: str
    kind: str  # "path" or "bool"
    help: str
    in_config: bool = True


SETTINGS: tuple[Setting, ...] = (
    Setting("mirror", "LABORLENS_MIRROR", "path", "folder laid out like shared/data (a local "
            "mirror of the sources); default: none (download), or the one the database was "
            "built from"),
    Setting("db", "LABORLENS_DB", "path", "DuckDB database file; default: the per-user data "
            "folder (~/.local/share/laborlens/laborlens.duckdb on Linux)"),
    Setting("cache", "LABORLENS_CACHE", "path", "download cache; default: the per-user cache "
            "folder (~/.cache/laborlens on Linux)"),
    Setting("models", "LABORLENS_MODELS", "path", "trained default models; default: models/ in "
            "the per-user data folder"),
    Setting("registry", "LABORLENS_REGISTRY", "path", "source registry (TOML, laid out like "
            "the packaged sources/registry.toml) to use instead of the packaged one, for a "
            "mirror whose files have other bytes, such as the test slice "
            "tests/fixtures/slice/registry.toml; default: the packaged registry"),
    Setting("offline", "LABORLENS_OFFLINE", "bool", "1 forbids downloads: sources must be in the "
            "mirror or the cache; default: downloads allowed"),
    Setting("api_key", "LABORLENS_API_KEY", "secret", "X-API-Key that `laborlens serve` "
            "requires; default: none (safe on loopback only). Never stored in the config file",
            in_config=False),
)
_BY_NAME = {s.name: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def config_path() -> Path:
    """The user config file: ``$LABORLENS_CONFIG``, else ``config.toml`` in the user config
    folder (``~/.config/laborlens/config.toml`` on Linux)."""
    env = os.environ.get(CONFIG_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The config file's settings (empty if there is none); errors name the file and key."""
    path = path or config_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not a valid laborlens config file ({exc}); fix or delete it"
        raise ConfigError(msg) from exc
    unknown = sorted(k for k in data if k not in _BY_NAME or not _BY_NAME[k].in_config)
    if unknown:
        msg = (
            f"{path}: unknown setting {unknown[0]!r}; expected one of "
            f"{', '.join(s.name for s in SETTINGS if s.in_config)}"
        )
        raise ConfigError(msg)
    return data


def _write_config(data: dict[str, Any], path: Path) -> None:
    from laborlens.io import write_text

    lines = ["# laborlens settings (laborlens config set NAME VALUE); see `laborlens config show`"]
    for key in sorted(data):
        value = data[key]
        text = ("true" if value else "false") if isinstance(value, bool) else _toml_str(value)
        lines.append(f"{key} = {text}")
    write_text(path, "\n".join(lines) + "\n")


def _toml_str(value: Any) -> str:
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _parse(setting: Setting, value: str, origin: str) -> Any:
    if setting.kind == "bool":
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        msg = f"{origin}: {setting.name} must be true or false (1/0, yes/no); got {value!r}"
        raise ConfigError(msg)
    return str(value)


def set_config_value(name: str, value: str) -> tuple[Path, Any]:
    """Save one setting in the config file; paths are stored absolute."""
    setting = _BY_NAME.get(name)
    if setting is None or not setting.in_config:
        choices = ", ".join(s.name for s in SETTINGS if s.in_config)
        msg = f"unknown setting {name!r}; expected one of {choices}"
        raise ConfigError(msg)
    parsed = _parse(setting, value, "laborlens config set")
    if setting.kind == "path":
        parsed = str(Path(parsed).expanduser().resolve())
        if name == "mirror" and not Path(parsed).is_dir():
            msg = f"mirror {parsed} is not a folder; expected a folder laid out like shared/data"
            raise ConfigError(msg)
        if name == "registry" and not Path(parsed).is_file():
            msg = f"registry {parsed} is not a file; expected a registry TOML file"
            raise ConfigError(msg)
    path = config_path()
    data = read_config(path)
    data[name] = parsed
    _write_config(data, path)
    return path, parsed


def unset_config_value(name: str) -> Path:
    """Remove one setting from the config file (no error if it was not set)."""
    if name not in _BY_NAME:
        msg = f"unknown setting {name!r}; expected one of {', '.join(_BY_NAME)}"
        raise ConfigError(msg)
    path = config_path()
    data = read_config(path)
    if name in data:
        del data[name]
        _write_config(data, path)
    return path


def _lookup(name: str, argument: Any, config: dict[str, Any]) -> tuple[Any, str]:
    """(value, origin) of a setting by precedence, ``None`` when only the default applies."""
    setting = _BY_NAME[name]
    if argument is not None and str(argument).strip() != "":
        return argument, "argument"
    env = os.environ.get(setting.env, "").strip()
    if env:
        return _parse(setting, env, setting.env), "environment"
    if name in config:
        return _parse(setting, config[name], str(config_path())), "config file"
    return None, "default"


def default_db_path() -> Path:
    """Database file used when neither ``--db``, ``LABORLENS_DB`` nor the config file sets it."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "laborlens.duckdb"


def default_models_dir() -> Path:
    """Folder of the default trained models when no setting names one."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


def default_cache_dir() -> Path:
    """Download cache used when no setting names one."""
    return Path(platformdirs.user_cache_dir(APP_NAME))


@dataclass(frozen=True)
class Settings:
    """Resolved locations; build one with :func:`get_settings`."""

    db_path: Path
    cache_dir: Path
    mirror: Path | None
    offline: bool
    models_dir: Path
    #: Source registry file; ``None``: the packaged ``sources/registry.toml``.
    registry_file: Path | None = None


def resolve_db_path(db: str | Path | None = None) -> Path:
    """``db`` argument, else ``LABORLENS_DB``, else the config file, else the default."""
    value, _ = _lookup("db", db, read_config())
    return Path(value).expanduser() if value is not None else default_db_path()


def recorded_mirror(db_path: Path) -> Path | None:
    """The mirror a database was built from (``build_info``), if it still exists."""
    if not db_path.is_file():
        return None
    import duckdb

    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            rows = con.execute("SELECT value FROM build_info WHERE key = 'mirror'").fetchall()
    except duckdb.Error:
        return None  # an older or foreign database records no mirror; no fallback then
    if not rows or not rows[0][0]:
        return None
    path = Path(rows[0][0])
    return path if (path / "MANIFEST.md").is_file() or path.is_dir() else None


def resolve_mirror(mirror: str | Path | None = None, *, db_path: Path | None = None) -> Path | None:
    """``mirror`` argument, else ``LABORLENS_MIRROR``, else the config file, else the mirror
    the database at ``db_path`` was built from, else no mirror."""
    value, origin = _lookup("mirror", mirror, read_config())
    if value is None:
        return recorded_mirror(db_path) if db_path is not None else None
    path = Path(value).expanduser()
    if not path.is_dir():
        where = {"argument": "--mirror", "environment": "LABORLENS_MIRROR"}.get(
            origin, f"mirror in {config_path()}"
        )
        msg = (
            f"{where} points at {path}, which is not a folder; "
            "expected a folder laid out like shared/data."
        )
        raise ConfigError(msg)
    return path


def resolve_registry(registry: str | Path | None = None) -> Path | None:
    """``registry`` argument, else ``LABORLENS_REGISTRY``, else the config file, else ``None``
    (the packaged registry). The file must exist."""
    value, origin = _lookup("registry", registry, read_config())
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        where = {"argument": "registry", "environment": "LABORLENS_REGISTRY"}.get(
            origin, f"registry in {config_path()}"
        )
        msg = f"{where} points at {path}, which is not a file; expected a registry TOML file."
        raise ConfigError(msg)
    return path


def get_settings(
    db: str | Path | None = None,
    mirror: str | Path | None = None,
    cache_dir: str | Path | None = None,
    offline: bool | None = None,
    models_dir: str | Path | None = None,
    registry: str | Path | None = None,
) -> Settings:
    """Resolve every setting: argument > environment > config file > default."""
    config = read_config()
    cache, _ = _lookup("cache", cache_dir, config)
    models, _ = _lookup("models", models_dir, config)
    off, _ = _lookup("offline", offline, config)
    db_path = resolve_db_path(db)
    return Settings(
        db_path=db_path,
        cache_dir=Path(cache).expanduser() if cache is not None else default_cache_dir(),
        mirror=resolve_mirror(mirror, db_path=db_path),
        offline=bool(off) if off is not None else False,
        models_dir=Path(models).expanduser() if models is not None else default_models_dir(),
        registry_file=resolve_registry(registry),
    )


def describe_settings() -> list[dict[str, Any]]:
    """Every declared setting with its resolved value and where it came from."""
    config = read_config()
    settings = get_settings()
    resolved = {
        "mirror": settings.mirror,
        "db": settings.db_path,
        "cache": settings.cache_dir,
        "models": settings.models_dir,
        "offline": settings.offline,
        "registry": settings.registry_file,
        "api_key": "(set)" if os.environ.get("LABORLENS_API_KEY") else None,
    }
    rows = []
    for s in SETTINGS:
        _, origin = _lookup(s.name, None, config) if s.in_config else (None, "default")
        if s.name == "api_key" and resolved["api_key"]:
            origin = "environment"
        if s.name == "mirror" and origin == "default" and resolved["mirror"] is not None:
            origin = "database build record"
        rows.append(
            {"name": s.name, "value": resolved[s.name], "origin": origin, "env": s.env,
             "help": s.help}
        )
    return rows
