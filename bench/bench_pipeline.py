"""Benchmark the main job: cold and warm `laborlens build` and `laborlens report`.

Each case runs the real CLI in a fresh process over the data mirror, a few times; the table gives
the median wall time and the peak resident memory of that process (from wait4), and ratios
measured in the same run. Usage: ``python bench/bench_pipeline.py [--repeat N]``.
Writes the table to docs/benchmarks.md (section "Pipeline").
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run the CLI once; return (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "laborlens", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        msg = f"laborlens {' '.join(args)} failed: {proc.stderr.read().decode()}"
        raise SystemExit(msg)
    return seconds, usage.ru_maxrss / 1024


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    opts = parser.parse_args()
    mirror = os.environ.get("LABORLENS_MIRROR") or str(REPO.parent / "shared" / "data")
    work = Path(tempfile.mkdtemp(prefix="ll-bench-"))
    env = {
        **os.environ,
        "LABORLENS_MIRROR": mirror,
        "LABORLENS_OFFLINE": "1",
        "LABORLENS_CACHE": str(work / "cache"),
    }
    db = work / "bench.duckdb"
    env["LABORLENS_MODELS"] = str(work / "models")
    cases: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("build cold", "build rebuild", "build warm", "report cold", "report warm")
    }
    try:
        for _ in range(opts.repeat):
            shutil.rmtree(work / "models", ignore_errors=True)
            db.unlink(missing_ok=True)
            cases["build cold"].append(run(["build", "--db", str(db)], env))
            db.unlink(missing_ok=True)
            cases["build rebuild"].append(run(["build", "--db", str(db)], env))
            cases["build warm"].append(run(["build", "--db", str(db)], env))
            db.unlink(missing_ok=True)
            shutil.rmtree(work / "out", ignore_errors=True)
            cases["report cold"].append(
                run(["report", "--db", str(db), "--out", str(work / "out")], env)
            )
            cases["report warm"].append(
                run(["report", "--db", str(db), "--out", str(work / "out")], env)
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in cases.items()}
    cold = med["build cold"][0]
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu_name()}), Python {platform.python_version()}; "
        f"median of {opts.repeat} runs, each a fresh `python -m laborlens` process "
        "over the mirror.",
        "",
        "| case | what it does | median wall time (s) | peak RSS (MiB) | time ÷ cold build |",
        "|---|---|---:|---:|---:|",
    ]
    what = {
        "build cold": "nothing yet: verify sources, train the 2 default models, parse, load, "
        "score every O*NET task, derive",
        "build rebuild": "models trained, no database: verify, parse, load, score, derive",
        "build warm": "database up to date: verify sources, skip",
        "report cold": "models trained, no database: build, then tables, charts, HTML",
        "report warm": "database present: tables, charts and HTML only",
    }
    for k, (s, m) in med.items():
        lines.append(f"| `{k}` | {what[k]} | {s:.2f} | {m:.0f} | {s / cold:.2f} |")
    table = "\n".join(lines)
    print(table)
    if not opts.no_write:
        replace_section("pipeline", "Pipeline (`bench/bench_pipeline.py`)", table)


def replace_marked(path: Path, key: str, body: str) -> None:
    """Put ``body`` between the ``<!-- key:begin/end -->`` markers of ``path`` (appended with
    its markers the first time), replacing an earlier run's."""
    begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
    text = path.read_text() if path.exists() else ""
    block = f"{begin}\n{body}\n{end}"
    if begin in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def replace_section(key: str, heading: str, table: str) -> None:
    """Put ``table`` under ``heading`` in docs/benchmarks.md, replacing an earlier run's."""
    DOC.parent.mkdir(exist_ok=True)
    if not DOC.exists():
        DOC.write_text("# Benchmarks\n")
    replace_marked(DOC, key, f"## {heading}\n\n{table}")


if __name__ == "__main__":
    main()
