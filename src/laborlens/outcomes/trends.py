"""Employment and wage trajectories by exposure group, before and after ChatGPT.

For one exposure measure (a column of ``measures_soc2018``) and the harmonized panel:

* **Sample**: SOC 2018 codes with a value of the measure and positive employment in every
  panel year (a balanced panel, so group totals move only with the occupations' employment).
* **Groups**: quantiles *of workers*: occupations sorted by exposure, each placed by the middle
  of its block of May 2022 employment (occupations with the same exposure share one place), so
  each of ``groups`` groups holds about the same number of workers. Group 1 is least exposed.
* **Indices**: group employment and a fixed-weight median-wage index (each occupation's median
  wage relative to May 2022, weighted by its May 2022 employment), base May 2022 = 100: the
  last survey before ChatGPT (November 2022).
* **Growth** (annual log growth, percent a year) of the top and bottom groups before
  (2017→2022) and after (2022→2025); the **difference-in-trends** ``(post_top − post_bottom) −
  (pre_top − pre_bottom)``; a **placebo** with a fake break in May 2019 (2017→2019 against
  2019→2022). Intervals: percentile bootstrap over occupations, resampled within each group.
* **Fixed effects**: the occupation-level change in annual growth (post minus pre) regressed on a
  top-group indicator (top and bottom groups only) with SOC major-group fixed effects, weighted
  by May 2022 employment; one observation per occupation, so heteroskedasticity-robust (HC1)
  errors are errors clustered by occupation. Only major groups that hold both top and bottom
  occupations identify it (often a handful); ``n`` counts their occupations.
* **Slope**: employment-weighted regression of the occupation's post-period growth, and of its
  change in growth, on exposure (per standard deviation of exposure across workers).

OEWS estimates pool three years of survey panels, so a change shows late and smoothed: May
2025 still holds panels from 2022–2023. May 2020 is a pandemic year. Exposure is not job loss.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from laborlens.exceptions import ConfigError

log = logging.getLogger(__name__)

BASE_YEAR = 2022
PRE = (2017, 2022)
POST = (2022, 2025)
PLACEBO = ((2017, 2019), (2019, 2022))
N_DRAWS = 1000
LEVEL = 0.95


def worker_groups(exposure: pd.Series, weight: pd.Series, groups: int) -> pd.Series:
    """Group 1..``groups`` of each occupation: quantiles of workers (weights), ties together."""
    if groups < 2:
        msg = f"groups must be at least 2; got {groups}"
        raise ConfigError(msg)
    frame = pd.DataFrame({"x": exposure, "w": weight}).sort_values("x", kind="stable")
    block = frame.groupby("x", sort=True)["w"].sum()
    cum = block.cumsum()
    mid = (cum - block / 2) / cum.iloc[-1]
    g = np.minimum((mid.to_numpy() * groups).astype(int) + 1, groups)
    return frame["x"].map(pd.Series(g, index=block.index)).reindex(exposure.index).astype(int)


def wide_panel(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Employment and median wage as occupations × years (compute once, pass to sample)."""
    emp = panel.pivot(index="soc_2018_code", columns="year", values="employment")
    wage = panel.pivot(index="soc_2018_code", columns="year", values="median_wage")
    return emp, wage.reindex_like(emp)


