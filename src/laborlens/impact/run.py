"""Run the impact engine: headline tables with intervals, sensitivity grid, reproduction table."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from laborlens.exceptions import ConfigError, DatabaseError
from laborlens.exposure.rubric import LABEL_SOURCES, MEASURES, WEIGHTINGS
from laborlens.impact.aggregate import (
    HEADLINE_THRESHOLDS,
    TOLERANCE,
    build_units,
    evaluate,
    national_specs,
    occupation_scores,
    summarise,
    task_arrays,
)
from laborlens.impact.bootstrap import occupation_draws
from laborlens.impact.choices import LINKS, PAPER_HEADLINE, SOURCES, VINTAGES, Choices
from laborlens.impact.data import ImpactData
from laborlens.impact.geography import area_specs


@dataclass
class ImpactResult:
    """Tables keyed by name (each carries its choices as columns) and timings in seconds."""

    choices: Choices
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    n_draws: int = 0

    def headline(self) -> pd.Series:
        """The all-workers row."""
        return self.tables["all_workers"].iloc[0]


def _arrays(data: ImpactData, choices: Choices):
    if choices.source not in data.tasks:
        msg = (
            f"source {choices.source!r} has no task scores in this database (built without "
            "models?); rebuild with `laborlens build --models` or use human or gpt4"
        )
        raise ConfigError(msg)
    return task_arrays(
        data.tasks[choices.source], choices.weighting, probabilistic=choices.source == "model"
    )


def thresholds_for(choices: Choices) -> tuple[float, ...]:
    return tuple(sorted({*HEADLINE_THRESHOLDS, float(choices.threshold)}))


def compute_impact(
    data: ImpactData,
    choices: Choices | None = None,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    geography: bool = True,
) -> ImpactResult:
    """Every aggregate for one choice set, with percentile bootstrap intervals (``n_draws`` = 0:
    point estimates only)."""
    choices = choices or Choices()
    t0 = time.perf_counter()
    result = ImpactResult(choices, n_draws=n_draws)
    ta = _arrays(data, choices)
    units = build_units(data, choices, ta.occ_codes)
    occ_s, occ_h = occupation_scores(ta, choices.measure)
    unit_s, unit_h = units.scores(occ_s, occ_h)
    specs = national_specs(data, choices, units)
    if geography and choices.link == "crosswalk":
        specs += area_specs(data, units)
    result.seconds["setup"] = time.perf_counter() - t0
    draws_s = draws_h = None
    if n_draws:
        t1 = time.perf_counter()
        d_s, d_h = occupation_draws(ta, choices.measure, n_draws, seed)
        draws_s, draws_h = units.scores(d_s, d_h)
        result.seconds["draws"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    thresholds = thresholds_for(choices)
    for spec in specs:
        point = evaluate(spec, unit_s, unit_h, thresholds)
        draws = evaluate(spec, draws_s, draws_h, thresholds) if n_draws else None
        result.tables[spec.name] = summarise(spec, point, draws, unit_h, choices)
    occ = units.frame[
        [
            "unit_id",
            "soc_code",
            "title",
            "employment",
            "annual_wage",
            "a_median",
            "job_zone",
            "soc_major_code",
        ]
    ].copy()
    occ["score"] = np.where(unit_h[0], unit_s[0], np.nan)
    occ["n_onet_occupations"] = units.link @ occ_h[0].astype("float64")
    for k, v in choices.as_columns().items():
        occ[k] = v
    result.tables["units"] = occ
    result.seconds["aggregates"] = time.perf_counter() - t2
    result.seconds["total"] = time.perf_counter() - t0
    return result


def sensitivity(
    data: ImpactData,
    *,
    sources: tuple[str, ...] = SOURCES,
    weightings: tuple[str, ...] = WEIGHTINGS,
    measures: tuple[str, ...] = MEASURES,
    vintages: tuple[int, ...] = VINTAGES,
    links: tuple[str, ...] = LINKS,
) -> pd.DataFrame:
    """Headline point estimates for every combination of choices (threshold columns 10 %/50 %)."""
    rows = []
    for source in sources:
        if source not in data.tasks:
            continue
        arrays = {w: _arrays(data, Choices(source=source, weighting=w)) for w in weightings}
        codes = next(iter(arrays.values())).occ_codes  # the same occupations under any weighting
        for vintage, link in itertools.product(vintages, links):
            where = Choices(vintage=vintage, link=link)
            units = build_units(data, where, codes)
            spec = national_specs(data, where, units)[0]
            for weighting, measure in itertools.product(weightings, measures):
                s, h = units.scores(*occupation_scores(arrays[weighting], measure))
                stats = evaluate(spec, s, h, HEADLINE_THRESHOLDS)
                covered = float(stats["_covered"][0, 0])
                rows.append(
                    {
                        "source": source,
                        "weighting": weighting,
                        "measure": measure,
                        "vintage": vintage,
                        "link": link,
                        "share_ge_0.1": float(stats["share_ge_0.1"][0, 0]),
                        "share_ge_0.5": float(stats["share_ge_0.5"][0, 0]),
                        "mean_exposure": float(stats["mean_exposure"][0, 0]),
                        "employment_covered": covered,
                        "employment_share_covered": covered / float(spec.total[0]),
                    }
                )
    return pd.DataFrame(rows)


def reproduction(grid: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity grid ranked by distance to the paper's 80 % / 19 % (label sources and
    OEWS May 2021 only: the paper's inputs), with the residuals."""
    g = grid[grid["source"].isin(LABEL_SOURCES) & (grid["vintage"] == 2021)].copy()
    g["paper_share_ge_0.1"] = PAPER_HEADLINE[0.1]
    g["paper_share_ge_0.5"] = PAPER_HEADLINE[0.5]
    g["residual_0.5"] = g["share_ge_0.5"] - PAPER_HEADLINE[0.5]
    g["residual_0.1"] = g["share_ge_0.1"] - PAPER_HEADLINE[0.1]
    g["distance"] = g["residual_0.5"].abs() + g["residual_0.1"].abs()
    return g.sort_values("distance", ignore_index=True)


def published_headline(data: ImpactData) -> pd.DataFrame:
    """The headline shares straight from the published files: occ_level.csv scores joined to the
    paper's title match, each matched O*NET occupation weighted by its OEWS May 2021 row."""
    occ = data.published
    if occ is None:
        msg = "The database lacks published_occupation_exposure. Rebuild it with `laborlens build`."
        raise DatabaseError(msg)
    m = data.paper_match.dropna(subset=["onet_soc_code", "employment"])
    j = m.merge(occ.drop(columns="title"), on="onet_soc_code", how="inner")
    rows = []
    for who, measure in itertools.product(LABEL_SOURCES, MEASURES):
        col = f"{who}_{measure}"
        for t in HEADLINE_THRESHOLDS:
            # "exact": the comparison as floating-point code does it, where a β of 7/14 stored
            # as 0.49999999999999994 misses 0.5; "tolerant": the engine's comparison
            for rule, tol in (("exact", 0.0), ("tolerant", TOLERANCE)):
                share = j.loc[j[col] >= t - tol, "employment"].sum() / j["employment"].sum()
                rows.append(
                    {
                        "source": who,
                        "measure": measure,
                        "threshold": t,
                        "comparison": rule,
                        "share": share,
                        "occupations": len(j),
                        "employment": j["employment"].sum(),
                    }
                )
    return pd.DataFrame(rows)
