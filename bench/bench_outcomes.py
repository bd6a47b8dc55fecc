"""Benchmark the outcomes run: the build step that reads nine OEWS years, CPS, Indeed and AEI
files and writes every ``outcomes_*`` table.

Needs a built database (``--db``) for the tables the step reads (``measures_soc2018``, the SOC
and NEM crosswalks, projections, AEI task statements). Times, median of ``--repeat`` runs in a
fresh process each (imports included, as in a build), on two cores at most (``taskset`` when
available): parsing and verifying the 19 source files, then each part of the computation, and
the whole step. Usage: ``python bench/bench_outcomes.py --db PATH [--repeat N]``; writes
docs/benchmarks.md (section "Outcomes").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_pipeline import cpu_name, replace_section  # noqa: E402

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import duckdb
from laborlens.config import get_settings
from laborlens.outcomes import run
from laborlens.outcomes.capability import CAPABILITY
from laborlens.sources.fetch import fetch
db, mirror = sys.argv[1], sys.argv[2]
s = get_settings(db=db, mirror=mirror, offline=True)
t1 = time.perf_counter()
con = duckdb.connect(db, read_only=True)
inputs = run.read_inputs(con, lambda n: fetch(n, s))
t2 = time.perf_counter()
tables = run.compute(inputs)
t3 = time.perf_counter()
out = {"import": t1 - t0, "read + verify sources": t2 - t1, **inputs.timings,
       "compute (all parts)": t3 - t2, "whole step (imports included)": t3 - t0,
       "_rows": {k: len(v) for k, v in tables.items()}}
print(json.dumps(out))
"""


def one_run(db: str, mirror: str) -> dict:
    cmd = [sys.executable, "-c", CHILD, db, mirror]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0,1", *cmd]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OMP_NUM_THREADS": "2"}
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=tmp)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="a built laborlens database")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    opts = parser.parse_args()
    mirror = os.environ.get("LABORLENS_MIRROR") or str(REPO.parent / "shared" / "data")
    runs = [one_run(opts.db, mirror) for _ in range(opts.repeat)]
    keys = [k for k in runs[0] if not k.startswith("_")]
    lines = ["| step | median seconds | min | max |", "|---|---|---|---|"]
    for k in keys:
        v = [r[k] for r in runs]
        lines.append(f"| {k} | {statistics.median(v):.2f} | {min(v):.2f} | {max(v):.2f} |")
    rows = runs[0]["_rows"]
    table = "\n".join(lines)
    table += (
        f"\n\n{len(rows)} tables ({sum(rows.values()):,} rows; panel {rows['outcomes_panel']:,} "
        f"occupation-years). Median of {opts.repeat} fresh processes pinned to 2 cores on "
        f"{cpu_name()}, shared with other jobs; target: whole step under 30 s."
    )
    print(table)
    if not opts.no_write:
        replace_section("outcomes", "Outcomes (`bench/bench_outcomes.py`)", table)


if __name__ == "__main__":
    main()
