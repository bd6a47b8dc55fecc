"""Benchmark of the batch engine: postings per second per core for coding + task statements +
exposure/automation scoring, local vs Ray, peak memory per worker, on a generated corpus.

The corpus is generated from the built database: titles are O*NET alternate and reported titles
with job-board noise (pay, bonuses, shifts, requisition numbers, locations, employers, seniority),
bodies are 2–7 task statements of the occupation, technology skills and requirement / benefit /
EEO boilerplate, written as scraped lower-case text, bullets or prose (the generator of
:mod:`laborlens.posting.fit`). ``--generate`` rows are written (Parquet, 100,000 per file);
the engines score the first ``--score`` of them (same postings for each engine), and the
result is extrapolated to the whole corpus and to 100 million postings on N nodes.

    PYTHONPATH=src python bench/bench_batch.py --db DB --models MODELS [--generate 1000000]
        [--score 4000] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from bench_pipeline import cpu_name, replace_marked  # noqa: E402
from laborlens.batch.engine import ScorerFactory, run_batch  # noqa: E402
from laborlens.config import get_settings  # noqa: E402
from laborlens.posting.fit import _body, _noisy_title  # noqa: E402

DOC = REPO / "docs" / "benchmarks.md"
PER_FILE = 100_000


def generate(settings, rows: int, folder: Path, seed: int = 0) -> float:
    """Write ``rows`` generated postings as Parquet files in ``folder``; seconds taken."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect(str(settings.db_path), read_only=True)
    titles = con.sql(
        "SELECT onet_soc_code, title FROM title_index WHERE source IN "
        "('alternate', 'reported', 'occupation') ORDER BY entry_id"
    ).df()
    tasks = con.sql("SELECT onet_soc_code, task FROM onet_tasks ORDER BY 1, task_id").df()
    tech = con.sql("SELECT onet_soc_code, example FROM onet_technology_skills ORDER BY 1, 2").df()
    con.close()
    by_task = tasks.groupby("onet_soc_code")["task"].agg(list).to_dict()
    by_tech = tech.groupby("onet_soc_code")["example"].agg(list).to_dict()
    titles = titles[titles["onet_soc_code"].isin(by_task)].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    done = 0
    while done < rows:
        n = min(PER_FILE, rows - done)
        pick = rng.integers(0, len(titles), size=n)
        codes = titles["onet_soc_code"].to_numpy()[pick]
        names = titles["title"].to_numpy()[pick]
        frame = pd.DataFrame(
            {
                "id": [f"g{done + i:09d}" for i in range(n)],
                "title": [_noisy_title(rng, t) for t in names],
                "description": [_body(rng, by_task[c], by_tech.get(c, [])) for c in codes],
                "onet_soc_code": codes,
            }
        )
        frame.to_parquet(folder / f"corpus-{done // PER_FILE:03d}.parquet", index=False)
        done += n
    return time.perf_counter() - t0


