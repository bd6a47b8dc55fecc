"""The aggregation engine: task scores → occupations → OEWS employment → headline tables.

Every figure is an employment-weighted statistic of *unit* scores, where a unit is a row of
employment: an OEWS detailed occupation (``crosswalk`` link) or a row of the paper's title
match (``paper`` link). A unit's score is the unweighted mean of the scores of the O*NET
occupations linked to it (OEWS has no employment below it). A table is a matrix ``E``
(groups × units) of employment — national, by major group, wage decile, job zone, state or
metro — so the point estimate and each bootstrap draw go through the same two matrix products:

    mean  = E @ (score · scored) / E @ scored
    share = E @ (1[score ≥ t] · scored) / E @ scored

Coverage is reported per group: employment of scored units, of units without a score, and
employment the source does not publish at the detailed level (suppressed OEWS cells), which add
up to the published total.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from laborlens.exposure.rubric import measure_values, task_weights
from laborlens.impact.choices import Choices
from laborlens.impact.data import ImpactData

HEADLINE_THRESHOLDS = (0.1, 0.5)
TOLERANCE = 1e-9
"""A score within this of a threshold reaches it: sums such as 7/14 land a hair below 0.5."""


@dataclass
class TaskArrays:
    """Tasks of one source under one weighting, sorted by occupation, as flat arrays."""

    occ_codes: np.ndarray
    occ_index: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    weight: np.ndarray
    p_e1: np.ndarray
    p_e2: np.ndarray
    probabilistic: bool

    @property
    def n_occ(self) -> int:
        return len(self.occ_codes)


def task_arrays(tasks: pd.DataFrame, weighting: str, *, probabilistic: bool) -> TaskArrays:
    """Flatten a task frame (onet_soc_code, task_type, p_E1, p_E2) sorted by occupation."""
    tasks = tasks.sort_values(["onet_soc_code", "task_id"], kind="stable")
    codes, index, counts = np.unique(
        tasks["onet_soc_code"].to_numpy(), return_inverse=True, return_counts=True
    )
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return TaskArrays(
        occ_codes=codes,
        occ_index=index.astype(np.int64),
        starts=starts.astype(np.int64),
        counts=counts.astype(np.int64),
        weight=task_weights(tasks["task_type"].reset_index(drop=True), weighting).to_numpy(),
        p_e1=tasks["p_E1"].to_numpy(dtype="float64"),
        p_e2=tasks["p_E2"].to_numpy(dtype="float64"),
        probabilistic=probabilistic,
    )


def occupation_scores(ta: TaskArrays, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean task score per occupation (1 × n_occ) and whether it has one."""
    v = measure_values(ta.p_e1, ta.p_e2, measure)
    num = np.bincount(ta.occ_index, weights=ta.weight * v, minlength=ta.n_occ)
    den = np.bincount(ta.occ_index, weights=ta.weight, minlength=ta.n_occ)
    has = den > 0
    score = np.divide(num, den, out=np.zeros_like(num), where=has)
    return score[None, :], has[None, :]


