"""Automation versus augmentation: the ILO method on our task scores, T0–T4 automation levels
aggregated the same way, and the Anthropic Economic Index's observed collaboration patterns.

ILO method (Gmyrek, Berg & Bescond 2023, ILO Working Paper 96): each task has a score in
[0, 1]; an occupation's mean and standard deviation across its tasks place it in a class:

- automation potential: mean ≥ 0.6 and SD < 0.2 (most tasks highly exposed, uniformly);
- augmentation potential: mean < 0.4 and mean + SD > 0.5 (some tasks highly exposed, others
  not, so the technology complements the worker);
- big unknown: the remaining occupations with mean ≥ 0.4;
- low exposure: the remaining occupations with mean < 0.4.

These thresholds reproduce the classes the ILO published for 423 of the 427 scored ISCO-08
occupations from their published (rounded) means and SDs; the other 4 (means 0.60–0.65, SDs
0.12–0.19) the ILO left out of automation potential, which no pair of cut-offs explains. Task
scores: for exposure, β-like (E0 0, E1 1, E2 ½; the model's expected β); for automation, the
T0–T4 level / 4 (the model's expected level / 4). Mean and SD are unweighted across tasks and
the SD is the population SD, as in the ILO paper.

Employment of an OEWS code is split equally among its classified O*NET occupations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from laborlens.exceptions import ConfigError
from laborlens.exposure.rubric import measure_values
from laborlens.impact.data import ImpactData
from laborlens.sources.aei_collaboration import normalise_task, read_collaboration_by_task

CLASSES = ("automation potential", "augmentation potential", "big unknown", "low exposure")


@dataclass(frozen=True)
class IloThresholds:
    """The ILO classification thresholds (parameters, defaults as in WP 96)."""

    automation_mean: float = 0.6
    automation_sd: float = 0.2
    augmentation_mean: float = 0.4
    augmentation_mean_plus_sd: float = 0.5

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not 0 <= value <= 1:
                msg = f"ILO threshold {name} must be in [0, 1]; got {value!r}"
                raise ConfigError(msg)


def classify(mean: pd.Series, sd: pd.Series, th: IloThresholds | None = None) -> pd.Series:
    """ILO class of each occupation from its mean and SD of task scores (NaN mean → NaN)."""
    th = th or IloThresholds()
    eps = 1e-9
    out = np.where(
        (mean >= th.automation_mean - eps) & (sd < th.automation_sd - eps),
        CLASSES[0],
        np.where(
            (mean < th.augmentation_mean - eps) & (mean + sd > th.augmentation_mean_plus_sd + eps),
            CLASSES[1],
            np.where(mean >= th.augmentation_mean - eps, CLASSES[2], CLASSES[3]),
        ),
    )
    return pd.Series(out, index=mean.index).where(mean.notna())


def task_scores(data: ImpactData) -> dict[str, pd.DataFrame]:
    """Task scores in [0, 1] per scheme: onet_soc_code, task_id, score."""
    out = {}
    for source, t in data.tasks.items():
        out[f"exposure_{source}"] = t.assign(score=measure_values(t["p_E1"], t["p_E2"], "beta"))[
            ["onet_soc_code", "task_id", "score"]
        ]
    for source, t in data.automation.items():
        out[f"automation_{source}"] = t[["onet_soc_code", "task_id", "score"]]
    return out


def occupation_classes(data: ImpactData, th: IloThresholds | None = None) -> pd.DataFrame:
    """Mean, SD, number of tasks and ILO class of every O*NET occupation, per scheme."""
    parts = []
    for scheme, t in task_scores(data).items():
        g = t.groupby("onet_soc_code")["score"]
        occ = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=0), "n_tasks": g.size()})
        occ["ilo_class"] = classify(occ["mean"], occ["sd"], th)
        occ.insert(0, "scheme", scheme)
        parts.append(occ.reset_index())
    return pd.concat(parts, ignore_index=True)


def _onet_employment(data: ImpactData, vintage: int, codes: pd.Series) -> pd.Series:
    """Employment per O*NET occupation in ``codes``: its OEWS code's employment shared equally
    among the occupations of ``codes`` linked to that code."""
    oews = data.oews[vintage].set_index("soc_code")["employment"]
    x = data.crosswalk[data.crosswalk["onet_soc_code"].isin(set(codes))]
    n = x.groupby("nem_code")["onet_soc_code"].transform("size")
    emp = x["nem_code"].map(oews) / n
    return pd.Series(emp.to_numpy(), index=x["onet_soc_code"].to_numpy()).groupby(level=0).sum()


def employment_by_class(
    data: ImpactData, classes: pd.DataFrame, vintage: int = 2025
) -> pd.DataFrame:
    """Employment and its share in each ILO class, per scheme, with coverage."""
    total = data.oews_total[vintage]
    rows = []
    for scheme, c in classes.groupby("scheme"):
        c = c.dropna(subset=["ilo_class"])
        emp = _onet_employment(data, vintage, c["onet_soc_code"])
        c = c.assign(employment=c["onet_soc_code"].map(emp).fillna(0.0))
        covered = c["employment"].sum()
        for cls in CLASSES:
            sel = c[c["ilo_class"] == cls]
            rows.append(
                {
                    "scheme": scheme,
                    "ilo_class": cls,
                    "occupations": len(sel),
                    "employment": sel["employment"].sum(),
                    "share_of_covered_employment": sel["employment"].sum() / covered,
                    "employment_covered": covered,
                    "employment_total": total,
                    "vintage": vintage,
                }
            )
    return pd.DataFrame(rows)


AEI_DEFAULT = "aei_automation_vs_augmentation_by_task_v5"


def aei_comparison(
    data: ImpactData,
    classes: pd.DataFrame,
    release: str = AEI_DEFAULT,
    vintage: int = 2025,
) -> dict[str, pd.DataFrame]:
    """Observed AEI automation share of conversations against our classes and scores.

    Tasks are matched on their normalised statement text to the O*NET tasks of every source;
    an AEI task matches every occupation listing that statement. Returns ``aei_tasks`` (matched
    tasks with our scores), ``aei_by_class`` (mean observed automation share by ILO class per
    scheme, occupations with ≥ 1 matched task), ``aei_agreement`` (Spearman correlations and
    coverage).
    """
    from laborlens.sources.fetch import fetch

    if release == AEI_DEFAULT and data.aei_collaboration is not None:
        aei = data.aei_collaboration  # stored by the build: no mirror needed
    else:
        aei = read_collaboration_by_task(fetch(release, data.settings))
    aei = aei.dropna(subset=["automation_share"])
    frames = [t[["onet_soc_code", "task_id", "task"]] for t in data.tasks.values()]
    ours = pd.concat(frames).drop_duplicates(["onet_soc_code", "task_id"])
    ours = ours.assign(key=normalise_task(ours["task"]))
    matched = ours.merge(aei, left_on="key", right_on="task", suffixes=("", "_aei"))
    scores = task_scores(data)
    for scheme, s in scores.items():
        matched = matched.merge(
            s.rename(columns={"score": scheme}), on=["onet_soc_code", "task_id"], how="left"
        )
    occ = matched.groupby("onet_soc_code").agg(
        aei_automation_share=("automation_share", "mean"), aei_tasks=("task_id", "size")
    )
    occ_emp = _onet_employment(data, vintage, pd.Series(occ.index))
    aei_matched = int(aei["task"].isin(set(ours["key"])).sum())
    rows, agree = [], []
    for scheme, c in classes.groupby("scheme"):
        j = c.merge(occ, left_on="onet_soc_code", right_index=True)
        j = j.assign(employment=j["onet_soc_code"].map(occ_emp).fillna(0.0))
        for cls in CLASSES:
            sel = j[j["ilo_class"] == cls]
            w = sel["employment"]
            rows.append(
                {
                    "scheme": scheme,
                    "ilo_class": cls,
                    "occupations": len(sel),
                    "mean_aei_automation_share": sel["aei_automation_share"].mean(),
                    "employment_weighted_aei_automation_share": (
                        (sel["aei_automation_share"] * w).sum() / w.sum() if w.sum() else np.nan
                    ),
                    "employment": w.sum(),
                }
            )
        rho_occ = stats.spearmanr(j["mean"], j["aei_automation_share"]).statistic
        m = matched.dropna(subset=[scheme])
        rho_task = stats.spearmanr(m[scheme], m["automation_share"]).statistic
        agree.append(
            {
                "scheme": scheme,
                "release": release,
                "aei_tasks": len(aei),
                "aei_tasks_matched": aei_matched,
                "tasks_matched": len(m),
                "occupations_matched": len(j),
                "employment_matched": float(j["employment"].sum()),
                "employment_total": data.oews_total[vintage],
                "spearman_task": rho_task,
                "spearman_occupation": rho_occ,
            }
        )
    keep = ["onet_soc_code", "task_id", "key", "automation_share", "augmentation_share"]
    return {
        "aei_tasks": matched[keep + list(scores)],
        "aei_by_class": pd.DataFrame(rows),
        "aei_agreement": pd.DataFrame(agree),
    }