def sample(
    panel: pd.DataFrame,
    scores: pd.Series,
    groups: int = 5,
    wide: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Balanced sample for one measure: occupations × (exposure, group, major, employment per
    year as columns ``e<year>``, median wage per year as ``w<year>``). ``wide`` is
    :func:`wide_panel` of ``panel`` when the caller already has it."""
    emp, wage = wide if wide is not None else wide_panel(panel)
    years = [int(y) for y in emp.columns]
    if BASE_YEAR not in years:
        msg = f"the panel has no May {BASE_YEAR}, the base year"
        raise ConfigError(msg)
    scores = scores.dropna()
    ok = emp.index.isin(scores.index) & (emp.fillna(0) > 0).all(axis=1).to_numpy()
    e, w = emp[ok], wage[ok]
    out = pd.DataFrame(index=e.index)
    out["exposure"] = scores.reindex(e.index)
    out["group"] = worker_groups(out["exposure"], e[BASE_YEAR], groups)
    out["major"] = e.index.str[:2]
    cols = {f"e{y}": e[y] for y in years} | {f"w{y}": w[y] for y in years}
    out = pd.concat([out, pd.DataFrame(cols)], axis=1)
    out.attrs["years"] = years
    return out


def group_trends(s: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Per group and year: employment, employment_index, median_wage_index, n_occupations."""
    years = s.attrs["years"]
    b = years.index(BASE_YEAR)
    e = s[[f"e{y}" for y in years]].to_numpy(dtype=float)
    w = s[[f"w{y}" for y in years]].to_numpy(dtype=float)
    labels, g = np.unique(s["group"].to_numpy(), return_inverse=True)
    onehot = np.zeros((len(labels), len(s)))
    onehot[g, np.arange(len(s))] = 1.0
    emp = onehot @ e  # groups × years
    ok = ~np.isnan(w) & ~np.isnan(w[:, [b]])
    base_w = e[:, [b]] * ok
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ok, w / w[:, [b]], 0.0)
        wage_index = 100.0 * (onehot @ (ratio * base_w)) / (onehot @ base_w)
    n = onehot.sum(axis=1)
    return pd.DataFrame(
        {
            "measure": measure,
            "group": np.repeat(labels.astype(int), len(years)),
            "year": np.tile(years, len(labels)),
            "employment": emp.ravel(),
            "employment_index": (100.0 * emp / emp[:, [b]]).ravel(),
            "median_wage_index": wage_index.ravel(),
            "n_occupations": np.repeat(n.astype(int), len(years)),
        }
    )


