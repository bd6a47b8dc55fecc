"""What the service reads: one read-only DuckDB connection (a cursor per request), the search
index, the measures table, and the models and title coder, loaded once and shared by threads.

A :class:`Store` is one build: everything it answers comes through its own connection, opened
on the file that was at the database path when it started (the title coder too, read through
that connection). :class:`Served` holds the store the service answers from; when
``laborlens build`` replaces the file (an atomic rename), it loads the new build in the
background and swaps the stores in one assignment, so each request sees one build, never a mix.
Until the swap, ``/api/health`` says that the file was replaced and the old build is served."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from laborlens.config import Settings
from laborlens.db.connection import query
from laborlens.exceptions import DatabaseError, ModelUnavailableError
from laborlens.occupations import OccupationSearch, ProfileIndex

log = logging.getLogger("laborlens.service")


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """(device, inode, size, mtime in ns) of ``path``, None if there is no file: an atomic
    replacement (``os.replace``) always changes the inode."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _open_pinned(path: Path) -> tuple[duckdb.DuckDBPyConnection, tuple | None]:
    """A read-only connection to the file now at ``path``, and that file's identity.

    DuckDB keeps one database instance per path in a process: connecting to ``path`` again
    while a connection to the replaced file is open returns the *old* build. So the file is
    opened through a hard link of its own (``.<name>.<pid>.<hex>.tmp`` beside it, the pattern
    whose leftovers :func:`laborlens.io.remove_stale_temps` removes), which also pins the
    inode that was identified; the link is removed once the file is open. Where no link can
    be made (a read-only folder), the path itself is opened: a rebuild is then served from
    the next start of the service."""
    import secrets

    from laborlens.io import remove_stale_temps

    link = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        remove_stale_temps(path)
        os.link(path, link)
    except OSError:
        link = None
    target = link or path
    try:
        identity = file_identity(target)
        con = duckdb.connect(str(target), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        first = first.replace(str(target), str(path))
        msg = f"Cannot open the database {path} read-only: {first}"
        raise DatabaseError(msg) from exc
    finally:
        if link is not None:
            link.unlink(missing_ok=True)
    return con, identity


class Store:
    """Shared state of one running service; every method is safe to call from many threads."""

    def __init__(self, settings: Settings) -> None:
        path = Path(settings.db_path)
        if not path.is_file():
            msg = f"No laborlens database at {path}. Run `laborlens build --db {path}` first."
            raise DatabaseError(msg)
        self.settings = settings
        self._con, self.identity = _open_pinned(path)
        self.opened_at = time.time()
        try:
            self._load()
        except (duckdb.Error, DatabaseError) as exc:
            self._con.close()
            if isinstance(exc, DatabaseError):
                raise
            first = re.sub(
                rf"\.{re.escape(path.name)}\.\d+\.[0-9a-f]{{8}}\.tmp", path.name, str(exc)
            ).splitlines()[0]
            msg = (
                f"{path} is not a complete laborlens database (truncated or damaged: {first}). "
                f"Rebuild it with `laborlens build --db {path}`."
            )
            raise DatabaseError(msg) from exc

    def _load(self) -> None:
        with self.cursor() as cur:
            self.tables = {r[0] for r in cur.execute("SELECT name FROM tables").fetchall()}
            self.build_info = dict(cur.execute("SELECT key, value FROM build_info").fetchall())
            self.search_index = OccupationSearch(cur)
            self.measures = query(cur, "SELECT * FROM measures_soc2018 ORDER BY soc_2018_code")
            self.coverage = query(cur, "SELECT * FROM measure_coverage")
            try:
                # every occupation's profile in memory: detail requests then cost no query
                self.profiles: ProfileIndex | None = ProfileIndex(cur, self.measures)
            except DatabaseError:
                self.profiles = None  # a table is missing: each request says which (503)
        self._lock = threading.Lock()  # guards lazy loading
        # The title coder keeps an LRU cache and torch runs its own thread pool: one caller at
        # a time keeps both correct and stops concurrent requests from oversubscribing cores.
        self.coder_lock = threading.Lock()
        self.model_lock = threading.Lock()
        self._models = None
        self._coder = None
        self._batcher = None

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for this request (DuckDB connections are not shared by threads)."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def has(self, table: str) -> bool:
        return table in self.tables

    def models_available(self) -> bool:
        from laborlens.models.default import CARD_FILE, default_model_dir

        return all(
            (default_model_dir(self.settings, t) / CARD_FILE).is_file()
            for t in ("exposure", "automation")
        )

    def models(self):
        """(exposure, automation) default models, loaded on first use; never trained here."""
        from laborlens.models.base import ExposureModel
        from laborlens.models.default import default_model_dir

        with self._lock:
            if self._models is None:
                if not self.models_available():
                    msg = (
                        f"No trained models in {self.settings.models_dir}. Run `laborlens "
                        "build` (with models) before serving, or point LABORLENS_MODELS at them."
                    )
                    raise ModelUnavailableError(msg)
                self._models = tuple(
                    ExposureModel.load(default_model_dir(self.settings, t))
                    for t in ("exposure", "automation")
                )
            return self._models

    @property
    def models_loaded(self) -> bool:
        return self._models is not None

    def batcher(self):
        """The scoring batcher of this store's models (see :mod:`laborlens.service.scoring`)."""
        from laborlens.service.scoring import ScoreBatcher

        with self._lock:
            if self._batcher is None:
                self._batcher = ScoreBatcher(self.score_tasks, self.model_lock)
            return self._batcher

    def score_tasks(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``Task``/``Title`` rows → one row each: the statement, its exposure and automation
        labels, probabilities and scores (the caller holds ``model_lock``)."""
        from laborlens.models.scoring import score_frame

        exposure, automation = self.models()
        e = score_frame(exposure, frame)
        a = score_frame(automation, frame)
        out = e.drop(columns="Title").rename(columns={"Task": "statement"})
        automation_cols = ["automation", *[c for c in a if c.startswith("p_T")], "automation_score"]
        return out.join(a[automation_cols])

    def coder(self):
        """The job-title coder of this database (read through this store's connection, so
        from the build it serves), loaded on first use."""
        from laborlens.titles.coder import TitleCoder

        if not self.has("title_index"):
            msg = "This database has no title index; rebuild it with `laborlens build --force`."
            raise DatabaseError(msg)
        with self._lock:
            if self._coder is None:
                with self.cursor() as cur:
                    self._coder = TitleCoder.from_database(cur)
                self.search_index.attach_coder(_LockedCoder(self._coder, self.coder_lock))
            return self._coder

    def warm(self) -> None:
        """Load the coder, the models and the sentence encoder now (at start-up) rather than
        in the first request that needs them."""
        from laborlens.models.encoder import embed

        if self.has("title_index"):
            self.coder()
        if self.models_available():  # otherwise scoring answers 503 with the reason
            self.models()
            with self.model_lock:
                embed(["warm up the encoder"])

    def close(self) -> None:
        if self._batcher is not None:
            self._batcher.close()
        self._con.close()

    # -- use counting: a replaced store is closed once its last request has finished --------
    _users = 0
    _retired = False

    def acquire(self) -> None:
        with self._lock:
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._retired and self._users == 0
        if done:
            self.close()

    def retire(self) -> None:
        """No new request will use this store; close it when the last one has finished."""
        with self._lock:
            self._retired = True
            done = self._users == 0
        if done:
            self.close()


class Served:
    """The store the service answers from, switched to a new build when the database file is
    replaced (checked at most every ``check_every`` seconds, on a request)."""

    def __init__(self, settings: Settings, *, warm: bool = True, check_every: float = 1.0):
        self.settings, self.warm, self.check_every = settings, warm, check_every
        self.path = Path(settings.db_path)
        self.current = Store(settings)
        if warm:
            self.current.warm()
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._failed: tuple | None = None  # identity of a replacement that could not be loaded
        self.reload_error: str | None = None
        self.replaced_at: float | None = None  # when the file was seen replaced, not yet served
        self.switched_at: float | None = None

    def get(self) -> Store:
        """The current store, in use until :meth:`Store.release`."""
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked = now
            self.check()
        while True:
            store = self.current
            store.acquire()
            if store is self.current:  # not swapped (and retired) in between
                return store
            store.release()

    def check(self) -> None:
        """Start loading the build at the path if it is not the one served."""
        found = file_identity(self.path)
        with self._lock:
            if found == self.current.identity:
                self.replaced_at = None
                return
            if self.replaced_at is None:
                self.replaced_at = time.time()
            if found is None or found == self._failed:
                return  # deleted, or a replacement that failed to load: the old build stays
            if self._loading is not None and self._loading.is_alive():
                return
            self._loading = threading.Thread(
                target=self._reload, args=(found,), name="laborlens-reload", daemon=True
            )
            self._loading.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a reload in progress (tests, shutdown)."""
        thread = self._loading
        if thread is not None:
            thread.join(timeout)

    def _reload(self, found) -> None:
        started = time.perf_counter()
        try:
            store = Store(self.settings)
            if self.warm:
                store.warm()
        except Exception as exc:
            with self._lock:
                self._failed = found
                self.reload_error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            log.error("the replaced database %s could not be loaded: %s", self.path, exc)
            return
        with self._lock:
            old, self.current = self.current, store
            self._failed, self.reload_error, self.replaced_at = None, None, None
            self.switched_at = time.time()
        old.retire()
        log.info(
            "now serving the build of %s (%s), loaded in %.1f s",
            self.path,
            store.build_info.get("built_at"),
            time.perf_counter() - started,
        )
        self.check()  # replaced again while loading?

    def close(self) -> None:
        self.wait()
        self.current.retire()


class _LockedCoder:
    """The coder behind the service's lock, for the search index's fallback."""

    def __init__(self, coder, lock: threading.Lock) -> None:
        self._coder, self._lock = coder, lock

    def code_one(self, title: str, **kwargs) -> pd.DataFrame:
        with self._lock:
            return self._coder.code_one(title, **kwargs)
