"""Hiring: Indeed job postings by occupational sector against exposure, and AI mentions.

Indeed Hiring Lab publishes a daily index of US job postings for 47 occupational sectors
(1 February 2020 = 100, seasonally adjusted, 7-day trailing average; Feb 2020 – Sep 2024 in the
mirror) and the share of postings that mention AI, by country. Sectors are not SOC codes:
``indeed_sectors.csv`` beside this module links each sector to SOC 2018 codes (detailed codes,
or broad, minor and major groups that stand for every detailed code under them that no other
row names precisely). It starts from Indeed's two example titles per sector (basis
``example``) and adds the sector's main other occupations by hand (``hand``); reviewed by hand
against the SOC 2018 definitions (see docs/outcomes.md). A sector's exposure is the
employment-weighted mean (May 2022 employment) of the measure over its codes.

Postings change since February 2020 and since November 2022 (ChatGPT's release) is the mean
index of the last 28 days over the mean of February 2020 (= 100) or of November 2022.

Data: Indeed Hiring Lab, CC BY 4.0.
"""

from __future__ import annotations

import logging
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from laborlens.exceptions import LayoutError

log = logging.getLogger(__name__)

SECTOR_FILE = "indeed_sectors.csv"
LAST_DAYS = 28


def sector_crosswalk_file() -> Path:
    return Path(str(resources.files("laborlens.outcomes").joinpath(SECTOR_FILE)))


def read_sector_crosswalk(path: str | Path | None = None) -> pd.DataFrame:
    """The committed sector -> SOC crosswalk: sector, soc_code, basis, note."""
    path = Path(path) if path is not None else sector_crosswalk_file()
    frame = pd.read_csv(path, dtype=str)
    need = {"sector", "soc_code", "basis"}
    if not need <= set(frame.columns):
        raise LayoutError(path, f"expected columns {sorted(need)}, found {list(frame.columns)}")
    bad = ~frame["soc_code"].str.fullmatch(r"\d{2}-\d{4}")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        msg = f"expected a SOC code, found {frame['soc_code'].iloc[i]!r}"
        raise LayoutError(path, msg, row=i + 2, column="soc_code")
    return frame


def expand_sectors(
    xwalk: pd.DataFrame, soc_detailed: list[str], *, strict: bool = True
) -> pd.DataFrame:
    """sector, soc_2018_code: group codes expanded to their detailed codes that no row names
    explicitly. A code that matches none of ``soc_detailed`` raises LayoutError, or with
    ``strict=False`` (a build on part of the SOC, such as the test slice) is left out and
    logged with the count; the full tier checks the crosswalk against the whole SOC 2018."""
    codes = sorted(str(c) for c in soc_detailed)
    flat = [c.replace("-", "") for c in codes]
    explicit = set(xwalk["soc_code"]) & set(codes)
    rows, absent = [], []
    for r in xwalk[["sector", "soc_code"]].astype(object).itertuples(index=False):
        if r.soc_code in explicit:
            rows.append((r.sector, r.soc_code))
            continue
        prefix = r.soc_code.replace("-", "").rstrip("0")
        pairs = zip(codes, flat, strict=True)
        members = [c for c, f in pairs if f.startswith(prefix) and c not in explicit]
        if not members:
            if not strict:
                absent.append(r.soc_code)
                continue
            msg = f"{r.soc_code} ({r.sector}) is neither a SOC 2018 detailed code nor a group"
            raise LayoutError(sector_crosswalk_file(), msg, column="soc_code")
        rows.extend((r.sector, m) for m in members)
    if absent:
        log.info(
            "Indeed sector crosswalk: %d of %d codes are not in this build's SOC structure and "
            "are left out (e.g. %s)", len(absent), len(xwalk), ", ".join(absent[:3])
        )
    return pd.DataFrame(rows, columns=["sector", "soc_2018_code"]).drop_duplicates()


def read_sector_postings(path: str | Path) -> pd.DataFrame:
    """Indeed job_postings_by_sector_US.csv: date, sector, index (total postings only)."""
    path = Path(path)
    frame = pd.read_csv(path)
    need = {"date", "indeed_job_postings_index", "variable", "display_name"}
    if not need <= set(frame.columns):
        raise LayoutError(path, f"expected columns {sorted(need)}, found {list(frame.columns)}")
    frame = frame[frame["variable"] == "total postings"]
    return pd.DataFrame(
        {
            "date": pd.to_datetime(frame["date"]),
            "sector": frame["display_name"],
            "index": pd.to_numeric(frame["indeed_job_postings_index"], errors="raise"),
        }
    )