def run(settings, src: Path, out: Path, engine: str, workers: int, chunk: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    factory = ScorerFactory(settings)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = run_batch(
        "postings", src, out, factory=factory, engine=engine, workers=workers, chunk_size=chunk
    )
    wall = time.perf_counter() - t0
    infos = [json.loads(p.read_text()) for p in (out / "_done").glob("*.json")]
    cpu = sum(i["cpu_seconds"] for i in infos)
    score_wall = sum(i["seconds"] for i in infos)
    statements = sum(
        len(pd.read_parquet(out / "statements" / f"{p.stem}.parquet", columns=["id"]))
        for p in (out / "_done").glob("*.json")
    )
    return {
        "engine": engine,
        "workers": workers,
        "postings": result.rows,
        "failed": len(result.failed),
        "wall_s": wall,
        "postings_per_s": result.rows / wall,
        "postings_per_cpu_s": result.rows / cpu,
        "scoring_wall_per_posting_ms": 1000 * score_wall / result.rows,
        "peak_rss_mib": max(i["peak_rss_mib"] for i in infos),
        "statements_per_posting": statements / result.rows,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def latency(settings, n: int = 200) -> dict:
    """One posting at a time through the scorer (median / p95 ms, wall and CPU)."""
    from laborlens.posting.evaluate import read_eval

    scorer = ScorerFactory(settings)()
    frame = read_eval(REPO / "tests" / "data" / "postings_eval.jsonl")
    walls, cpus = [], []
    load_before = os.getloadavg()[0]
    for i in range(n):
        row = frame.iloc[[i % len(frame)]].copy()
        row["title"] = row["title"] + f" {i}"  # no title-coder cache hits
        t0, c0 = time.perf_counter(), time.process_time()
        scorer.score_postings(row)
        walls.append(1000 * (time.perf_counter() - t0))
        cpus.append(1000 * (time.process_time() - c0))
    q = lambda v, p: float(np.percentile(v, p))  # noqa: E731
    return {
        "wall_median_ms": statistics.median(walls),
        "wall_p95_ms": q(walls, 95),
        "cpu_median_ms": statistics.median(cpus),
        "cpu_p95_ms": q(cpus, 95),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--cache", default=None)
    ap.add_argument("--generate", type=int, default=1_000_000)
    ap.add_argument("--score", type=int, default=4000)
    ap.add_argument("--chunk", type=int, default=500)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    settings = get_settings(
        db=args.db,
        models_dir=args.models,
        cache_dir=args.cache or tmp / "cache",
        offline=True,
    )
    ScorerFactory(settings)()  # build the scorer cache once, outside the timings
    gen_s = generate(settings, args.generate, tmp / "corpus")
    print(f"generated {args.generate:,} postings in {gen_s:.0f} s", flush=True)
    sample = tmp / "sample.parquet"
    first = sorted((tmp / "corpus").glob("*.parquet"))[0]
    pd.read_parquet(first).head(args.score).drop(columns=["onet_soc_code"]).to_parquet(sample)
    runs = [run(settings, sample, tmp / "out-local-1", "local", 1, args.chunk)]
    print(runs[-1], flush=True)
    runs.append(run(settings, sample, tmp / "out-local-n", "local", args.workers, args.chunk))
    print(runs[-1], flush=True)
    if not args.no_ray:
        try:
            import ray  # noqa: F401

            runs.append(run(settings, sample, tmp / "out-ray", "ray", args.workers, args.chunk))
            print(runs[-1], flush=True)
            a = pd.concat(
                pd.read_parquet(p) for p in sorted((tmp / "out-local-n" / "postings").glob("*"))
            )
            b = pd.concat(
                pd.read_parquet(p) for p in sorted((tmp / "out-ray" / "postings").glob("*"))
            )
            a, b = a.reset_index(drop=True), b.reset_index(drop=True)
            runs[-1]["identical_to_local"] = bool(a.equals(b))
            num = a.select_dtypes("number").columns
            runs[-1]["max_abs_diff"] = float(
                (a[num].astype(float) - b[num].astype(float)).abs().max().max()
            )
        except ImportError:
            print("ray not installed: Ray run skipped")
    lat = latency(settings)
    print(lat, flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    if not args.no_write:
        write(runs, lat, args, gen_s)


def _quiet(runs) -> str:
    """How busy the machine was, from the load averages the runs recorded."""
    peak = max(max(r["load_before"], r["load_after"]) for r in runs)
    if peak < max(r["workers"] for r in runs) + 0.5:  # its own workers make the load
        return f"no other job while measured (1-minute load at most {peak:.1f})"
    return (
        f"shared with other jobs while measured (1-minute load up to {peak:.1f}: wall times "
        "include that contention, CPU times much less)"
    )


def _target(runs, hour_2: float, args) -> str:
    """The 1-million-per-hour verdict: on the measured wall rate of the 2-worker runs, and on
    CPU time."""
    best = max((r for r in runs if r["workers"] >= 2), key=lambda r: r["postings_per_s"])
    wall_hour = 3600 * best["postings_per_s"]
    return (
        "The issue's target (1 million postings per hour on this 2-core machine) is "
        f"{'met' if wall_hour >= 1e6 else 'not met'} on the measured wall rate "
        f"({best['engine']}, {best['workers']} workers: {best['postings_per_s']:.0f} postings/s, "
        f"{wall_hour:,.0f} per hour; {_quiet(runs)}) and "
        f"{'met' if hour_2 >= 1e6 else 'not met'} on CPU time ({hour_2:,.0f} per hour). Each "
        f"engine scored the first {args.score:,} postings of the {args.generate:,}-posting "
        "corpus, not all of it (that would take about half an hour per engine); the rate does "
        "not depend on the corpus size (streamed partitions, bounded memory)."
    )


def write(runs, lat, args, gen_s) -> None:
    per_core = statistics.median(r["postings_per_cpu_s"] for r in runs)
    lines = [
        "## Batch scoring of postings (`bench/bench_batch.py`)",
        "",
        f"Machine: {os.cpu_count()} cores ({cpu_name()}), Python {sys.version.split()[0]}; "
        f"{_quiet(runs)}. Corpus: {args.generate:,} postings generated from O*NET titles, "
        f"tasks, technology skills and noise in {gen_s:.0f} s; each engine scored the same "
        f"first {args.score:,} (partitions of {args.chunk}): coding + task statements + "
        "exposure and automation scoring + bootstrap interval, Parquet out.",
        "",
        "| engine | workers | postings | wall (s) | postings / s (wall) | postings / CPU-s "
        "(per core) | peak RSS per worker (MiB) | statements / posting | same as local "
        "| 1-min load before / after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in runs:
        same = {True: "yes (bitwise)", False: f"max diff {r.get('max_abs_diff', 0):.1e}"}.get(
            r.get("identical_to_local"), ""
        )
        lines.append(
            f"| {r['engine']} | {r['workers']} | {r['postings']:,} | {r['wall_s']:.1f} | "
            f"{r['postings_per_s']:.0f} | {r['postings_per_cpu_s']:.0f} | "
            f"{r['peak_rss_mib']:.0f} | {r['statements_per_posting']:.2f} | {same} | "
            f"{r['load_before']:.1f} / {r['load_after']:.1f} |"
        )
    hour_2 = 2 * per_core * 3600
    lines += [
        "",
        f"One posting alone: median {lat['wall_median_ms']:.1f} ms wall "
        f"(p95 {lat['wall_p95_ms']:.1f}), {lat['cpu_median_ms']:.1f} ms CPU "
        f"(p95 {lat['cpu_p95_ms']:.1f}); 1-minute load average {lat['load_before']:.1f} "
        f"before, {lat['load_after']:.1f} after.",
        "",
        f"Extrapolation from the median postings per CPU-second of the runs ({per_core:.0f}, "
        "i.e. per core without contention; scoring is embarrassingly parallel, one partition "
        "per task):",
        f"- this 2-core machine, 2 workers: ≈ {hour_2:,.0f} postings per hour; "
        f"1 million postings in ≈ {1e6 / (2 * per_core) / 3600:.1f} h;",
    ]
    for nodes, cores in ((10, 16), (50, 32), (100, 64)):
        hours = 100e6 / (per_core * nodes * cores) / 3600
        lines.append(
            f"- 100 million postings on {nodes} nodes × {cores} cores: ≈ {hours:.2f} h "
            f"({nodes * cores * hours:,.0f} core-hours) "
            f"(each worker holds ≈ {max(r['peak_rss_mib'] for r in runs) / 1024:.1f} GiB)"
        )
    lines += [
        "",
        _target(runs, hour_2, args),
        "",
        "What limits it: CPU in the exposure and automation models (character n-gram TF-IDF "
        "of every statement) and the title coder; memory is the models per worker (no growth "
        "with corpus size: at most 2 × workers partitions in flight); the driver reads inputs "
        "and writes Parquet, which is cheap next to scoring.",
    ]
    replace_marked(DOC, "batch", "\n".join(lines))
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
