"""Benchmark the careers build step and single recommendation queries.

Precompute: the build step (``build_career_tables``) on a copy of a built database, with the
MiniLM embeddings cached (warm, the normal rebuild) and with an empty cache (cold). Query:
``recommend_careers`` on an open read-only connection, for a sample of occupations (by code)
and of titles, median and p95 latency. Usage:
``python bench/bench_careers.py [--db PATH] [--queries 200] [--repeat 3]``.
Writes its table to docs/benchmarks.md (section "Careers").
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np

from laborlens.capability import BuildContext
from laborlens.careers.precompute import EXPLANATION_TABLES, build_career_tables
from laborlens.careers.recommend import recommend_careers
from laborlens.config import get_settings

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from bench_pipeline import replace_section  # noqa: E402

TABLES = ("occupation_similarity", "career_facts", *EXPLANATION_TABLES)


def precompute(db: Path, cache: Path) -> float:
    with duckdb.connect(str(db)) as con:
        for name in TABLES:
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
        settings = get_settings(db=db, cache_dir=cache)
        start, cpu = time.perf_counter(), time.process_time()
        build_career_tables(con, BuildContext(settings, {}))
        return time.perf_counter() - start, time.process_time() - cpu


def latencies(con, inputs: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per query."""
    wall, cpu = [], []
    for text in inputs:
        start, c = time.perf_counter(), time.process_time()
        recommend_careers(text, top=10, con=con)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="/work/devdb/laborlens.duckdb")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ll-careers-"))
    try:
        db = work / "bench.duckdb"
        shutil.copy(opts.db, db)
        load_before = os.getloadavg()[0]
        cold = precompute(db, work / "cold-cache")
        warm = [precompute(db, work / "cold-cache") for _ in range(opts.repeat)]
        with duckdb.connect(str(db), read_only=True) as con:
            codes = [r[0] for r in con.execute("SELECT onet_soc_code FROM occupations").fetchall()]
            titles = [
                r[0]
                for r in con.execute(
                    "SELECT title FROM occupations WHERE title NOT IN (SELECT title FROM "
                    "occupations GROUP BY title HAVING count(*) > 1)"
                ).fetchall()
            ]
            rng = np.random.default_rng(0)
            sample = list(rng.choice(codes, size=min(opts.queries, len(codes)), replace=False))
            tsample = list(rng.choice(titles, size=min(opts.queries // 2, len(titles))))
            latencies(con, sample[:10])  # warm DuckDB's buffers
            by_code, cpu_code = latencies(con, sample)
            by_title, cpu_title = latencies(con, tsample)
        start = time.perf_counter()
        with duckdb.connect(str(db), read_only=True) as con:
            recommend_careers(sample[0], con=con)
        first = (time.perf_counter() - start) * 1000
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def pct(xs, q):
        return float(np.percentile(xs, q))

    def ms(xs):
        return f"median {statistics.median(xs):.1f} ms, p95 {pct(xs, 95):.1f} ms"

    warm_wall = statistics.median(w for w, _ in warm)
    warm_cpu = statistics.median(c for _, c in warm)
    rows = [
        ("precompute, embeddings cold (empty cache)", f"{cold[0]:.1f} s", f"{cold[1]:.1f} s", "1"),
        (
            "precompute, embeddings cached (a rebuild)",
            f"{warm_wall:.1f} s",
            f"{warm_cpu:.1f} s",
            f"median of {len(warm)}",
        ),
        (
            "query by O*NET-SOC code, top 10, explained",
            ms(by_code),
            ms(cpu_code),
            f"{len(by_code)} occupations",
        ),
        ("query by exact title", ms(by_title), ms(cpu_title), f"{len(by_title)} titles"),
        ("first query on a fresh connection (opens the DB)", f"{first:.1f} ms", "", "1"),
    ]
    table = "| case | wall time | CPU time (all threads) | runs |\n|---|---|---|---|\n"
    table += "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    cpus = len(os.sched_getaffinity(0))
    table += (
        f"\n\n{cpus} CPUs available; 1-minute load average {load_before:.1f} before, "
        f"{load_after:.1f} after (the machine is shared, so times include contention). "
        "Run: `python bench/bench_careers.py`."
    )
    print(table)
    if not opts.no_write:
        replace_section("careers", "Careers: precompute and query latency", table)


if __name__ == "__main__":
    main()