@dataclass
class Units:
    """The employment units and their link to the O*NET occupations of a source."""

    frame: pd.DataFrame
    link: sparse.csr_matrix  # units × occupations, 1 where the occupation feeds the unit's score

    def scores(self, occ_score: np.ndarray, occ_has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit scores (draws × units) as the unweighted mean of their scored occupations."""
        h = occ_has.astype("float64")
        num = np.asarray((self.link @ (occ_score * h).T).T)
        den = np.asarray((self.link @ h.T).T)
        has = den > 0
        return np.divide(num, den, out=np.zeros_like(num), where=has), has


def _mode_job_zone(data: ImpactData) -> pd.Series:
    """Job zone of each OEWS code: the most common among its O*NET occupations (lower on ties)."""
    z = data.occupations.dropna(subset=["job_zone", "nem_code"])
    counts = z.groupby(["nem_code", "job_zone"]).size().reset_index(name="n")
    counts = counts.sort_values(["nem_code", "n", "job_zone"], ascending=[True, False, True])
    return counts.drop_duplicates("nem_code").set_index("nem_code")["job_zone"]


def _wage_columns(oews: pd.DataFrame) -> pd.DataFrame:
    out = oews[["soc_code", "title", "employment", "a_mean", "a_median"]].copy()
    # top-coded medians are published as "≥ $239,200" (NaN here): they rank above every wage
    top = oews.get("a_median_topcoded", pd.Series(False, index=oews.index)).fillna(False)
    out.loc[top.astype(bool), "a_median"] = np.inf
    annual = out["a_mean"].fillna(oews["h_mean"] * 2080.0)
    out["annual_wage"] = annual
    return out


def build_units(data: ImpactData, choices: Choices, occ_codes: np.ndarray) -> Units:
    """Units of ``choices.link`` with employment and wages of ``choices.vintage``."""
    oews = _wage_columns(data.oews[choices.vintage])
    col = pd.Series(np.arange(len(occ_codes)), index=occ_codes)
    if choices.link == "crosswalk":
        frame = oews.rename(columns={"soc_code": "unit_id"})
        frame["soc_code"] = frame["unit_id"]
        frame["job_zone"] = frame["soc_code"].map(_mode_job_zone(data))
        pairs = data.crosswalk[data.crosswalk["onet_soc_code"].isin(col.index)]
        rows = pd.Series(np.arange(len(frame)), index=frame["soc_code"])
        pairs = pairs[pairs["nem_code"].isin(rows.index)]
        r = rows.loc[pairs["nem_code"]].to_numpy()
        c = col.loc[pairs["onet_soc_code"]].to_numpy()
    else:
        m = data.paper_match.reset_index(drop=True)
        frame = m[["onet_title", "onet_soc_code", "soc_code"]].merge(
            oews.drop(columns="title"), on="soc_code", how="left"
        )
        frame["unit_id"] = [f"paper-{i}" for i in range(len(frame))]
        frame["title"] = frame["onet_title"].fillna("(OEWS row matched by no O*NET title)")
        zones = data.occupations.set_index("onet_soc_code")["job_zone"]
        frame["job_zone"] = frame["onet_soc_code"].map(zones)
        ok = frame["onet_soc_code"].isin(col.index).to_numpy()
        r = np.flatnonzero(ok)
        c = col.loc[frame.loc[ok, "onet_soc_code"]].to_numpy()
    frame = frame.reset_index(drop=True)
    frame["employment"] = frame["employment"].fillna(0.0)
    frame["soc_major_code"] = frame["soc_code"].str[:2] + "-0000"
    link = sparse.csr_matrix(
        (np.ones(len(r)), (r, c)), shape=(len(frame), len(occ_codes)), dtype="float64"
    )
    return Units(frame, link)


@dataclass
class GroupSpec:
    """One table: its group rows, their employment over units, and each group's total."""

    name: str
    groups: pd.DataFrame
    employment: np.ndarray  # groups × units
    total: np.ndarray  # published total employment per group (≥ sum over units)


def _one_hot(keys: pd.Series, order: list) -> np.ndarray:
    idx = pd.Series(np.arange(len(order)), index=order)
    out = np.zeros((len(order), len(keys)))
    ok = keys.isin(idx.index).to_numpy()
    out[idx.loc[keys[ok]].to_numpy(), np.flatnonzero(ok)] = 1.0
    return out


def wage_deciles(units: pd.DataFrame) -> pd.Series:
    """Employment-weighted decile (1–10) of each unit's median annual wage; 0 if unpublished."""
    w = units["a_median"]
    ok = w.notna() & (units["employment"] > 0)
    order = w[ok].sort_values(kind="stable").index
    cum = units.loc[order, "employment"].cumsum()
    mid = (cum - units.loc[order, "employment"] / 2) / cum.iloc[-1]
    out = pd.Series(0, index=units.index, dtype="int64")
    out.loc[order] = np.minimum((mid.to_numpy() * 10).astype(int) + 1, 10)
    return out


def national_specs(data: ImpactData, choices: Choices, units: Units) -> list[GroupSpec]:
    """All-workers, wage-bill, major group, wage decile and job zone tables."""
    f = units.frame
    emp = f["employment"].to_numpy()
    all_total = data.oews_total[choices.vintage] if choices.link == "crosswalk" else emp.sum()
    specs = [
        GroupSpec(
            "all_workers",
            pd.DataFrame({"group": ["all workers"]}),
            emp[None, :],
            np.array([max(all_total, emp.sum())]),
        ),
    ]
    bill = emp * f["annual_wage"].fillna(0.0).to_numpy()
    specs.append(
        GroupSpec(
            "wage_bill",
            pd.DataFrame({"group": ["wage bill (employment × mean wage)"]}),
            bill[None, :],
            np.array([bill.sum()]),
        )
    )
    majors = data.majors.sort_values("soc_code")
    order = majors["soc_code"].tolist()
    e = _one_hot(f["soc_major_code"], order) * emp
    specs.append(
        GroupSpec(
            "major_group",
            pd.DataFrame({"soc_major_code": order, "soc_major_title": majors["title"].tolist()}),
            e,
            e.sum(axis=1),
        )
    )
    dec = wage_deciles(f)
    order = list(range(0, 11))
    e = _one_hot(dec, order) * emp
    labels = ["wage not published"] + [f"decile {d}" for d in range(1, 11)]
    specs.append(
        GroupSpec(
            "wage_decile", pd.DataFrame({"wage_decile": order, "label": labels}), e, e.sum(axis=1)
        )
    )
    zone = f["job_zone"].fillna(0).astype(int)
    order = [1, 2, 3, 4, 5, 0]
    e = _one_hot(zone, order) * emp
    specs.append(
        GroupSpec(
            "job_zone",
            pd.DataFrame(
                {
                    "job_zone": order,
                    "label": [
                        "1 little or no preparation",
                        "2 some preparation (high school)",
                        "3 medium preparation (vocational, associate's)",
                        "4 considerable preparation (bachelor's)",
                        "5 extensive preparation (graduate degree)",
                        "no job zone",
                    ],
                }
            ),
            e,
            e.sum(axis=1),
        )
    )
    return specs


def evaluate(
    spec: GroupSpec,
    unit_score: np.ndarray,
    unit_has: np.ndarray,
    thresholds: tuple[float, ...],
) -> dict[str, np.ndarray]:
    """Mean and shares above thresholds per draw and group (draws × groups), and coverage."""
    h = unit_has.astype("float64")
    et = spec.employment.T
    covered = h @ et
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"mean_exposure": (unit_score * h) @ et / covered}
        for t in thresholds:
            out[f"share_ge_{t:g}"] = ((unit_score >= t - TOLERANCE) * h) @ et / covered
    out["_covered"] = covered
    return out


