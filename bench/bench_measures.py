"""Benchmark the measures comparison: the build step that puts every public measure on SOC 2018,
and the analyses over it.

Needs a built database (``--db``; its source tables and ``occupation_exposure`` are the
inputs). Times, median of ``--repeat`` runs in this process: parsing the ten measure and
crosswalk files from the mirror (with sha256 verification), deriving the wide table, the three
correlation matrices, the top-50 overlap of every pair, and ``measures_for`` on every code.
Usage: ``python bench/bench_measures.py --db PATH [--repeat N]``; writes docs/benchmarks.md
(section "Measures").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_pipeline import cpu_name, replace_section  # noqa: E402
from laborlens.config import get_settings  # noqa: E402
from laborlens.db.tables import SOURCE_TABLES  # noqa: E402
from laborlens.measures.analysis import (  # noqa: E402
    correlation_matrix,
    measures_for,
    top_overlap,
)
from laborlens.measures.core import INPUT_TABLES, compute_measures  # noqa: E402
from laborlens.sources.fetch import fetch  # noqa: E402

BASE = {"soc_structure", "oews", "nem"}  # loaded by the core build, not by the measures


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="a built laborlens database")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    opts = parser.parse_args()
    mirror = os.environ.get("LABORLENS_MIRROR") or str(REPO.parent / "shared" / "data")
    settings = get_settings(db=opts.db, mirror=mirror, offline=True)
    specs = {s.name: s for s in SOURCE_TABLES}
    with duckdb.connect(opts.db, read_only=True) as con:
        base = {k: con.execute(f'SELECT * FROM "{INPUT_TABLES[k]}"').df() for k in BASE}
        exposure = con.execute("SELECT * FROM occupation_exposure").df()

    def parse():
        return {
            k: specs[t].reader(fetch(specs[t].source, settings))
            for k, t in INPUT_TABLES.items()
            if k not in BASE
        }

    rows = []
    t, parsed = timed(parse, opts.repeat)
    rows.append(("parse + verify the 10 input files", t))
    inputs = {**base, **parsed}
    t, (wide, _) = timed(lambda: compute_measures(inputs, exposure), opts.repeat)
    rows.append(("derive measures_soc2018 + measure_coverage", t))
    t, _ = timed(
        lambda: [correlation_matrix(wide, m) for m in ("pearson", "spearman", "weighted_pearson")],
        opts.repeat,
    )
    rows.append(("Pearson, Spearman, weighted Pearson matrices", t))
    t, _ = timed(lambda: top_overlap(wide, 50), opts.repeat)
    rows.append(("top-50 overlap, every pair", t))
    codes = wide["soc_2018_code"].tolist()
    t, _ = timed(lambda: [measures_for(wide, c) for c in codes], 1)
    rows.append((f"measures_for on all {len(codes)} codes", t))

    lines = ["| step | median seconds |", "|---|---|"]
    lines += [f"| {name} | {sec:.3f} |" for name, sec in rows]
    table = "\n".join(lines)
    table += (
        f"\n\n{len(wide)} SOC codes × {len(wide.columns) - 3} measures; median of "
        f"{opts.repeat} runs (measures_for: one pass) on {cpu_name()}, shared with other jobs."
    )
    print(table)
    if not opts.no_write:
        replace_section("measures", "Measures (`bench/bench_measures.py`)", table)


if __name__ == "__main__":
    main()