def read_ai_share(path: str | Path) -> pd.DataFrame:
    """Indeed AI_posting.csv: date, country, ai_share (percent of postings mentioning AI)."""
    path = Path(path)
    frame = pd.read_csv(path)
    need = {"date", "jobcountry", "AI_share_postings"}
    if not need <= set(frame.columns):
        raise LayoutError(path, f"expected columns {sorted(need)}, found {list(frame.columns)}")
    return pd.DataFrame(
        {
            "date": pd.to_datetime(frame["date"]),
            "country": frame["jobcountry"],
            "ai_share": pd.to_numeric(frame["AI_share_postings"], errors="raise"),
        }
    )


def sector_changes(postings: pd.DataFrame) -> pd.DataFrame:
    """Per sector: last date, change since Feb 2020 and since Nov 2022 (percent)."""
    last = postings["date"].max()
    recent = postings[postings["date"] > last - pd.Timedelta(days=LAST_DAYS)]
    feb20 = postings[(postings["date"] >= "2020-02-01") & (postings["date"] < "2020-03-01")]
    nov22 = postings[(postings["date"] >= "2022-11-01") & (postings["date"] < "2022-12-01")]
    out = pd.DataFrame(
        {
            "index_recent": recent.groupby("sector")["index"].mean(),
            "index_feb2020": feb20.groupby("sector")["index"].mean(),
            "index_nov2022": nov22.groupby("sector")["index"].mean(),
        }
    )
    out["change_since_feb2020"] = 100 * (out["index_recent"] / out["index_feb2020"] - 1)
    out["change_since_nov2022"] = 100 * (out["index_recent"] / out["index_nov2022"] - 1)
    out["last_date"] = last.date().isoformat()
    return out.reset_index()


def sector_exposure(
    sectors: pd.DataFrame, measures: pd.DataFrame, employment: pd.Series, names: list[str]
) -> pd.DataFrame:
    """Per sector: employment (May 2022, of its codes), codes, and the employment-weighted mean
    of each measure over the codes that have a value."""
    m = measures.set_index("soc_2018_code")
    s = sectors.assign(employment=sectors["soc_2018_code"].map(employment).fillna(0.0))
    rows = []
    for sector, part in s.groupby("sector"):
        rec = {
            "sector": sector,
            "n_codes": len(part),
            "employment_2022": float(part["employment"].sum()),
        }
        for name in names:
            v = part["soc_2018_code"].map(m[name])
            ok = v.notna() & (part["employment"] > 0)
            w = part.loc[ok, "employment"]
            rec[name] = float(np.average(v[ok], weights=w)) if w.sum() > 0 else np.nan
        rows.append(rec)
    return pd.DataFrame(rows)


def postings_vs_exposure(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Across sectors: slope of each postings change on exposure (per SD of exposure across
    sectors), its 95 % HC1 interval, and the Pearson correlation."""
    import statsmodels.api as sm

    rows = []
    for name in names:
        for outcome in ("change_since_feb2020", "change_since_nov2022"):
            d = table[[name, outcome]].dropna()
            if len(d) < 5 or d[name].std() == 0:
                continue
            z = (d[name] - d[name].mean()) / d[name].std()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.OLS(d[outcome].to_numpy(), sm.add_constant(z.to_numpy())).fit(
                    cov_type="HC1"
                )
            lo, hi = fit.conf_int(0.05)[1]
            rows.append(
                {
                    "measure": name,
                    "outcome": outcome,
                    "slope_per_sd": float(fit.params[1]),
                    "ci_low": float(lo),
                    "ci_high": float(hi),
                    "correlation": float(np.corrcoef(d[name], d[outcome])[0, 1]),
                    "n": len(d),
                }
            )
    return pd.DataFrame(rows)


def ai_share_monthly(ai: pd.DataFrame) -> pd.DataFrame:
    """country, month (YYYY-MM), ai_share: monthly mean of the daily share."""
    month = ai["date"].dt.to_period("M").astype(str)
    out = ai.groupby([ai["country"], month])["ai_share"].mean().reset_index()
    return out.rename(columns={"date": "month"})
