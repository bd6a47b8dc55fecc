"""Run a batch job over a corpus: local processes or Ray, resumable, partition by partition.

The driver streams the inputs chunk by chunk (a chunk is a partition), skips partitions already
finished in the output folder, and hands the others to workers; at most ``2 × workers``
partitions are in flight, so memory stays bounded whatever the corpus size. Each worker loads the
models once (:class:`ScorerFactory`) and scores partitions with no state carried between them,
so the local and the Ray engine write identical partitions. A partition that fails is retried
(``retries`` times); if it still fails, its error is recorded in ``_failed/`` and reported, the
other partitions go on, and a rerun retries it.
"""

from __future__ import annotations

import logging
import math
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from laborlens.batch.io import Columns, Manifest, OutputFolder, Partition, input_files, read_chunks
from laborlens.exceptions import ConfigError

log = logging.getLogger(__name__)
ENGINES = ("local", "ray")
DEFAULT_CHUNK = 2000


@dataclass
class BatchResult:
    """What a run did: partitions finished now, skipped (finished before), failed (name →
    error), rows scored now, wall seconds."""

    output: Path
    partitions: int = 0
    finished: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


class ScorerFactory:
    """Picklable: builds a worker's :class:`~laborlens.posting.score.PostingScorer` from the
    settings (database and models on the worker's file system)."""

    def __init__(self, settings) -> None:
        self.settings = settings

    def __call__(self):
        from laborlens.posting.score import PostingScorer

        return PostingScorer.from_settings(self.settings)


def score_partition(scorer, kind: str, frame: pd.DataFrame, min_probability: float) -> dict:
    """Table name → frame for one partition (pure function of its inputs)."""
    if kind == "postings":
        postings, statements = scorer.score_postings(frame, min_probability=min_probability)
        return {"postings": postings, "statements": statements}
    return {"tasks": scorer.score_tasks(frame)}


def _guarded(scorer, kind, name, frame, min_probability):
    """(name, tables, None, info) or (name, None, error text, info): a worker reports a
    partition's error to the driver instead of dying, so the other partitions go on. ``info``:
    wall and CPU seconds of the partition, the worker's peak resident memory (MiB)."""
    import resource

    from threadpoolctl import threadpool_limits

    t0, c0 = time.perf_counter(), time.process_time()
    try:
        # one BLAS thread everywhere: a multi-threaded matrix product may round differently,
        # and the engines must write identical numbers (one worker per core anyway)
        with threadpool_limits(limits=1):
            tables, error = score_partition(scorer, kind, frame, min_probability), None
    except Exception as exc:  # reported per partition by the driver, never dropped
        tables, error = None, f"{type(exc).__name__}: {exc}"
        log.debug("partition %s failed:\n%s", name, traceback.format_exc())
    info = {
        "seconds": round(time.perf_counter() - t0, 3),
        "cpu_seconds": round(time.process_time() - c0, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pid": os.getpid(),
    }
    return name, tables, error, info


def count_rows(file: Path, columns: Columns) -> int:
    if file.suffix.lower() == ".csv":
        return sum(
            len(c)
            for c in pd.read_csv(
                file, usecols=[columns.id], dtype=str, keep_default_na=False, chunksize=200_000
            )
        )
    return pq.ParquetFile(file).metadata.num_rows


def run_batch(
    kind: str,
    input: str | Path,
    output: str | Path,
    *,
    settings=None,
    engine: str = "local",
    address: str | None = None,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    columns: Columns | None = None,
    retries: int = 2,
    min_probability: float = 0.0,
    factory: Callable | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    stop_after: int | None = None,
) -> BatchResult:
    """Score every partition of ``input`` not yet finished in ``output``.

    ``factory`` builds a worker's scorer (default: :class:`ScorerFactory` over ``settings``).
    ``stop_after``: finish at most this many partitions in this run (for tests of resuming).
    """
    if kind not in ("postings", "tasks"):
        msg = f"kind must be 'postings' or 'tasks'; got {kind!r}"
        raise ConfigError(msg)
    if engine not in ENGINES:
        msg = f"--engine must be one of {', '.join(ENGINES)}; got {engine!r}"
        raise ConfigError(msg)
    if workers < 1 or chunk_size < 1 or retries < 0:
        msg = "--workers and --chunk-size must be at least 1, retries at least 0"
        raise ConfigError(msg)
    if address and engine != "ray":
        msg = "--address names a Ray cluster; use it with --engine ray"
        raise ConfigError(msg)
    if not 0.0 <= min_probability <= 1.0:
        msg = f"--min-probability must be between 0 and 1; got {min_probability}"
        raise ConfigError(msg)
    columns = columns or Columns()
    files = input_files(input)
    if factory is None:
        if settings is None:
            from laborlens.config import get_settings

            settings = get_settings()
        factory = ScorerFactory(settings)
    manifest = Manifest(
        kind=kind,
        inputs=[str(f.resolve()) for f in files],
        columns=columns.wanted(kind),
        chunk_size=chunk_size,
    )
    out = OutputFolder(output, manifest)
    result = BatchResult(output=Path(output))
    t0 = time.perf_counter()
    total = sum(math.ceil(count_rows(f, columns) / chunk_size) for f in files)
    result.partitions = total

    def todo():
        for f in files:
            for number, frame in read_chunks(f, kind, columns, chunk_size):
                part = Partition(f"{f.stem}-{number:06d}", f, number)
                if out.done(part.name):
                    result.skipped.append(part.name)
                    _tick()
                    continue
                yield part, frame

    def _tick(step: str = "scoring") -> None:
        if progress:
            progress(
                f"{kind}: {len(result.finished) + len(result.skipped)} of {total} partitions"
                f"{f', {len(result.failed)} failed' if result.failed else ''}",
                len(result.finished) + len(result.skipped) + len(result.failed),
                max(total, 1),
            )

    def finish(name, frame_rows, tables, error, info, attempts) -> bool:
        """Record a partition's outcome; True when it should be retried."""
        if error is None:
            out.write(name, tables, {"rows": frame_rows, "attempts": attempts, **info})
            result.finished.append(name)
            result.rows += frame_rows
            _tick()
            return False
        if attempts <= retries:
            log.warning("partition %s failed (attempt %d), retrying: %s", name, attempts, error)
            return True
        out.fail(name, error, attempts)
        result.failed[name] = error
        _tick()
        return False

    runner = _run_local if engine == "local" else _run_ray
    runner(todo(), kind, factory, workers, address, min_probability, finish, stop_after)
    result.seconds = time.perf_counter() - t0
    return result


def _run_local(parts, kind, factory, workers, address, min_probability, finish, stop_after):
    if workers == 1:
        scorer = factory()
        for n, (part, frame) in enumerate(parts):
            if stop_after is not None and n >= stop_after:
                return
            attempts = 0
            while True:
                attempts += 1
                name, tables, error, info = _guarded(
                    scorer, kind, part.name, frame, min_probability
                )
                if not finish(name, len(frame), tables, error, info, attempts):
                    break
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(factory,)
    ) as pool:
        _drive(
            parts,
            lambda name, frame: pool.submit(_worker_score, kind, name, frame, min_probability),
            lambda pending: wait(pending, return_when=FIRST_COMPLETED)[0],
            lambda fut: fut.result(),
            workers,
            finish,
            stop_after,
        )


