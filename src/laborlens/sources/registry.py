"""The declarative registry of every public source file laborlens reads (``registry.toml``).

The packaged ``registry.toml`` is the default. Another registry file (same layout) can be named
explicitly with the ``registry`` setting (``LABORLENS_REGISTRY``, ``laborlens config set
registry FILE``, ``get_settings(registry=...)``): every function here takes it as
``registry_file`` (``None``: the packaged one). The fast test tier uses this for the committed
slice of the mirror (``tests/fixtures/slice/registry.toml``), whose files have other bytes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from pathlib import Path

from laborlens.exceptions import ConfigError


@dataclass(frozen=True)
class Source:
    """One registered file: where it comes from, what it is, and the bytes it must have."""

    name: str
    path: str
    sha256: str
    bytes: int
    group: str
    publisher: str
    release: str
    license: str
    attribution: str
    description: str
    license_stated: str | None = None
    url: str | None = None
    official_url: str | None = None
    official_archive_member: str | None = None
    archive_url: str | None = None
    archive_sha256: str | None = None
    archive_member: str | None = None
    source_repo: str | None = None
    note: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return self.path.rsplit("/", 1)[-1]


_REQUIRED = ("name", "path", "sha256", "bytes", "group", "publisher", "release", "license")


def parse_registry(text: str, origin: str = "registry.toml") -> dict[str, Source]:
    """Parse registry TOML text into sources keyed by name; errors name the entry and field."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{origin}: not valid TOML: {exc}"
        raise ConfigError(msg) from exc
    known = {f.name for f in fields(Source)} - {"extra"}
    out: dict[str, Source] = {}
    for i, entry in enumerate(doc.get("source", []), start=1):
        for key in _REQUIRED:
            if key not in entry:
                name = entry.get("name", "?")
                msg = f"{origin}: source entry #{i} ({name}) lacks the field {key!r}"
                raise ConfigError(msg)
        sha = str(entry["sha256"]).lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            msg = f"{origin}: source {entry['name']!r} has sha256 {sha!r}; expected 64 hex digits"
            raise ConfigError(msg)
        if entry["name"] in out:
            msg = f"{origin}: source name {entry['name']!r} appears twice"
            raise ConfigError(msg)
        kwargs = {k: v for k, v in entry.items() if k in known}
        kwargs.setdefault("attribution", "")
        kwargs.setdefault("description", "")
        kwargs["sha256"] = sha
        kwargs["extra"] = {k: str(v) for k, v in entry.items() if k not in known}
        out[entry["name"]] = Source(**kwargs)
    return out


def registry(registry_file: str | Path | None = None) -> dict[str, Source]:
    """All registered sources, keyed by name: of the packaged registry, or of ``registry_file``
    (a TOML file laid out like it; see the ``registry`` setting). A file is parsed again when
    it changed (size or modification time)."""
    if registry_file is None:
        return _packaged()
    path = Path(registry_file).expanduser().resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        msg = f"registry {path}: cannot be read ({exc}); expected a registry TOML file"
        raise ConfigError(msg) from exc
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _packaged() -> dict[str, Source]:
    text = resources.files("laborlens.sources").joinpath("registry.toml").read_text("utf-8")
    return parse_registry(text)


@cache
def _load(path: str, mtime_ns: int, size: int) -> dict[str, Source]:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"registry {path}: cannot be read ({exc}); expected a registry TOML file"
        raise ConfigError(msg) from exc
    return parse_registry(text, origin=path)


def get_source(name: str, registry_file: str | Path | None = None) -> Source:
    """Look up one source by name (in the packaged registry, or in ``registry_file``); the
    error lists close names."""
    sources = registry(registry_file)
    if name not in sources:
        import difflib

        close = difflib.get_close_matches(name, sources, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        where = f" in {registry_file}" if registry_file is not None else ""
        msg = f"Unknown source {name!r}{where}.{hint} `laborlens sources list` shows them all."
        raise ConfigError(msg)
    return sources[name]
