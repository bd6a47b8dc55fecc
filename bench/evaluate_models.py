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
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "models.md"
RESULTS = REPO / "docs" / "model_cv_results.json"
METRICS = ["accuracy", "macro_f1", "kappa", "kappa_quadratic", "auc_ovr", "ece", "occupation_r"]
OOF_DIR = Path("/tmp/laborlens_oof")
MAJOR_GROUPS = {
    "11": "Management", "13": "Business and financial operations",
    "15": "Computer and mathematical", "17": "Architecture and engineering",
    "19": "Life, physical, and social science", "21": "Community and social service",
    "23": "Legal", "25": "Educational instruction and library",
    "27": "Arts, design, entertainment, sports, and media",
    "29": "Healthcare practitioners and technical", "31": "Healthcare support",
    "33": "Protective service", "35": "Food preparation and serving related",
    "37": "Building and grounds cleaning and maintenance", "39": "Personal care and service",
    "41": "Sales and related", "43": "Office and administrative support",
    "45": "Farming, fishing, and forestry", "47": "Construction and extraction",
    "49": "Installation, maintenance, and repair", "51": "Production",
    "53": "Transportation and material moving",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archs", default="tfidf,cnn,minilm")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--target", default="exposure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--params", default="{}", help="JSON constructor parameters")
    parser.add_argument("--name", help="Row name [default: the arch]")
    parser.add_argument(
        "--render-only", action="store_true", help="Rewrite the docs table from the JSON only"
    )
    opts = parser.parse_args()
    if opts.render_only:
        write_doc(json.loads(RESULTS.read_text()), opts.target)
        return

    from laborlens.config import get_settings
    from laborlens.models.data import read_labels
    from laborlens.models.default import LABEL_SOURCES
    from laborlens.models.evaluate import cross_validate
    from laborlens.sources.fetch import fetch

    settings = get_settings(
        offline=True,
        mirror=os.environ.get("LABORLENS_MIRROR", str(REPO.parent / "shared" / "data")),
    )
    frame = read_labels(fetch(LABEL_SOURCES[opts.target], settings), opts.target)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for arch in opts.archs.split(","):
        started = time.perf_counter()
        params = json.loads(opts.params)
        cv = cross_validate(
            frame,
            arch=arch,
            target=opts.target,
            folds=opts.folds,
            random_state=opts.seed,
            params=params,
        )
        key = f"{opts.target}/{opts.name or arch}"
        OOF_DIR.mkdir(exist_ok=True)
        import numpy as np

        np.save(OOF_DIR / f"{opts.target}-{opts.name or arch}.npy", cv.proba)
        results[key] = {
            "arch": arch,
            "params": params,
            "metrics": cv.metrics,
            "intervals_95": cv.intervals,
            "untitled_metrics": cv.untitled_metrics,
            "comparison": cv.comparison,
            "fit_seconds_per_fold": sum(cv.fit_seconds) / len(cv.fit_seconds),
            "wall_seconds": time.perf_counter() - started,
            "folds": opts.folds,
            "seed": opts.seed,
            "n": len(frame),
            "fold_kappa": [m["kappa"] for m in cv.fold_metrics],
            "fold_metrics": cv.fold_metrics,
            "by_major_group": cv.by_major_group.to_dict(orient="records"),
        }
        if opts.target == "automation":
            results[key]["human_subset"] = human_automation_agreement(frame, cv, settings)
        print(key, json.dumps({k: round(v, 3) for k, v in cv.metrics.items()}), flush=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    print(render(results, opts.target), file=sys.stderr)
    write_doc(results, opts.target)


def write_doc(results: dict, target: str) -> None:
    """The exposure CV table and the default's per-major-group table into docs/models.md."""
    if target != "exposure":
        return
    sys.path.insert(0, str(REPO / "bench"))
    from bench_pipeline import replace_marked

    body = render(results, target)
    key = f"{target}/tfidf"
    if key in results and results[key].get("by_major_group"):
        body += (
            "\n\nPer SOC major group, out-of-fold `tfidf` (the default); a low κ in a group "
            "with few exposed tasks can still come with high accuracy:\n\n"
            + render_groups(results, key)
        )
    replace_marked(DOC, "cv:exposure", body)


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
    """The Markdown table of every architecture for ``target``, GPT-4 labels first: κ, macro-F1
    and occupation r with 95 % occupation-bootstrap intervals, then the rest."""
    rows = {
        k.split("/", 1)[1]: v
        for k, v in results.items()
        if k.startswith(f"{target}/") and "metrics" in v
    }
    classes = ("E0", "E1", "E2") if target == "exposure" else ("T0", "T1", "T2", "T3", "T4")
    rest = ["kappa_quadratic", "accuracy", "auc_ovr", "ece"] + [f"recall_{c}" for c in classes]
    head = (
        "| model | κ [95 % CI] | macro-F1 [95 % CI] | occupation r [95 % CI] | "
        + " | ".join(rest)
        + " | fold κ mean (min–max) | train s/fold |"
    )
    lines = [head, "|---" * (len(rest) + 6) + "|"]

    def cell(m: dict, ci: dict | None, name: str) -> str:
        if name not in m:
            return "–"
        v = m[name]
        if ci and name in ci:
            return f"{v:.3f} [{ci[name][0]:.3f}, {ci[name][1]:.3f}]"
        return f"{v:.3f}"

    first = next(iter(rows.values()), None)
    if first and first["comparison"]:
        c = first["comparison"]
        lines.append(
            "| GPT-4 labels (Eloundou et al.) | "
            + " | ".join(cell(c, None, x) for x in ("kappa", "macro_f1", "occupation_r", *rest))
            + " | – | – |"
        )
    for arch, r in rows.items():
        m, ci, fk = r["metrics"], r.get("intervals_95"), r["fold_kappa"]
        lines.append(
            f"| `{arch}` | "
            + " | ".join(cell(m, ci, x) for x in ("kappa", "macro_f1", "occupation_r", *rest))
            + f" | {sum(fk) / len(fk):.3f} ({min(fk):.3f}–{max(fk):.3f})"
            + f" | {r['fit_seconds_per_fold']:.0f} |"
        )
    return "\n".join(lines)


def render_groups(results: dict, key: str) -> str:
    """Per-SOC-major-group agreement of one cross-validated model."""
    groups = results[key].get("by_major_group") or []
    lines = [
        "| SOC major group | tasks | κ | quadratic κ | accuracy |",
        "|---|---:|---:|---:|---:|",
    ]
    for g in groups:
        lines.append(
            f"| {g['major_group']} {MAJOR_GROUPS.get(g['major_group'], '')} | {g['tasks']:,} | "
            f"{g['kappa']:.3f} | "
            f"{g['kappa_quadratic']:.3f} | {g['accuracy']:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
