"""Choose and measure the career similarity weights (docs/careers.md, "Ranking quality").

1. Each component alone, a random baseline and equal weights, on every query occupation.
2. Repeated two-fold selection: coordinate ascent on NDCG@10 over half the query occupations,
   scored on the other half, both ways, for ``--splits`` random halvings. The shipped weights
   are the median of the per-fold choices (rescaled so the largest is 1).
3. The penalty strengths of the asymmetric transition score: the largest on a grid whose
   NDCG@10 is within 0.01 of no penalty (asymmetry is a normative choice; the reference is
   symmetric, so it can only measure what the penalty costs).

Usage: ``python bench/evaluate_careers.py [--db PATH] [--cache DIR] [--splits 5]``; writes the
tables between the markers in docs/careers.md and docs/careers_eval.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from laborlens.careers import similarity as sim
from laborlens.careers.evaluate import ranking_metrics, relevance, split_evaluation
from laborlens.careers.features import load_features

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "careers.md"
METRICS = ["ndcg@10", "p@10_broad", "map_broad", "p@10_minor"]


def table(rows: dict[str, dict]) -> str:
    frame = pd.DataFrame(rows).T[METRICS]
    lines = ["| similarity | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for name, r in frame.iterrows():
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in r) + " |")
    return "\n".join(lines)


def md(frame: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as a Markdown table (index as the first column)."""
    head = [str(frame.index.name or ""), *map(str, frame.columns)]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for idx, r in frame.iterrows():
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in r]
        lines.append(f"| {idx} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="/work/devdb/laborlens.duckdb")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "laborlens"))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    opts = parser.parse_args()
    started = time.perf_counter()
    with duckdb.connect(opts.db, read_only=True) as con:
        f = load_features(con)
    comps = sim.components(f, sim.text_vectors(f, opts.cache))
    gain = relevance(f)
    rows: dict[str, dict] = {}
    rng = np.random.default_rng(0)
    # Best achievable: the reference itself (p@10_broad is capped by small broad groups).
    rows["oracle (upper bound)"] = ranking_metrics(gain.astype(np.float32), gain)
    rows["random (baseline)"] = ranking_metrics(rng.random(gain.shape).astype(np.float32), gain)
    for name, c in comps.items():
        rows[f"{name} alone"] = ranking_metrics(np.nan_to_num(c), gain)
    rows["equal weights"] = ranking_metrics(sim.combine(comps, dict.fromkeys(comps, 1.0)), gain)

    weights, held_out = split_evaluation(comps, gain, splits=opts.splits)
    chosen = weights[list(comps)].median()
    chosen = (chosen / chosen.max()).round(3).to_dict()
    symmetric = sim.combine(comps, chosen)
    rows["chosen weights (all queries)"] = ranking_metrics(symmetric, gain)

    short, step = sim.level_shortfall(f), sim.zone_step(f)
    grid = []
    for zp in (0.0, 0.01, 0.02, 0.05, 0.1):
        for lp in (0.0, 0.1, 0.25, 0.5, 1.0):
            t = sim.transition(symmetric, short, step, zone_penalty=zp, level_penalty=lp)
            grid.append({"zone_penalty": zp, "level_penalty": lp, **ranking_metrics(t, gain)})
    grid = pd.DataFrame(grid)
    base = grid.loc[(grid.zone_penalty == 0) & (grid.level_penalty == 0), "ndcg@10"].iloc[0]
    ok = grid[grid["ndcg@10"] >= base - 0.01]
    pick = ok.sort_values(["zone_penalty", "level_penalty"], ascending=False).iloc[0]
    transition = sim.transition(
        symmetric,
        short,
        step,
        zone_penalty=float(pick.zone_penalty),
        level_penalty=float(pick.level_penalty),
    )
    rows["transition score (shipped, --objective similarity)"] = ranking_metrics(transition, gain)
    held = held_out[METRICS].agg(["mean", "std"])

    n_q = rows["equal weights"]["queries"]
    n_b = rows["equal weights"]["queries_broad"]
    held_line = ", ".join(
        f"{m} {held.loc['mean', m]:.3f} ± {held.loc['std', m]:.3f}" for m in METRICS
    )
    per_fold = weights.drop(columns=["split", "fold"])
    per_fold.index = [f"{a}/{b}" for a, b in zip(weights["split"], weights["fold"], strict=True)]
    weight_table = md(per_fold.rename_axis("split/fold"))
    grid_table = grid.pivot(index="zone_penalty", columns="level_penalty", values="ndcg@10")
    text = (
        f"Queries: {n_q} occupations with another occupation in their SOC minor group "
        f"({n_b} with one in their broad group); {f.n} occupations ranked.\n\n"
        + table(rows)
        + f"\n\nHeld-out (weights chosen on the other half; {len(held_out)} folds, mean ± sd): "
        + held_line
        + f"\n\nShipped weights (median of the fold choices): `{chosen}`; penalties: zone "
        f"{pick.zone_penalty}, level {pick.level_penalty}.\n\nWeights chosen per fold:\n\n"
        + weight_table
        + "\n\nNDCG@10 of the transition score by penalty (rows zone, columns level):\n\n"
        + md(grid_table.rename_axis("zone \\ level"), 4)
        + f"\n\n({time.perf_counter() - started:.0f} s)\n"
    )
    print(text)
    if opts.no_write:
        return
    (REPO / "docs" / "careers_eval.json").write_text(
        json.dumps(
            {
                "rows": rows,
                "held_out": held_out.to_dict("records"),
                "fold_weights": weights.to_dict("records"),
                "chosen_weights": chosen,
                "penalties": {
                    "zone": float(pick.zone_penalty),
                    "level": float(pick.level_penalty),
                },
            },
            indent=1,
        )
    )
    begin, end = "<!-- careers-eval:begin -->", "<!-- careers-eval:end -->"
    doc = DOC.read_text() if DOC.exists() else f"# Careers\n\n{begin}\n{end}\n"
    head, rest = doc.split(begin, 1)
    DOC.write_text(head + begin + "\n" + text + end + rest.split(end, 1)[1])


if __name__ == "__main__":
    main()