def _growth(e: np.ndarray, years: list[int], span: tuple[int, int]) -> np.ndarray:
    """Annual log growth in percent a year between two year columns of ``e`` (..., years)."""
    a, b = years.index(span[0]), years.index(span[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * np.log(e[..., b] / e[..., a]) / (span[1] - span[0])


def _interval(point: float, draws: np.ndarray, n: int) -> dict:
    lo, hi = np.nanpercentile(draws, [50 * (1 - LEVEL), 100 - 50 * (1 - LEVEL)])
    return {"estimate": float(point), "ci_low": float(lo), "ci_high": float(hi), "n": int(n)}


def bootstrap_contrasts(
    s: pd.DataFrame, n_draws: int = N_DRAWS, seed: int = 0
) -> dict[str, dict]:
    """Pre/post growth of top and bottom groups, difference-in-trends and placebo, each with a
    percentile bootstrap interval (occupations resampled within their group)."""
    years = s.attrs["years"]
    cols = [f"e{y}" for y in years]
    top, bottom = s["group"].max(), s["group"].min()
    rng = np.random.default_rng(seed)
    totals, points = {}, {}
    for name, g in (("top", top), ("bottom", bottom)):
        e = s.loc[s["group"] == g, cols].to_numpy(dtype=float)
        n = len(e)
        totals[name] = e[rng.integers(0, n, size=(n_draws, n))].sum(axis=1)  # draws × years
        points[name] = e.sum(axis=0)
    n_top = int((s["group"] == top).sum())
    n_bottom = int((s["group"] == bottom).sum())
    out: dict[str, dict] = {}
    for label, span in (("pre", PRE), ("post", POST)):
        for name in ("top", "bottom"):
            p = float(_growth(points[name], years, span))
            d = _growth(totals[name], years, span)
            out[f"{label}_growth_{name}"] = _interval(p, d, n_top if name == "top" else n_bottom)

    def dit(t: np.ndarray, b: np.ndarray, pre: tuple, post: tuple) -> np.ndarray:
        return (_growth(t, years, post) - _growth(b, years, post)) - (
            _growth(t, years, pre) - _growth(b, years, pre)
        )

    n = n_top + n_bottom
    out["diff_in_trends"] = _interval(
        float(dit(points["top"], points["bottom"], PRE, POST)),
        dit(totals["top"], totals["bottom"], PRE, POST),
        n,
    )
    out["placebo"] = _interval(
        float(dit(points["top"], points["bottom"], *PLACEBO)),
        dit(totals["top"], totals["bottom"], *PLACEBO),
        n,
    )
    return out


def _wls(y: np.ndarray, x: np.ndarray, w: np.ndarray, fe: pd.Series | None = None):
    import statsmodels.api as sm

    if fe is not None:
        design = pd.get_dummies(fe.reset_index(drop=True), prefix="m", dtype=float)
        design.insert(0, "x", x)  # the major-group dummies absorb the constant
    else:
        design = sm.add_constant(pd.DataFrame({"x": x}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.WLS(y, design, weights=w).fit(cov_type="HC1")
    lo, hi = fit.conf_int(alpha=1 - LEVEL).loc["x"]
    return {"estimate": float(fit.params["x"]), "ci_low": float(lo), "ci_high": float(hi)}


def regressions(s: pd.DataFrame) -> dict[str, dict]:
    """Occupation-level estimates: difference-in-trends with major-group fixed effects, and
    employment-weighted slopes of growth on exposure (per SD of exposure across workers)."""
    years = s.attrs["years"]
    e = s[[f"e{y}" for y in years]].to_numpy(dtype=float)
    pre, post = _growth(e, years, PRE), _growth(e, years, POST)
    change = post - pre
    w = s[f"e{BASE_YEAR}"].to_numpy(dtype=float)
    top, bottom = s["group"].max(), s["group"].min()
    is_top = (s["group"] == top).to_numpy()
    tb = s["group"].isin([top, bottom]).to_numpy().copy()
    # only major groups holding both top and bottom occupations identify the FE estimate;
    # ``n`` counts their occupations (often few majors: read it with docs/outcomes.md)
    mixed = pd.Series(is_top[tb]).groupby(s["major"].to_numpy()[tb]).agg(["min", "max"])
    mixed = set(mixed.index[(mixed["min"] == 0) & (mixed["max"] == 1)])
    tb = tb & s["major"].isin(mixed).to_numpy()
    out = {}
    if tb.sum() > 2:
        fe = _wls(change[tb], is_top[tb].astype(float), w[tb], s["major"][tb])
        out["diff_in_trends_fe"] = {**fe, "n": int(tb.sum())}
    else:
        nan = float("nan")
        out["diff_in_trends_fe"] = {"estimate": nan, "ci_low": nan, "ci_high": nan, "n": 0}
    x = s["exposure"].to_numpy(dtype=float)
    mean = np.average(x, weights=w)
    sd = float(np.sqrt(np.average((x - mean) ** 2, weights=w)))
    if sd == 0:
        return out
    z = (x - mean) / sd
    out["slope_post_growth"] = {**_wls(post, z, w), "n": len(s)}
    out["slope_change_in_growth"] = {**_wls(change, z, w), "n": len(s)}
    return out


def analyse(
    panel: pd.DataFrame,
    measures: pd.DataFrame,
    names: list[str],
    groups: int = 5,
    n_draws: int = N_DRAWS,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trends (measure, group, year …) and summary (measure, statistic, estimate, ci_low,
    ci_high, n, plus coverage) for each measure in ``names``."""
    trends, summary = [], []
    wide = measures.set_index("soc_2018_code")
    base_total = panel.loc[panel["year"] == BASE_YEAR, "employment"].sum()
    wide_p = wide_panel(panel)
    for name in names:
        if name not in wide.columns:
            msg = f"unknown measure {name!r}; known: {', '.join(c for c in wide.columns)}"
            raise ConfigError(msg)
        scores = wide[name]
        if scores.notna().sum() == 0:
            log.warning("measure %s has no values; skipped", name)
            continue
        s = sample(panel, scores, groups, wide_p)
        trends.append(group_trends(s, name))
        stats = bootstrap_contrasts(s, n_draws, seed)
        stats.update(regressions(s))
        share = float(s[f"e{BASE_YEAR}"].sum() / base_total)
        for stat, v in stats.items():
            summary.append({"measure": name, "statistic": stat, **v, "employment_share": share})
    return pd.concat(trends, ignore_index=True), pd.DataFrame(summary)


def summary_json(summary: pd.DataFrame, measure: str) -> dict:
    """The summary of one measure as ``{statistic: {estimate, ci_low, ci_high, n}}``."""
    part = summary[summary["measure"] == measure]
    return {
        r.statistic: {
            "estimate": r.estimate,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "n": int(r.n),
        }
        for r in part.itertuples(index=False)
    }
