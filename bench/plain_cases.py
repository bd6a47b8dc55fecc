"""Plain-case agreement of exposure models (tests/data/plain_cases.tsv), with and without titles.

Usage: ``python bench/plain_cases.py [--model DIR ...]``; without ``--model`` the default
exposure model (trained from the mirror on first use) is rated. Results go into
docs/model_cv_results.json under ``plain_cases/<arch>``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "docs" / "model_cv_results.json"
CASES = REPO / "tests" / "data" / "plain_cases.tsv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--name", action="append", default=[])
    opts = parser.parse_args()

    from laborlens.config import get_settings
    from laborlens.models.base import ExposureModel
    from laborlens.models.default import ensure_default_model
    from laborlens.models.plain import plain_case_agreement, read_plain_cases

    cases = read_plain_cases(CASES)
    if opts.model:
        models = [ExposureModel.load(d) for d in opts.model]
    else:
        settings = get_settings(
        offline=True,
        mirror=os.environ.get("LABORLENS_MIRROR", str(REPO.parent / "shared" / "data")),
    )
        models = [ensure_default_model(settings, "exposure")]
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for i, model in enumerate(models):
        name = opts.name[i] if i < len(opts.name) else model.arch
        agreement = plain_case_agreement(model, cases)
        results[f"plain_cases/{name}"] = agreement
        for mode in ("with_title", "without_title"):
            a = agreement[mode]
            print(f"{name} {mode}: strict {a['strict']:.3f} exposed {a['exposed']:.3f}", flush=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    write_doc(results)


def write_doc(results: dict) -> None:
    """The agreement table into docs/models.md (between the plain-cases markers)."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from bench_pipeline import replace_marked

    lines = [
        "| model | strict, with title | strict, no title | exposed-or-not, with title | "
        "exposed-or-not, no title |",
        "|---|---:|---:|---:|---:|",
    ]
    n = None
    for key, r in results.items():
        if not key.startswith("plain_cases/"):
            continue
        n = r["n"]
        w, wo = r["with_title"], r["without_title"]
        lines.append(
            f"| `{key.split('/', 1)[1]}` | {w['strict']:.1%} | {wo['strict']:.1%} | "
            f"{w['exposed']:.1%} | {wo['exposed']:.1%} |"
        )
    lines.append("")
    lines.append(f"{n} plain cases. Misses (case id → rating) are listed in model_cv_results.json.")
    replace_marked(REPO / "docs" / "models.md", "plain-cases", "\n".join(lines))


if __name__ == "__main__":
    main()
