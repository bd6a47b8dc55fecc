"""Carrying occupation scores onto SOC 2018 detailed codes, with employment weights.

Every measure ends on one key, the SOC 2018 detailed occupation. Scores published on other
codes travel along many-to-many crosswalks; this module does that in one way everywhere:

* **Splits** (one source code -> several target codes): every target gets the source's score.
  Nothing is dropped, so the SOC 2018-only codes 15-1252 Software Developers (from SOC 2010
  15-1132 and 15-1133) and 15-2051 Data Scientists (from 15-2099) get AIOE values.
* **Merges** (several source codes -> one target): the target gets the mean of its sources'
  scores weighted by the sources' employment. Only sources with a score count.

Employment exists only on SOC 2018 (OEWS May 2025), so source-code employment is allocated
backwards along the links: a SOC 2018 code's employment is shared equally among the SOC 2010
codes that map to it, and a SOC 2010 code's employment among the ISCO-08 codes linked to it.
Where none of a target's scored sources has employment (military codes, which OEWS does not
survey), the plain mean is used.

OEWS publishes 12 pooled codes that stand for several SOC 2018 detailed occupations (13-1020
for 13-1021/22/23; 21-1018 for 21-1011 and 21-1014 …); their employment is split equally over
the member codes, which are taken from the BLS NEM crosswalk.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def soc2018_employment(
    soc_structure: pd.DataFrame, oews: pd.DataFrame, nem_crosswalk: pd.DataFrame
) -> pd.DataFrame:
    """Every SOC 2018 detailed code with its OEWS employment.

    Returns soc_2018_code, title, employment (NaN where OEWS publishes none, e.g. military),
    oews_code (the OEWS code the employment comes from) and pooled_with (number of SOC codes
    sharing that OEWS code; 1 unless pooled).
    """
    detailed = soc_structure.loc[soc_structure["level"] == "detailed", ["soc_code", "title"]]
    detailed = detailed.rename(columns={"soc_code": "soc_2018_code"}).reset_index(drop=True)
    emp = (
        oews.loc[oews["o_group"] == "detailed", ["soc_code", "employment"]]
        .drop_duplicates("soc_code")  # OEWS lists some pooled codes both as broad and detailed
        .set_index("soc_code")["employment"]
    )
    codes = set(detailed["soc_2018_code"])
    pools = [c for c in emp.index if c not in codes]
    members = (
        nem_crosswalk.loc[nem_crosswalk["nem_code"].isin(pools), ["nem_code", "soc_2018_code"]]
        .drop_duplicates()
        .query("soc_2018_code in @codes and soc_2018_code not in @emp.index")
    )
    orphans = sorted(set(pools) - set(members["nem_code"]))
    if orphans:
        lost = float(emp[orphans].sum())
        log.warning("OEWS pooled codes without SOC 2018 members: %s (%.0f jobs)", orphans, lost)
    size = members.groupby("nem_code")["soc_2018_code"].transform("size")
    pooled = pd.DataFrame(
        {
            "soc_2018_code": members["soc_2018_code"],
            "employment": members["nem_code"].map(emp).to_numpy() / size.to_numpy(),
            "oews_code": members["nem_code"],
            "pooled_with": size,
        }
    )
    direct = pd.DataFrame(
        {"soc_2018_code": emp.index, "employment": emp.to_numpy(), "oews_code": emp.index}
    )
    direct = direct[direct["soc_2018_code"].isin(codes)].assign(pooled_with=1)
    both = pd.concat([direct, pooled], ignore_index=True)
    out = detailed.merge(both, on="soc_2018_code", how="left")
    out["pooled_with"] = out["pooled_with"].astype("Int64")
    return out


def allocate_employment(
    links: pd.DataFrame, src: str, dst: str, dst_employment: pd.Series
) -> pd.Series:
    """Employment of each ``src`` code: each ``dst`` code's employment shared equally among
    the ``src`` codes linked to it, summed per ``src`` code. Missing employment counts 0."""
    links = links[[src, dst]].drop_duplicates()
    n_src = links.groupby(dst)[src].transform("size")
    share = links[dst].map(dst_employment).fillna(0.0) / n_src
    return share.groupby(links[src]).sum()


def carry(
    scores: pd.Series, links: pd.DataFrame, src: str, dst: str, weights: pd.Series
) -> pd.Series:
    """Scores on ``src`` codes -> scores on ``dst`` codes along ``links``.

    A ``dst`` code gets the ``weights``-weighted mean of the scores of its linked ``src`` codes
    that have a score (a split source passes its score unchanged to each target); where those
    weights sum to 0, their plain mean. ``dst`` codes with no scored source are absent.
    """
    scores = scores.dropna()
    links = links[[src, dst]].drop_duplicates()
    links = links[links[src].isin(scores.index)]
    value = links[src].map(scores).to_numpy(dtype=float)
    weight = links[src].map(weights).fillna(0.0).to_numpy(dtype=float)
    frame = pd.DataFrame(
        {dst: links[dst].to_numpy(), "vw": value * weight, "w": weight, "v": value}
    )
    g = frame.groupby(dst)
    wsum = g["w"].sum()
    out = g["vw"].sum() / wsum.where(wsum > 0)
    return out.fillna(g["v"].mean()).rename(scores.name)


def expand_groups(
    scores: pd.Series, detailed_codes: set[str], extra: dict[str, tuple[str, ...]] | None = None
) -> tuple[pd.Series, list[str]]:
    """Replace SOC group codes in ``scores`` by the detailed codes they contain.

    A code ending in 0 is a SOC group (digits up to the trailing zeros give its prefix:
    29-1060 -> 29-106*, 25-1000 -> 25-1*); ``extra`` names other non-detailed codes explicitly.
    Each group's score goes to its detailed members that have no score of their own (mean
    if several groups reach one member). Returns the scores on detailed codes and the codes
    that match no detailed code at all (so their scores are lost; reported as unmatched).
    """
    extra = extra or {}
    own = scores[scores.index.isin(detailed_codes)]
    unplaced: list[str] = []
    rows = []
    for code, value in scores[~scores.index.isin(detailed_codes)].items():
        if code in extra:
            members = [c for c in extra[code] if c in detailed_codes]
        elif code.endswith("0"):
            prefix = code.replace("-", "").rstrip("0")
            members = [c for c in detailed_codes if c.replace("-", "").startswith(prefix)]
        else:
            members = []
        if not members:
            unplaced.append(code)
        rows.extend((m, value) for m in members if m not in own.index)
    if not rows:
        return own, unplaced
    from_groups = pd.DataFrame(rows, columns=["code", "value"]).groupby("code")["value"].mean()
    return pd.concat([own, from_groups]).rename(scores.name), unplaced


def weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Pearson correlation of x and y with observation weights w."""
    w = w / w.sum()
    mx, my = (w * x).sum(), (w * y).sum()
    cov = (w * (x - mx) * (y - my)).sum()
    return float(cov / np.sqrt((w * (x - mx) ** 2).sum() * (w * (y - my) ** 2).sum()))