def summarise(
    spec: GroupSpec,
    point: dict[str, np.ndarray],
    draws: dict[str, np.ndarray] | None,
    unit_has: np.ndarray,
    choices: Choices,
    level: float = 0.95,
) -> pd.DataFrame:
    """One tidy table: group columns, each statistic with its interval, coverage, choices."""
    frame = spec.groups.copy()
    lo_q, hi_q = 50 * (1 - level), 100 - 50 * (1 - level)
    for name, value in point.items():
        if name.startswith("_"):
            continue
        frame[name] = value[0]
        if draws is not None:
            with warnings.catch_warnings():
                # a group no draw covers (no scored employment) gets NaN bounds, like its value
                warnings.simplefilter("ignore", RuntimeWarning)
                lo, hi = np.nanpercentile(draws[name], [lo_q, hi_q], axis=0)
            frame[f"{name}_lo"] = lo
            frame[f"{name}_hi"] = hi
    has = unit_has[0]
    frame["employment_total"] = spec.total
    frame["employment_covered"] = spec.employment @ has
    frame["employment_unscored"] = spec.employment @ ~has
    frame["employment_unpublished"] = spec.total - spec.employment.sum(axis=1)
    frame["employment_share_covered"] = np.divide(
        frame["employment_covered"],
        spec.total,
        out=np.full(len(frame), np.nan),
        where=spec.total > 0,
    )
    present = spec.employment > 0
    frame["units_total"] = present.sum(axis=1)
    frame["units_covered"] = (present & has[None, :]).sum(axis=1)
    for k, v in choices.as_columns().items():
        frame[k] = v
    return frame
