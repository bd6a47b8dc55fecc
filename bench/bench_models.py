"""Benchmark the exposure models: training time, scoring throughput and peak memory.

Each architecture runs in its own process (so peak RSS is its own): it is trained on the human
labels, then scores every O*NET 29.3 task statement (with its occupation title) in batches.
``minilm-ft`` is trained on a 1,000-task slice for one epoch here, since only its scoring speed
is measured (its full training time is in docs/models.md). Usage:
``python bench/bench_models.py [--archs tfidf,cnn,minilm,minilm-ft] [--repeat 3]`` (also the
variant "tfidf (no static vectors)"). Training time includes what the model caches on disk (the
encoder's piece table, the distilled vectors) unless that cache is already warm: point
``XDG_CACHE_HOME`` at an empty folder for a cold measurement.
Writes the table to docs/benchmarks.md (section "Models").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from bench_pipeline import cpu_name, replace_section  # noqa: E402

#: Named variants: (architecture, constructor parameters).
VARIANTS = {"tfidf (no static vectors)": ("tfidf", {"static_weight": 0.0})}


def child(arch: str, repeat: int) -> None:
    import pandas as pd

    from laborlens.config import get_settings
    from laborlens.models.data import read_labels
    from laborlens.models.registry import get_arch
    from laborlens.sources import onet
    from laborlens.sources.fetch import fetch

    settings = get_settings(offline=True)
    labels = read_labels(fetch("gpts_full_labelset", settings))
    name = arch
    arch, params = VARIANTS.get(arch, (arch, {}))
    if arch == "minilm-ft":
        labels = labels[labels["group"].isin(labels["group"].unique()[:50])]
        params = {"epochs": 1}
    started = time.perf_counter()
    model = get_arch(arch)(**params).fit(
        labels[["task", "title"]], labels["label"], groups=labels["group"]
    )
    fit_seconds = time.perf_counter() - started
    tasks = onet.read_task_statements(fetch("onet_task_statements", settings))
    titles = onet.read_occupations(fetch("onet_occupation_data", settings))
    frame = tasks.merge(titles, on="onet_soc_code")[["task", "title"]]
    if arch in ("minilm", "minilm-ft"):
        frame = frame.head(3000)  # encoder speed is flat in n; keep the run short
    frame = pd.DataFrame({"task": frame["task"].tolist(), "title": frame["title"].tolist()})
    model.predict_proba(frame.head(64))  # warm-up: lazy loads, thread pools
    rates = []
    for _ in range(repeat):
        t = time.perf_counter()
        model.predict_proba(frame)
        rates.append(len(frame) / (time.perf_counter() - t))
    single = []
    for row in range(20):
        t = time.perf_counter()
        model.predict_proba(frame.iloc[row : row + 1])
        single.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "arch": name,
                "fit_seconds": fit_seconds,
                "n_train": len(labels),
                "tasks_per_second": sorted(rates)[len(rates) // 2],
                "single_ms": 1000 * sorted(single)[len(single) // 2],
                "n_scored": len(frame),
                "peak_mib": peak,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archs", default="tfidf,cnn,minilm,minilm-ft")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    opts = parser.parse_args()
    if opts.child:
        child(opts.child, opts.repeat)
        return
    env = {**os.environ, "LABORLENS_OFFLINE": "1"}
    env.setdefault("LABORLENS_MIRROR", str(REPO.parent / "shared" / "data"))
    rows = []
    for arch in opts.archs.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", arch, "--repeat", str(opts.repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            msg = f"{arch} failed:\n{proc.stderr[-3000:]}"
            raise SystemExit(msg)
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    base = next((r["tasks_per_second"] for r in rows if r["arch"] == "tfidf"), None)
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu_name()}), Python {platform.python_version()}; "
        f"throughput is the median of {opts.repeat} passes over the scored tasks in one batch "
        "call (internally batched), after a warm-up.",
        "",
        "| arch | trained on (tasks) | training time (s) | tasks scored | tasks / s | "
        "one task (ms) | peak RSS (MiB) | speed ÷ tfidf |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r['tasks_per_second'] / base:.2f}" if base else "–"
        lines.append(
            f"| `{r['arch']}` | {r['n_train']:,} | {r['fit_seconds']:.0f} | {r['n_scored']:,} | "
            f"{r['tasks_per_second']:,.0f} | {r['single_ms']:.1f} | {r['peak_mib']:.0f} | "
            f"{ratio} |"
        )
    table = "\n".join(lines)
    print(table)
    if not opts.no_write:
        replace_section("models", "Models (`bench/bench_models.py`)", table)


if __name__ == "__main__":
    main()
