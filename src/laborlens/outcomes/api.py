"""Reading the outcomes tables back: what the CLI, the report and the service call."""

from __future__ import annotations

import pandas as pd

from laborlens.config import Settings
from laborlens.db.connection import connect, query, table_names
from laborlens.exceptions import ConfigError, DatabaseError
from laborlens.measures.core import MEASURE_NAMES
from laborlens.outcomes import trends as _trends

PANEL_COLUMNS = [
    "soc_2018_code",
    "title",
    "year",
    "employment",
    "mean_wage",
    "median_wage",
    "rule",
    "sources",
    "share_year",
]
TREND_COLUMNS = [
    "measure",
    "group",
    "year",
    "employment",
    "employment_index",
    "median_wage_index",
    "n_occupations",
]


def _read(settings: Settings, *names: str) -> list[pd.DataFrame]:
    with connect(settings.db_path) as con:
        have = set(table_names(con))
        missing = [n for n in names if n not in have]
        if missing:
            msg = (
                f"The database {settings.db_path} lacks {', '.join(missing)}. Rebuild it with "
                "`laborlens build` (the outcomes step)."
            )
            raise DatabaseError(msg)
        return [query(con, f'SELECT * FROM "{n}"') for n in names]


def panel(settings: Settings) -> pd.DataFrame:
    """The harmonized OEWS panel (one row per SOC 2018 code and year)."""
    (frame,) = _read(settings, "outcomes_panel")
    return frame[PANEL_COLUMNS].sort_values(["soc_2018_code", "year"]).reset_index(drop=True)


def panel_coverage(settings: Settings) -> pd.DataFrame:
    (frame,) = _read(settings, "outcomes_panel_coverage")
    return frame


def check_measure(measure: str) -> str:
    if measure not in MEASURE_NAMES:
        msg = f"unknown measure {measure!r}; expected one of {', '.join(MEASURE_NAMES)}"
        raise ConfigError(msg)
    return measure


def trends(
    settings: Settings, measure: str, groups: int = 5, n_draws: int = _trends.N_DRAWS
) -> tuple[pd.DataFrame, dict]:
    """Trends of one measure and its summary ``{statistic: {estimate, ci_low, ci_high, n}}``.

    Quintiles (``groups=5``) come from the stored tables; other group counts are computed from
    the stored panel and measures (about a second)."""
    check_measure(measure)
    if groups == 5:
        tr, summary = _read(settings, "outcomes_trends", "outcomes_summary")
        tr = tr[tr["measure"] == measure]
        if tr.empty:
            msg = f"measure {measure!r} has no values in this database (built without models?)"
            raise DatabaseError(msg)
        return tr[TREND_COLUMNS].reset_index(drop=True), _trends.summary_json(summary, measure)
    p, measures = _read(settings, "outcomes_panel", "measures_soc2018")
    if measures[measure].notna().sum() == 0:
        msg = f"measure {measure!r} has no values in this database (built without models?)"
        raise DatabaseError(msg)
    tr, summary = _trends.analyse(p, measures, [measure], groups=groups, n_draws=n_draws)
    return tr[TREND_COLUMNS], _trends.summary_json(summary, measure)


def dissimilarity(settings: Settings) -> pd.DataFrame:
    (frame,) = _read(settings, "outcomes_dissimilarity")
    return frame


def postings(settings: Settings) -> dict[str, pd.DataFrame]:
    """sector_postings, postings_slopes and ai_share tables."""
    names = ("outcomes_sector_postings", "outcomes_postings_slopes", "outcomes_ai_share")
    frames = _read(settings, *names)
    return {n.removeprefix("outcomes_"): f for n, f in zip(names, frames, strict=True)}


def demographics(settings: Settings) -> pd.DataFrame:
    (frame,) = _read(settings, "outcomes_demographics")
    return frame
