"""Agreement on plain cases: statements whose rating nobody would dispute.

``tests/data/plain_cases.tsv`` holds statements written for this check (never in any training
set): text-only work an LLM plainly speeds up (expected E1) and physical work it plainly does
not (expected E0), each with an occupation title that may be given or withheld.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.models.base import ExposureModel
from laborlens.models.data import read_delimited


def read_plain_cases(path: str | Path) -> pd.DataFrame:
    """The plain-case table: case_id, expected (E0 or E1), title, task."""
    frame = read_delimited(path)
    missing = [c for c in ("case_id", "expected", "title", "task") if c not in frame.columns]
    if missing:
        raise LayoutError(path, f"missing column(s) {', '.join(missing)}", row=1)
    bad = ~frame["expected"].isin(["E0", "E1"])
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        msg = f"expected E0 or E1, found {frame['expected'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="expected")
    return frame


def plain_case_agreement(model: ExposureModel, cases: pd.DataFrame) -> dict:
    """Share of cases rated as expected, with and without their titles: ``strict`` (the exact
    label) and ``exposed`` (E1 or E2 for an expected E1, E0 for an expected E0); the misses."""
    out: dict = {"n": len(cases)}
    for mode in ("with_title", "without_title"):
        X = pd.DataFrame({"task": cases["task"].to_numpy()})
        X["title"] = cases["title"].to_numpy() if mode == "with_title" else ""
        pred = model.predict(X)
        expected = cases["expected"].to_numpy()
        strict = pred == expected
        exposed = (pred != "E0") == (expected != "E0")
        out[mode] = {
            "strict": float(strict.mean()),
            "exposed": float(exposed.mean()),
            "misses": [
                {"case_id": c, "expected": e, "rated": p}
                for c, e, p, ok in zip(cases["case_id"], expected, pred, strict, strict=True)
                if not ok
            ],
        }
    return out
