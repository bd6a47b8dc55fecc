"""Scoring requests served together: concurrent ``POST /api/score`` calls are gathered into one
batch and the models run once over it.

Before, each request took the model lock in turn, so at concurrency 16 a one-statement request
waited for every request ahead of it, each paying the models' fixed cost per call (feature
extraction set-up, sklearn's input checks, and for torch models a forward pass). One batcher
thread per store now takes everything waiting (up to ``max_rows`` statements), scores it in one
call of each model, and hands each request its own rows, in order. Results are those of
scoring each request alone: the models score rows independently, so labels are identical and
probabilities equal up to the last bit of floating-point rounding (a batch's matrix products
may sum in another order); a test checks this.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from concurrent.futures import Future

import pandas as pd

log = logging.getLogger("laborlens.service")


class ScoreBatcher:
    """Gathers scoring requests and runs ``score(frame) -> frame`` once per batch, under
    ``lock`` (the store's model lock, shared with posting analysis)."""

    def __init__(self, score, lock: threading.Lock, *, max_rows: int = 4096) -> None:
        self._score, self._lock, self.max_rows = score, lock, max_rows
        self._pending: deque[tuple[pd.DataFrame, Future]] = deque()
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0  # how many model calls served how many requests (for the tests)
        self.requests = 0

    def submit(self, frame: pd.DataFrame) -> Future:
        future: Future = Future()
        with self._cv:
            if self._closed:
                msg = "the scoring service is shutting down"
                raise RuntimeError(msg)
            self._pending.append((frame, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="laborlens-scoring", daemon=True
                )
                self._thread.start()
            self._cv.notify()
        return future

    async def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The scored rows of ``frame``, without holding a thread of the pool while waiting."""
        return await asyncio.wrap_future(self.submit(frame))

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()

    def _take(self) -> list[tuple[pd.DataFrame, Future]]:
        with self._cv:
            while not self._pending and not self._closed:
                self._cv.wait()
            batch, rows = [], 0
            while self._pending and (not batch or rows + len(self._pending[0][0]) <= self.max_rows):
                item = self._pending.popleft()
                rows += len(item[0])
                batch.append(item)
            return batch

    def _run(self) -> None:
        while True:
            batch = [item for item in self._take() if item[1].set_running_or_notify_cancel()]
            if not batch:
                if self._closed:
                    return
                continue
            frames = [f for f, _ in batch]
            try:
                with self._lock:
                    scored = self._score(pd.concat(frames, ignore_index=True))
            except Exception as exc:
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches += 1
            self.requests += len(batch)
            start = 0
            for frame, future in batch:
                part = scored.iloc[start : start + len(frame)].reset_index(drop=True)
                start += len(frame)
                future.set_result(part)
