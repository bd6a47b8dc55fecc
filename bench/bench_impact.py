"""Benchmark `laborlens impact` with 1,000 bootstrap draws on the development database.

Two measurements: the real CLI in a fresh process (every impact table: aggregates with
intervals for the chosen source, headlines with intervals for every source, the sensitivity
grid, ILO/AEI, skills shift, CSV + Parquet output), median of ``--repeat`` runs, with BLAS
threads limited to 2; and in-process stage timings of one choice set for each source.
Usage: ``python bench/bench_impact.py [--db PATH] [--repeat N]``. Writes the table to
docs/benchmarks.md (section "Impact").
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_pipeline import REPO, replace_section, run

DEV_DB = "/work/devdb/laborlens.duckdb"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=DEV_DB)
    parser.add_argument("--mirror", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "OMP_NUM_THREADS": "2",
        "OPENBLAS_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for source in ("human", "model"):
            cli = [
                "impact",
                "--db",
                args.db,
                "--mirror",
                args.mirror,
                "--draws",
                str(args.draws),
                "--source",
                source,
                "--output",
                f"{tmp}/out",
            ]
            runs = [run(cli, env) for _ in range(args.repeat)]
            rows.append(
                (
                    f"`laborlens impact --source {source} --draws {args.draws} --output DIR`",
                    statistics.median(r[0] for r in runs),
                    max(r[1] for r in runs),
                )
            )
    os.environ.update({k: env[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")})
    sys.path.insert(0, str(REPO / "src"))
    from laborlens.config import get_settings
    from laborlens.impact import Choices, compute_impact, load

    settings = get_settings(db=args.db, mirror=args.mirror, offline=True)
    t0 = time.perf_counter()
    data = load(settings)
    stages = [("load inputs (database + mirror files)", time.perf_counter() - t0)]
    for source in ("human", "model"):
        r = compute_impact(data, Choices(source=source), n_draws=args.draws)
        stages.append((f"{source}: {args.draws} draws of occupation scores", r.seconds["draws"]))
        stages.append(
            (f"{source}: all aggregates (7 tables, point + draws)", r.seconds["aggregates"])
        )
        stages.append((f"{source}: compute_impact total", r.seconds["total"]))
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores "
        f"(BLAS threads 2), Python {platform.python_version()}; database {args.db}; "
        f"median of {args.repeat} runs. Target: a full `laborlens impact` with 1,000 draws "
        "under 30 s on 2 cores.",
        "",
        "| case | seconds | peak RSS (MiB) |",
        "|---|---:|---:|",
        *[f"| {name} | {sec:.1f} | {rss:.0f} |" for name, sec, rss in rows],
        "",
        "| stage (in process) | seconds |",
        "|---|---:|",
        *[f"| {name} | {sec:.2f} |" for name, sec in stages],
        "",
    ]
    table = "\n".join(lines)
    print(table)
    replace_section("impact", "Impact (`bench/bench_impact.py`)", table)


if __name__ == "__main__":
    main()