_WORKER: dict = {}


def _init_worker(factory) -> None:
    _WORKER["scorer"] = factory()


def _worker_score(kind, name, frame, min_probability):
    return _guarded(_WORKER["scorer"], kind, name, frame, min_probability)


def _drive(parts, submit, wait_any, get, workers, finish, stop_after) -> None:
    """Keep at most 2 × workers partitions in flight; retry failures; stop after N."""
    pending: dict = {}
    started = 0
    parts = iter(parts)
    exhausted = False
    while True:
        while not exhausted and len(pending) < 2 * workers:
            if stop_after is not None and started >= stop_after:
                exhausted = True
                break
            nxt = next(parts, None)
            if nxt is None:
                exhausted = True
                break
            part, frame = nxt
            pending[submit(part.name, frame)] = (part, frame, 1)
            started += 1
        if not pending:
            return
        for fut in wait_any(list(pending)):
            part, frame, attempts = pending.pop(fut)
            name, tables, error, info = get(fut)
            if finish(name, len(frame), tables, error, info, attempts):
                pending[submit(part.name, frame)] = (part, frame, attempts + 1)


def _run_ray(parts, kind, factory, workers, address, min_probability, finish, stop_after):
    try:
        import ray
    except ImportError as exc:
        msg = (
            "--engine ray needs Ray: pip install 'laborlens[scale]' (ray[data]); or use the "
            "default --engine local"
        )
        raise ConfigError(msg) from exc
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)

    @ray.remote(num_cpus=1)
    class _Worker:
        def __init__(self, factory) -> None:
            self.scorer = factory()

        def score(self, kind, name, frame, min_probability):
            return _guarded(self.scorer, kind, name, frame, min_probability)

    try:
        ref = ray.put(factory)
        actors = [_Worker.remote(ref) for _ in range(workers)]
        free = list(range(workers))
        busy: dict = {}

        def submit(name, frame):
            i = free.pop(0) if free else len(busy) % workers
            fut = actors[i].score.remote(kind, name, frame, min_probability)
            busy[fut] = i
            return fut

        def wait_any(pending):
            ready, _ = ray.wait(pending, num_returns=1)
            for fut in ready:
                i = busy.pop(fut, None)
                if i is not None and i not in free:
                    free.append(i)
            return ready

        _drive(parts, submit, wait_any, ray.get, workers, finish, stop_after)
        for a in actors:
            ray.kill(a)
    finally:
        if started_here:
            ray.shutdown()
