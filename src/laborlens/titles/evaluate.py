"""Accuracy of the title coder on a labelled title file (top-k at 8, 6 and 2 digits)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LaborlensError
from laborlens.titles.coder import TitleCoder

LEVELS = {"O*NET-SOC (8-digit)": 10, "SOC 2018 (6-digit)": 7, "major group (2-digit)": 2}


def read_labelled_titles(path: str | Path) -> pd.DataFrame:
    """A CSV with ``title`` and ``onet_soc_code`` columns (as ``tests/data/job_titles.csv``)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"title", "onet_soc_code"} - set(frame.columns)
    if missing:
        msg = f"{path}: missing column(s) {', '.join(sorted(missing))}"
        raise LaborlensError(msg)
    return frame


def evaluate_titles(
    coder: TitleCoder, labelled: pd.DataFrame, *, min_probability: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accuracy table: level × top-1/top-3, per-title predictions). Abstentions count as
    misses; the table's ``abstained`` column gives their share."""
    coded = coder.code(labelled["title"].tolist(), top=3, min_probability=min_probability)
    coded["row"] = _rows(coded, labelled)
    truth = labelled["onet_soc_code"].to_numpy()
    rows = []
    for level, width in LEVELS.items():
        hit1 = np.zeros(len(labelled), bool)
        hit3 = np.zeros(len(labelled), bool)
        for r, g in coded.groupby("row"):
            codes = g["onet_soc_code"].dropna().astype(str).str[:width].tolist()
            want = truth[r][:width]
            hit1[r] = bool(codes) and codes[0] == want
            hit3[r] = want in codes[:3]
        rows.append({"level": level, "top1": hit1.mean(), "top3": hit3.mean()})
    table = pd.DataFrame(rows)
    abstained = coded.groupby("row")["onet_soc_code"].apply(lambda s: s.isna().all())
    table["abstained"] = float(abstained.mean())
    table["n"] = len(labelled)
    top1 = coded[coded["rank"].isna() | (coded["rank"] == 1)].set_index("row")
    predictions = labelled.assign(
        predicted=top1["onet_soc_code"].to_numpy(), probability=top1["probability"].to_numpy()
    )
    return table, predictions


def _rows(coded: pd.DataFrame, labelled: pd.DataFrame) -> np.ndarray:
    """Input row of each output row: a title's rows start at rank 1 (or its abstention row)."""
    sizes = coded.groupby((coded["rank"].isna() | (coded["rank"] == 1)).cumsum()).size()
    return np.repeat(np.arange(len(labelled)), sizes.to_numpy())
