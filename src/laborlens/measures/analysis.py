"""How the measures agree: correlations, top-N overlap, and one occupation side by side.

All functions take the wide table (:func:`laborlens.measures.load_measures`) and use pairwise
complete observations: a pair of measures is compared on the SOC codes where both have a value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from laborlens.exceptions import LaborlensError, UnknownOccupationError
from laborlens.measures.core import MEASURE_NAMES, MEASURES
from laborlens.measures.crosswalk import weighted_pearson

METHODS = ("pearson", "spearman", "weighted_pearson")


def _present(wide: pd.DataFrame) -> list[str]:
    return [m for m in MEASURE_NAMES if m in wide and wide[m].notna().any()]


def correlation_matrix(
    wide: pd.DataFrame, method: str = "pearson", measures: list[str] | None = None
) -> pd.DataFrame:
    """Correlation between every pair of measures over the codes where both have a value.

    ``method``: ``pearson``, ``spearman`` (ranks) or ``weighted_pearson`` (Pearson with OEWS
    employment as weights; codes without employment are left out).
    """
    if method not in METHODS:
        msg = f"unknown correlation method {method!r}; expected one of {', '.join(METHODS)}"
        raise LaborlensError(msg)
    measures = measures or _present(wide)
    if method != "weighted_pearson":
        return wide[measures].corr(method=method, min_periods=3)
    out = pd.DataFrame(np.nan, index=measures, columns=measures)
    for i, a in enumerate(measures):
        for b in measures[i:]:
            ok = wide[a].notna() & wide[b].notna() & (wide["employment"] > 0)
            if ok.sum() >= 3:
                r = weighted_pearson(
                    wide.loc[ok, a].to_numpy(float),
                    wide.loc[ok, b].to_numpy(float),
                    wide.loc[ok, "employment"].to_numpy(float),
                )
                out.loc[a, b] = out.loc[b, a] = r
    return out


def pair_counts(wide: pd.DataFrame, measures: list[str] | None = None) -> pd.DataFrame:
    """Number of SOC codes each pair of measures is compared on."""
    measures = measures or _present(wide)
    has = wide[measures].notna().astype(int)
    return has.T @ has


def top_overlap(wide: pd.DataFrame, n: int = 50, measures: list[str] | None = None) -> pd.DataFrame:
    """Agreement of the top-``n`` lists: for each pair, the share of the ``n`` most exposed
    codes of one measure that are also among the ``n`` most exposed of the other, both
    ranked on the codes where both have a value (1 = same list, ~n/codes = chance)."""
    measures = measures or _present(wide)
    out = pd.DataFrame(np.nan, index=measures, columns=measures)
    for i, a in enumerate(measures):
        for b in measures[i:]:
            both = wide[wide[a].notna() & wide[b].notna()]
            if len(both) < n:
                continue
            top_a = set(both.nlargest(n, a)["soc_2018_code"])
            top_b = set(both.nlargest(n, b)["soc_2018_code"])
            out.loc[a, b] = out.loc[b, a] = len(top_a & top_b) / n
    return out


def top_list(wide: pd.DataFrame, measure: str, n: int = 50) -> pd.DataFrame:
    """The ``n`` codes with the highest value of ``measure``."""
    cols = ["soc_2018_code", "title", "employment", measure]
    return wide.nlargest(n, measure)[cols].reset_index(drop=True)


_SOC = re.compile(r"^\d{2}-\d{4}$")
_ONET = re.compile(r"^\d{2}-\d{4}\.\d{2}$")


def measures_for(wide: pd.DataFrame, code: str) -> pd.DataFrame:
    """All measures of one occupation side by side.

    ``code`` is a SOC 2018 detailed code (``15-1252``) or an O*NET-SOC 2019 code
    (``15-1252.00``; its SOC 2018 code is its first seven characters, and the values are
    those of that SOC code). Returns one row per measure: measure, label, value, percentile
    (share of covered SOC codes with a lower value, 0–100), codes_covered, native_key.

    Raises
    ------
    UnknownOccupationError
        The code is malformed or not a SOC 2018 detailed occupation.
    """
    text = str(code).strip()
    if _ONET.match(text):
        soc = text[:7]
    elif _SOC.match(text):
        soc = text
    else:
        msg = (
            f"{code!r} is not an occupation code; expected a SOC 2018 code like 15-1252 or "
            "an O*NET-SOC code like 15-1252.00"
        )
        raise UnknownOccupationError(msg)
    row = wide[wide["soc_2018_code"] == soc]
    if row.empty:
        msg = (
            f"{soc} is not a SOC 2018 detailed occupation (broad and major group codes end "
            "in 0); `laborlens measures compare --output FILE` lists every code"
        )
        raise UnknownOccupationError(msg)
    row = row.iloc[0]
    records = []
    for m in MEASURES:
        if m.name not in wide:
            continue
        value = row[m.name]
        col = wide[m.name].dropna()
        pct = float((col < value).mean() * 100) if pd.notna(value) else np.nan
        records.append(
            {
                "measure": m.name,
                "label": m.label,
                "value": value,
                "percentile": pct,
                "codes_covered": len(col),
                "native_key": m.native_key,
            }
        )
    out = pd.DataFrame(records)
    out.attrs.update(soc_2018_code=soc, title=row["title"], employment=row["employment"], code=text)
    return out
