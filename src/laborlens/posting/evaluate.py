"""Score the posting coder on a labelled posting set (``tests/data/postings_eval.jsonl``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import PostingInputError

REQUIRED = ("id", "title", "description", "soc_2018_code")


def read_eval(path: str | Path, split: str | None = None) -> pd.DataFrame:
    """The labelled postings (JSON lines), optionally one split (``dev`` / ``heldout``)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                msg = f"{path}: line {n}: not JSON ({exc.msg})"
                raise PostingInputError(msg) from exc
            missing = [k for k in REQUIRED if not row.get(k)]
            if missing:
                msg = f"{path}: line {n}: missing field(s) {', '.join(missing)}"
                raise PostingInputError(msg)
            rows.append(row)
    frame = pd.DataFrame(rows)
    if split is not None:
        frame = frame[frame["split"] == split].reset_index(drop=True)
    return frame


def evaluate(coder, frame: pd.DataFrame, bins: int = 5) -> tuple[dict, pd.DataFrame]:
    """(top-1 / top-3 at 6-digit SOC 2018, abstention-free; calibration), per-posting rows."""
    idx, probs = coder.proba(frame["title"].tolist(), frame["description"].tolist())
    out = []
    for (_, row), j, p in zip(frame.iterrows(), idx, probs, strict=True):
        soc = [coder.soc[k] for k in j]
        # probabilities summed to 6-digit SOC (several O*NET-SOC codes share one SOC code)
        by_soc: dict[str, float] = {}
        for s, pk in zip(soc, p, strict=True):
            by_soc[s] = by_soc.get(s, 0.0) + float(pk)
        ranked = sorted(by_soc.items(), key=lambda kv: -kv[1])
        top = [s for s, _ in ranked]
        out.append(
            {
                "id": row["id"],
                "truth": row["soc_2018_code"],
                "predicted": top[0],
                "predicted_title": coder.names[j[0]],
                "probability": ranked[0][1],
                "top1": top[0] == row["soc_2018_code"],
                "top3": row["soc_2018_code"] in top[:3],
            }
        )
    rows = pd.DataFrame(out)
    conf, corr = rows["probability"].to_numpy(), rows["top1"].to_numpy(float)
    b = np.minimum((conf * bins).astype(int), bins - 1)
    table = [
        {
            "bin": f"{k / bins:.1f}-{(k + 1) / bins:.1f}",
            "postings": int((b == k).sum()),
            "mean_probability": float(conf[b == k].mean()),
            "accuracy": float(corr[b == k].mean()),
        }
        for k in range(bins)
        if (b == k).any()
    ]
    ece = sum(abs(t["mean_probability"] - t["accuracy"]) * t["postings"] for t in table) / len(
        rows
    )
    metrics = {
        "postings": len(rows),
        "top1": float(rows["top1"].mean()),
        "top3": float(rows["top3"].mean()),
        "mean_top_probability": float(conf.mean()),
        "ece": float(ece),
        "calibration": table,
    }
    return metrics, rows
