"""Indeed Hiring Lab AI tracker: the share of job postings that mention AI or GenAI terms."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from laborlens.exceptions import LayoutError
from laborlens.sources.tabular import Col, check_unique, read_table

__all__ = ["read_ai_posting_share"]


def read_ai_posting_share(path: str | Path) -> pd.DataFrame:
    """``AI_posting.csv``: date (datetime64), country (two-letter ``jobcountry``), ai_share
    (percent of that day's postings mentioning AI terms, 7-day average as Indeed publishes it).

    Raises LayoutError on a missing column, a date that is not ``YYYY-MM-DD``, a share outside
    0–100 or a repeated (date, country).
    """
    cols = [
        Col("date", "date"),
        Col("jobcountry", "country"),
        Col("AI_share_postings", "ai_share", "float"),
    ]
    frame = read_table(path, cols)
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        i = int(dates.isna().to_numpy().argmax())
        msg = f"expected a date like 2024-01-31, found {frame['date'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="date")
    bad = ~frame["ai_share"].between(0, 100)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        msg = f"expected a percentage from 0 to 100, found {frame['ai_share'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="AI_share_postings")
    frame["date"] = dates
    return check_unique(frame, ["date", "country"], path)
