"""Shared fixtures: the real data mirror, offline settings, a per-test cache.

Two tiers. Tests that use the mirror (the fixtures ``mirror``, ``settings``, ``source_path``,
``built_without_models``, ``built_full`` or anything built on them) are marked ``mirror``
automatically; ``pytest -m "not mirror"`` runs the rest, which read only the small committed
slices of real data under ``tests/fixtures/`` and need no ``../shared``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from laborlens.config import Settings, get_settings
from laborlens.db.build import build
from laborlens.sources.fetch import fetch

REPO = Path(__file__).resolve().parents[1]
# Read once at import: the autouse fixture below hides LABORLENS_* from the tests themselves.
_MIRROR_ENV = os.environ.get("LABORLENS_MIRROR")


MIRROR_FIXTURES = {"mirror", "settings", "source_path", "built_without_models", "built_full"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs the data mirror (directly or through a fixture) ``mirror``."""
    for item in items:
        if MIRROR_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.mirror)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Tests see no LABORLENS_* settings from the shell (make exports LABORLENS_MIRROR) and no
    user config file: each session gets an empty one of its own."""
    from laborlens.config import SETTINGS

    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.setenv("LABORLENS_CONFIG", str(_session_config(tmp_path_factory)))


_CONFIG: list[Path] = []


def _session_config(factory: pytest.TempPathFactory) -> Path:
    if not _CONFIG:
        _CONFIG.append(factory.mktemp("config") / "config.toml")
    path = _CONFIG[0]
    path.unlink(missing_ok=True)  # a test that wrote settings leaves none for the next
    return path


def _mirror() -> Path:
    env = _MIRROR_ENV
    path = Path(env) if env else REPO.parent / "shared" / "data"
    if not (path / "MANIFEST.md").is_file():
        msg = f"The data mirror is not at {path}; set LABORLENS_MIRROR to the shared/data folder."
        raise RuntimeError(msg)
    return path


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real data mirror (``../shared/data`` beside the repository)."""
    return _mirror()


@pytest.fixture(scope="session")
def settings(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Offline settings over the real mirror, with an empty cache and database path of their own."""
    root = tmp_path_factory.mktemp("laborlens")
    return get_settings(
        db=root / "test.duckdb",
        mirror=mirror,
        cache_dir=root / "cache",
        offline=True,
        models_dir=root / "models",
    )


@pytest.fixture(scope="session")
def source_path(settings: Settings):
    """Verified local path of a registered source, by name."""

    def _get(name: str) -> Path:
        return fetch(name, settings)

    return _get


@pytest.fixture(scope="session")
def built_without_models(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a database built from the mirror without the models (built once, shared by
    the analysis tests, which only read it)."""
    own = dataclasses.replace(
        settings, db_path=tmp_path_factory.mktemp("no-models") / "laborlens.duckdb"
    )
    build(own, models=False)
    return own


@pytest.fixture(scope="session")
def built_full(mirror: Path, tmp_path_factory: pytest.TempPathFactory):
    """(settings, build result) of the full pipeline with the default models, built once: the
    end-to-end tests rebuild it in place (atomically); the service tests only read it."""
    root = tmp_path_factory.mktemp("pipeline")
    settings = get_settings(
        db=root / "ll.duckdb",
        mirror=mirror,
        cache_dir=root / "cache",
        offline=True,
        models_dir=root / "models",
    )
    return settings, build(settings)
