"""What the service reads: one read-only DuckDB connection (a cursor per request), the search
index, the measures table, and the models and title coder, loaded once and shared by threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from laborlens.config import Settings
from laborlens.db.connection import query
from laborlens.exceptions import DatabaseError, ModelUnavailableError
from laborlens.occupations import OccupationSearch, ProfileIndex


class Store:
    """Shared state of one running service; every method is safe to call from many threads."""

    def __init__(self, settings: Settings) -> None:
        path = Path(settings.db_path)
        if not path.is_file():
            msg = f"No laborlens database at {path}. Run `laborlens build --db {path}` first."
            raise DatabaseError(msg)
        self.settings = settings
        try:
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            msg = f"Cannot open the database {path} read-only: {exc}"
            raise DatabaseError(msg) from exc
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

    def coder(self):
        """The job-title coder of this database, loaded on first use."""
        from laborlens.titles.api import load_coder

        if not self.has("title_index"):
            msg = "This database has no title index; rebuild it with `laborlens build --force`."
            raise DatabaseError(msg)
        with self._lock:
            if self._coder is None:
                self._coder = load_coder(self.settings)
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
        self._con.close()


class _LockedCoder:
    """The coder behind the service's lock, for the search index's fallback."""

    def __init__(self, coder, lock: threading.Lock) -> None:
        self._coder, self._lock = coder, lock

    def code_one(self, title: str, **kwargs) -> pd.DataFrame:
        with self._lock:
            return self._coder.code_one(title, **kwargs)
