"""Benchmark of the job-title coder: accuracy on the realistic test set, held-out accuracy and
calibration, per-title latency (single and batched), coder load time, index build time.

Builds a scratch database with the O*NET title sources from the mirror in a temporary folder,
then the title index twice: with an empty embedding cache (cold) and with the cache it filled
(warm). Prints the tables, writes its section to docs/benchmarks.md and the accuracy table to
docs/titles.md.

    PYTHONPATH=src python bench/bench_titles.py [--mirror ../shared/data] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from bench_pipeline import cpu_name, replace_marked, replace_section  # noqa: E402
from laborlens.capability import BuildContext  # noqa: E402
from laborlens.config import get_settings  # noqa: E402
from laborlens.titles.coder import TitleCoder  # noqa: E402
from laborlens.titles.evaluate import evaluate_titles, read_labelled_titles  # noqa: E402
from laborlens.titles.index import build_title_tables, load_title_sources  # noqa: E402
from laborlens.titles.normalize import normalize_title  # noqa: E402

TEST_SET = REPO / "tests" / "data" / "job_titles.csv"
TITLES_DOC = REPO / "docs" / "titles.md"
MODELS_DOC = REPO / "docs" / "models.md"
ABSTAIN_AT = 0.3
N_LATENCY = 1000


def timed_build(src: Path, dst: Path, settings) -> float:
    shutil.copy(src, dst)
    con = duckdb.connect(str(dst))
    start = time.perf_counter()
    build_title_tables(con, BuildContext(settings, {}))
    seconds = time.perf_counter() - start
    con.close()
    return seconds


def latency(coder: TitleCoder, titles: list[str], settings) -> dict[str, float]:
    """Single-title latency over distinct titles, each call with the coder's result cache and
    the normaliser's cache cleared first (every call codes its title from scratch); the three
    entry points take turns title by title, so a slow spell of the shared machine hits them
    alike. Then batched throughput."""
    from laborlens.titles.api import code_titles, load_coder

    assert load_coder(settings) is coder  # the public API serves this very coder
    calls = {
        "api": lambda t: code_titles(t, settings=settings),
        "single": coder.code_one,
        "proba": lambda t: coder.proba([t]),
    }
    ms: dict[str, list[float]] = {name: [] for name in calls}
    for title in titles:
        for name, fn in calls.items():
            coder._cache.clear()
            normalize_title.cache_clear()
            start = time.perf_counter()
            fn(title)
            ms[name].append((time.perf_counter() - start) * 1e3)
    coder._cache.clear()
    normalize_title.cache_clear()
    start = time.perf_counter()
    coder.code(titles, top=5)
    batch = time.perf_counter() - start
    out = {
        "batch_titles_per_s": len(titles) / batch,
        "batch_ms_per_title": batch / len(titles) * 1e3,
    }
    for name, values in ms.items():
        out[f"{name}_median_ms"] = float(np.median(values))
        out[f"{name}_p95_ms"] = float(np.percentile(values, 95))
    return out


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def accuracy_markdown(table0, table1) -> str:
    lines = [
        "| level | top-1 | top-3 | top-1 at min-probability "
        f"{ABSTAIN_AT} | top-3 at {ABSTAIN_AT} |",
        "|---|---|---|---|---|",
    ]
    for (_, a), (_, b) in zip(table0.iterrows(), table1.iterrows(), strict=True):
        lines.append(
            f"| {a['level']} | {pct(a['top1'])} | {pct(a['top3'])} | {pct(b['top1'])} | "
            f"{pct(b['top3'])} |"
        )
    lines.append(
        f"\n{int(table0['n'].iloc[0])} titles; abstained: {pct(table0['abstained'].iloc[0])} at "
        f"min-probability 0, {pct(table1['abstained'].iloc[0])} at {ABSTAIN_AT} (abstentions "
        "count as misses)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=os.environ.get("LABORLENS_MIRROR"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    mirror = Path(args.mirror) if args.mirror else REPO.parent / "shared" / "data"
    with tempfile.TemporaryDirectory(prefix="bench-titles-") as tmp:
        tmp = Path(tmp)
        settings = get_settings(
            db=tmp / "x.duckdb",
            mirror=mirror,
            cache_dir=tmp / "cache",
            models_dir=tmp / "models",
            offline=True,
        )
        src = tmp / "src.duckdb"
        load_title_sources(src, settings)
        cold = timed_build(src, tmp / "cold.duckdb", settings)
        warm = timed_build(src, tmp / "warm.duckdb", settings)
        with duckdb.connect(str(tmp / "warm.duckdb"), read_only=True) as con:
            metrics = dict(con.sql("SELECT key, value FROM title_coder_params").fetchall())
            reported = [
                r[0]
                for r in con.sql(
                    "SELECT DISTINCT reported_title FROM onet_reported_titles "
                    "ORDER BY hash(reported_title)"
                ).fetchall()
            ]
        from laborlens.titles.api import load_coder

        warm_settings = replace(settings, db_path=tmp / "warm.duckdb")
        start = time.perf_counter()
        coder = load_coder(warm_settings)
        load = time.perf_counter() - start
        labelled = read_labelled_titles(TEST_SET)
        acc0, _ = evaluate_titles(coder, labelled)
        acc1, _ = evaluate_titles(coder, labelled, min_probability=ABSTAIN_AT)
        titles = list(dict.fromkeys(labelled["title"].tolist() + reported))[:N_LATENCY]
        coder.code(titles[:20])  # warm-up (first calls allocate)
        load_before = os.getloadavg()[0]
        lat = latency(coder, titles, warm_settings)
        load_after = os.getloadavg()[0]
    accuracy = accuracy_markdown(acc0, acc1)
    heldout = (
        f"Held-out titles ({int(metrics['heldout_queries'])} queries: "
        f"{int(metrics['heldout_reported_queries'])} reported, "
        f"{int(metrics['heldout_alternate_queries'])} alternate; grouped by occupation × head "
        "noun, removed from the index): "
        f"top-1 {pct(metrics['heldout_top1'])}, top-3 {pct(metrics['heldout_top3'])}, top-1 at "
        f"6 digits {pct(metrics['heldout_top1_soc6'])}, reported titles top-1 "
        f"{pct(metrics['heldout_reported_top1'])}, alternate titles top-1 "
        f"{pct(metrics['heldout_alternate_top1'])}, lexical only top-1 "
        f"{pct(metrics['heldout_top1_lexical_only'])}; ECE of the top-1 probability "
        f"{metrics['heldout_ece']:.3f}."
    )
    fitted = ", ".join(
        f"{k} {metrics[k]:.3g}"
        for k in (
            "char_weight",
            "semantic_weight",
            "alternate_weight",
            "prior_weight",
            "temperature",
        )
    )
    speed = "\n".join(
        [
            "| measure (one title per call, distinct titles, caches cleared) | median | p95 |",
            "|---|---|---|",
            "| `code_titles(title)` (public API, DataFrame out) | "
            f"{lat['api_median_ms']:.2f} ms | {lat['api_p95_ms']:.2f} ms |",
            f"| `TitleCoder.code_one` (DataFrame out) | {lat['single_median_ms']:.2f} ms | "
            f"{lat['single_p95_ms']:.2f} ms |",
            f"| `TitleCoder.proba` (probabilities only) | {lat['proba_median_ms']:.2f} ms | "
            f"{lat['proba_p95_ms']:.2f} ms |",
            "",
            "| measure | value |",
            "|---|---|",
            f"| batched `code` ({len(titles)} distinct titles) | "
            f"{lat['batch_titles_per_s']:,.0f} titles/s "
            f"({lat['batch_ms_per_title']:.2f} ms/title) |",
            f"| coder load from the database | {load:.1f} s |",
            f"| index build, cold embedding cache | {cold:.1f} s |",
            f"| index build, warm embedding cache | {warm:.1f} s |",
        ]
    )
    machine = (
        f"{cpu_name()}, {len(os.sched_getaffinity(0))} cores usable, "
        f"{time.strftime('%Y-%m-%d')}; latency over {len(titles)} distinct titles (the test "
        "set's and O*NET reported titles) with the result cache cleared before each call; "
        f"1-minute load average {load_before:.1f} before the latency runs, {load_after:.1f} "
        "after (the machine is shared, so times include contention)."
    )
    section = (
        f"{machine}\n\nTest set `tests/data/job_titles.csv`:\n\n{accuracy}\n\n{heldout}\n\n"
        f"Fitted: {fitted}.\n\n{speed}\n"
    )
    print(section)
    if not args.no_write:
        replace_section("titles", "Job titles (`bench/bench_titles.py`)", section)
        summary = (
            "Speed (one distinct title per call, caches cleared): `code_titles` median "
            f"{lat['api_median_ms']:.2f} ms, p95 {lat['api_p95_ms']:.2f} ms; batched "
            f"{lat['batch_ms_per_title']:.2f} ms/title ({lat['batch_titles_per_s']:,.0f} "
            'titles/s). Details: docs/benchmarks.md ("Job titles").'
        )
        body = f"{machine}\n\n{accuracy}\n\n{heldout}\n\n{summary}"
        replace_marked(TITLES_DOC, "titles-accuracy", body)
        replace_marked(
            MODELS_DOC,
            "titles-accuracy",
            "## Job-title coder (`bench/bench_titles.py`; method in docs/titles.md)\n\n" + body,
        )


if __name__ == "__main__":
    main()
