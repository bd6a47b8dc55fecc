"""Cross-validate every exposure architecture and write the table of docs/models.md.

Same 5 occupation-grouped folds (GroupKFold, shuffled, seed 0) for every architecture, on
``gpts-are-gpts/full_labelset.tsv`` (human labels as truth); the GPT-4 labels of the same file
are scored against the same truth. Usage:
``python bench/evaluate_models.py [--archs tfidf,cnn,minilm] [--folds 5] [--target exposure]``.
Each row is also ``laborlens exposure evaluate --labels FILE --folds 5 --arch ARCH``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "models.md"
RESULTS = REPO / "docs" / "model_cv_results.json"
METRICS = ["accuracy", "macro_f1", "kappa", "auc_ovr", "ece", "occupation_r"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archs", default="tfidf,cnn,minilm")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--target", default="exposure")
    parser.add_argument("--seed", type=int, default=0)
    opts = parser.parse_args()

    from laborlens.config import get_settings
    from laborlens.models.data import read_labels
    from laborlens.models.default import LABEL_SOURCES
    from laborlens.models.evaluate import cross_validate
    from laborlens.sources.fetch import fetch

    settings = get_settings(offline=True, mirror=str(REPO.parent / "shared" / "data"))
    frame = read_labels(fetch(LABEL_SOURCES[opts.target], settings), opts.target)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for arch in opts.archs.split(","):
        started = time.perf_counter()
        cv = cross_validate(
            frame, arch=arch, target=opts.target, folds=opts.folds, random_state=opts.seed
        )
        key = f"{opts.target}/{arch}"
        results[key] = {
            "metrics": cv.metrics,
            "comparison": cv.comparison,
            "fit_seconds_per_fold": sum(cv.fit_seconds) / len(cv.fit_seconds),
            "wall_seconds": time.perf_counter() - started,
            "folds": opts.folds,
            "seed": opts.seed,
            "n": len(frame),
            "fold_kappa": [m["kappa"] for m in cv.fold_metrics],
        }
        if opts.target == "automation":
            results[key]["human_subset"] = human_automation_agreement(frame, cv, settings)
        print(key, json.dumps({k: round(v, 3) for k, v in cv.metrics.items()}), flush=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    print(render(results, opts.target), file=sys.stderr)


def human_automation_agreement(frame, cv, settings) -> dict:
    """Out-of-fold predictions and GPT-4's labels against the 100 human T labels.

    The model never saw these tasks' occupations when predicting them (grouped folds), but it
    learned GPT-4's labels, so this checks whether it inherits GPT-4's judgement or its errors.
    """
    import numpy as np
    from sklearn.metrics import accuracy_score, cohen_kappa_score

    from laborlens.models.data import read_delimited
    from laborlens.models.default import LABEL_SOURCES
    from laborlens.sources.fetch import fetch

    raw = read_delimited(fetch(LABEL_SOURCES["automation"], settings))
    human = raw["human_automation"].str.strip().to_numpy()
    mask = human != ""
    level = {f"T{i}": i for i in range(5)}
    truth = np.array([level[h] for h in human[mask]])
    expected = cv.proba[mask] @ np.arange(5)
    out = {"n": int(mask.sum())}
    for name, pred in (
        ("model", cv.pred[mask]),
        ("gpt4", np.array([level[g] for g in frame["label"].to_numpy()[mask]])),
    ):
        out[name] = {
            "accuracy": accuracy_score(truth, pred),
            "kappa_quadratic": cohen_kappa_score(truth, pred, weights="quadratic"),
            "mae_levels": float(np.abs(truth - pred).mean()),
        }
    out["model"]["mae_expected_level"] = float(np.abs(truth - expected).mean())
    return out


def render(results: dict, target: str) -> str:
    """The Markdown table of every architecture for ``target``, GPT-4 labels first."""
    rows = {k.split("/", 1)[1]: v for k, v in results.items() if k.startswith(f"{target}/")}
    extra = [
        f"recall_{c}"
        for c in (("E0", "E1", "E2") if target == "exposure" else ("T0", "T1", "T2", "T3", "T4"))
    ]
    cols = METRICS + extra
    head = "| model | " + " | ".join(cols) + " | fold κ (min–max) | train s/fold |"
    lines = [head, "|---" * (len(cols) + 3) + "|"]
    first = next(iter(rows.values()), None)
    if first and first["comparison"]:
        c = first["comparison"]
        lines.append(
            "| GPT-4 labels (Eloundou et al.) | "
            + " | ".join(f"{c.get(m, float('nan')):.3f}" for m in cols)
            + " | – | – |"
        )
    for arch, r in rows.items():
        m = r["metrics"]
        fk = r["fold_kappa"]
        lines.append(
            f"| `{arch}` | "
            + " | ".join(f"{m.get(x, float('nan')):.3f}" for x in cols)
            + f" | {min(fk):.3f}–{max(fk):.3f} | {r['fit_seconds_per_fold']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
