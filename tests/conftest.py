"""Shared fixtures: the real data mirror, offline settings, a per-test cache.

Two tiers. Tests that use the mirror (the fixtures ``mirror``, ``settings``, ``source_path``,
``built_db``, ``built_full`` or anything built on them) are marked ``mirror``
automatically; ``pytest -m "not mirror"`` runs the rest, which read only the small committed
slices of real data under ``tests/fixtures/`` and need no ``../shared``.

The fast tier's data is ``tests/fixtures/slice`` (made by ``tests/fixtures/make_slice.py``): a
folder laid out like the mirror with every file the build reads, cut to 15 occupations, and its
own source registry. ``slice_settings`` point the real readers and the build at it;
``built_slice`` is a database built from it (without the default models).

``LABORLENS_TEST_NO_MIRROR=1`` proves the fast tier never touches the mirror: the ``mirror``
fixture raises, and an audit hook makes every Python ``open``/``listdir``/``scandir`` of a path
under the mirror (``../shared/data``, ``$LABORLENS_MIRROR``, or the folder given as the
variable's value instead of ``1``) fail.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from laborlens.config import Settings, get_settings
from laborlens.db.build import build
from laborlens.sources.fetch import fetch

REPO = Path(__file__).resolve().parents[1]
SLICE = REPO / "tests" / "fixtures" / "slice"
# Read once at import: the autouse fixture below hides LABORLENS_* from the tests themselves.
_MIRROR_ENV = os.environ.get("LABORLENS_MIRROR")
_NO_MIRROR = os.environ.get("LABORLENS_TEST_NO_MIRROR", "").strip()


def _forbidden_mirrors() -> tuple[str, ...]:
    """Real paths of every folder that may be the mirror (for the no-mirror guard)."""
    candidates = [REPO.parent / "shared" / "data"]
    if _MIRROR_ENV:
        candidates.append(Path(_MIRROR_ENV))
    if _NO_MIRROR not in {"", "1"}:
        candidates.append(Path(_NO_MIRROR))
    return tuple(sorted({os.path.realpath(p) for p in candidates}))


def _install_no_mirror_guard(forbidden: tuple[str, ...]) -> None:
    busy = [False]

    def hook(event: str, args: tuple) -> None:
        if busy[0] or event not in {"open", "os.listdir", "os.scandir"} or not args:
            return
        target = args[0]
        if not isinstance(target, str | bytes | os.PathLike):
            return
        busy[0] = True
        try:
            full = os.path.realpath(os.fsdecode(target))
        finally:
            busy[0] = False
        for root in forbidden:
            if full == root or full.startswith(root + os.sep):
                msg = f"LABORLENS_TEST_NO_MIRROR is set, but a test opened {full} (in the mirror)"
                raise RuntimeError(msg)

    sys.addaudithook(hook)


if _NO_MIRROR:
    _install_no_mirror_guard(_forbidden_mirrors())


@pytest.fixture(scope="session")
def no_mirror_guard():
    """The guard installer, for the test that checks it (a hook cannot be removed: install it
    only for folders no other test uses)."""
    return _install_no_mirror_guard


MIRROR_FIXTURES = {"mirror", "settings", "source_path", "built_db", "built_full"}


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
    if _NO_MIRROR:
        msg = (
            "LABORLENS_TEST_NO_MIRROR is set, but this test needs the data mirror (full tier); "
            'run the fast tier with pytest -m "not mirror"'
        )
        raise RuntimeError(msg)
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
def built_db(built_full) -> Settings:
    """Settings of the full build (:func:`built_full`), for the analysis tests, which only read
    it; one end-to-end build serves the whole full tier (the no-models paths are tested on the
    slice)."""
    return built_full[0]


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


# -- the fast tier: the committed slice -----------------------------------------------------------


@pytest.fixture(scope="session")
def slice_settings(tmp_path_factory: pytest.TempPathFactory, pytestconfig) -> Settings:
    """Offline settings over the committed slice (``tests/fixtures/slice``) and its registry,
    with a database path of their own. The download cache (which also holds the build's
    sentence embeddings) is pytest's cache folder when it is enabled, so a second run reuses
    the embeddings; nothing is ever downloaded (offline, every source is in the slice)."""
    root = tmp_path_factory.mktemp("slice")
    cache = getattr(pytestconfig, "cache", None)
    cache_dir = cache.mkdir("laborlens-slice") if cache is not None else root / "cache"
    return get_settings(
        db=root / "slice.duckdb",
        mirror=SLICE / "data",
        registry=SLICE / "registry.toml",
        cache_dir=cache_dir,
        offline=True,
        models_dir=root / "models",
    )


@pytest.fixture(scope="session")
def built_slice(slice_settings: Settings):
    """(settings, build result) of the database ``laborlens build`` makes from the slice: every
    default capability, with the default models trained on the slice's labels (built once;
    tests only read it, or copy it)."""
    return slice_settings, build(slice_settings)
