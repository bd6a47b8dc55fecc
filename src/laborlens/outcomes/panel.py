"""The harmonized occupation × year panel: OEWS May 2017–2025 on SOC 2018 detailed codes.

OEWS changed code lists twice: SOC 2010 until May 2018, hybrid SOC 2010/2018 codes in May 2019
and 2020 (15-1256 Software Developers and Software Quality Assurance Analysts and Testers …),
SOC 2018 from May 2021, always with a few pooled codes (13-1020 for 13-1021/22/23 …). Every
published detailed row reaches SOC 2018 by one documented rule:

* ``direct``: the code is a SOC 2018 detailed code, published alone.
* ``recode``: one source code, one SOC 2018 code, a different number (SOC 2010 → 2018).
* ``split_later``: one source code shared by several SOC 2018 codes, by their employment shares
  in the first later May in which each of them is published alone (``share_year``).
* ``split_equal``: the same, where no later year publishes them apart (the OEWS pools of
  2021–2025): equal shares, as in ``measures_soc2018``.
* ``merge``: several source codes, each wholly to this SOC 2018 code: summed.
* ``split_merge``: several source codes, at least one of them split.

Source codes go to SOC 2018 through the BLS SOC 2010 → 2018 crosswalk (SOC 2010 years), the
OEWS hybrid and pooled codes listed in :data:`HYBRID_2019` and :data:`SOC2010_POOLS` (members
read from the titles, checked against the SOC 2018 structure by the tests), or the BLS NEM
crosswalk for pools. Wages of a split code pass unchanged to its parts; a merged code gets the
employment-weighted mean of its sources' mean (and median) wages, so a merged median is an
approximation. Each year's coverage is the harmonized employment over the OEWS all-occupations
total; source codes that reach no SOC 2018 code are reported with their employment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PANEL_YEARS = (2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025)
SOC2010_YEARS = (2017, 2018)
HYBRID_YEARS = (2019, 2020)

# OEWS pooled codes of the SOC 2010 years -> the SOC 2010 codes they stand for (then the BLS
# crosswalk), or, with a "2018:" prefix, SOC 2018 codes directly.
SOC2010_POOLS: dict[str, tuple[str, ...]] = {
    "13-1020": ("13-1021", "13-1022", "13-1023"),  # Buyers and purchasing agents
    "15-2090": ("15-2091", "15-2099"),  # Miscellaneous mathematical science occupations
    "21-1018": ("21-1011", "21-1014"),  # Substance abuse, behavioral, mental health counselors
    "25-3097": ("2018:25-3041", "2018:25-3099"),  # Teachers and instructors, a.o., exc. subst.
    "25-3098": ("2018:25-3031",),  # Substitute teachers
    "29-2010": ("29-2011", "29-2012"),  # Clinical laboratory technologists and technicians
    "39-1010": ("39-1011", "39-1012"),  # First-line supervisors of gaming workers
    "39-7010": ("39-7011", "39-7012"),  # Tour and travel guides
    "47-4090": ("47-4091", "47-4099"),  # Miscellaneous construction and related workers
    "51-2028": ("51-2022", "51-2023"),  # Electrical, electronic, electromechanical assemblers
    "51-2098": ("51-2092", "51-2099"),  # Assemblers and fabricators, a.o., incl. team assemblers
    "53-1048": ("53-1021", "53-1031"),  # First-line supervisors of transportation workers
}

# OEWS May 2019-2020 hybrid and pooled codes -> SOC 2018 detailed members (from the titles).
HYBRID_2019: dict[str, tuple[str, ...]] = {
    "11-2030": ("11-2032", "11-2033"),
    "11-3010": ("11-3012", "11-3013"),
    "11-9198": ("11-9072", "11-9179", "11-9199"),
    "13-1020": ("13-1021", "13-1022", "13-1023"),
    "13-1198": ("13-1082", "13-1199"),
    "13-2020": ("13-2022", "13-2023"),
    "13-2098": ("13-2051", "13-2054", "13-2099"),
    "15-1245": ("15-1242", "15-1243"),
    "15-1256": ("15-1252", "15-1253"),
    "15-1257": ("15-1254", "15-1255"),
    "15-2098": ("15-2051", "15-2099"),
    "17-3098": ("17-3028", "17-3029"),
    "19-3031": ("19-3033", "19-3034"),
    "19-4010": ("19-4012", "19-4013"),
    "19-4045": ("19-4043", "19-4044"),
    "21-1018": ("21-1011", "21-1014"),
    "25-2052": ("25-2055", "25-2056"),
    "25-3097": ("25-3041", "25-3099"),
    "25-9045": ("25-9042", "25-9043", "25-9049"),
    "27-2090": ("27-2091", "27-2099"),
    "27-4098": ("27-4015", "27-4099"),
    # "Physicians, All Other; and Ophthalmologists": the new SOC 2018 specialties too
    "29-1228": (
        "29-1212", "29-1213", "29-1214", "29-1217", "29-1222", "29-1224", "29-1229", "29-1241",
    ),
    "29-1248": ("29-1242", "29-1243", "29-1249"),
    "29-1298": ("29-1291", "29-1299"),
    "29-2010": ("29-2011", "29-2012"),
    "29-2040": ("29-2042", "29-2043"),
    "29-2098": ("29-2036", "29-2072", "29-2099"),
    "29-9098": ("29-9021", "29-9093", "29-9099"),
    "31-1120": ("31-1121", "31-1122"),
    "33-1090": ("33-1091", "33-1099"),
    "33-9098": ("33-9094", "33-9099"),
    "39-1098": ("39-1014", "39-1022"),
    "39-7010": ("39-7011", "39-7012"),
    "39-9098": ("39-4012", "39-9099"),
    "47-4090": ("47-4091", "47-4099"),
    "47-5097": ("47-5023", "47-5032"),
    "47-5098": ("47-5049", "47-5099"),
    "51-2028": ("51-2022", "51-2023"),
    "51-2090": ("51-2092", "51-2099"),
    "53-1047": ("53-1042", "53-1043", "53-1044", "53-1049"),
    "53-3058": ("53-3051", "53-3053", "53-3054"),
    "53-6098": ("53-6032", "53-6099"),
}  # fmt: skip


@dataclass
class Panel:
    """The panel and what it states about itself.

    frame
        soc_2018_code, title, year, employment, mean_wage, median_wage, median_topcoded,
        rule, sources (source codes, comma-separated), share_year (year of the split shares).
    coverage
        Per year: oews_total, harmonized, coverage (share), source_codes, unmapped_codes,
        unmapped_employment, suppressed_codes (employment not published), soc_codes,
        soc_codes_without_value and the civilian ones by code (civilian_codes_without_value).
    unmapped
        year, soc_code, title, employment of every source code that reaches no SOC 2018 code.
    links
        year, source_code, soc_2018_code, share: the allocation used.
    """

    frame: pd.DataFrame
    coverage: pd.DataFrame
    unmapped: pd.DataFrame
    links: pd.DataFrame


def _detailed(oews: pd.DataFrame) -> pd.DataFrame:
    d = oews[oews["o_group"] == "detailed"].drop_duplicates("soc_code").copy()
    d["soc_code"] = d["soc_code"].astype(object)
    # an hourly-only occupation has no annual wage in the file: 2,080 hours a year, as BLS
    d["a_mean"] = d["a_mean"].fillna(d["h_mean"] * 2080.0)
    d["a_median"] = d["a_median"].fillna(d["h_median"] * 2080.0)
    return d.reset_index(drop=True)


def _xwalk_dict(xwalk: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for a, b in zip(xwalk["soc_2010_code"].tolist(), xwalk["soc_2018_code"].tolist(), strict=True):
        out.setdefault(a, []).append(b)
    return {k: tuple(v) for k, v in out.items()}


def year_links(
    year: int,
    codes: list[str],
    soc2018: set[str],
    xwalk: pd.DataFrame,
    nem_pools: dict[str, tuple[str, ...]],
) -> tuple[pd.DataFrame, list[str]]:
    """Source code -> SOC 2018 targets for one year's detailed codes; and codes with none.

    ``xwalk`` is the SOC 2010 -> 2018 crosswalk as a frame, or already as a dict of tuples."""
    x = xwalk if isinstance(xwalk, dict) else _xwalk_dict(xwalk)
    published = set(codes)
    rows, lost = [], []
    for code in codes:
        if year in SOC2010_YEARS:
            if code in SOC2010_POOLS:
                targets = []
                for m in SOC2010_POOLS[code]:
                    targets += [m[5:]] if m.startswith("2018:") else list(x.get(m, ()))
            else:
                targets = list(x.get(code, ()))
        elif code in soc2018:
            targets = [code]
        elif year in HYBRID_YEARS and code in HYBRID_2019:
            targets = list(HYBRID_2019[code])
        elif code in nem_pools:
            targets = list(nem_pools[code])
        elif code in x:
            targets = list(x[code])
        else:
            targets = []
        # a member published on its own row that year is not also part of a pool
        if year not in SOC2010_YEARS and len(targets) > 1:
            targets = [t for t in targets if t not in published]
        targets = sorted({t for t in targets if t in soc2018})
        if not targets:
            lost.append(code)
        rows.extend((code, t) for t in targets)
    return pd.DataFrame(rows, columns=["source_code", "soc_2018_code"], dtype=object), lost


def harmonize(
    oews: dict[int, pd.DataFrame],
    soc_structure: pd.DataFrame,
    xwalk: pd.DataFrame,
    nem: pd.DataFrame,
) -> Panel:
    """The panel from each year's OEWS frame (``read_oews_year``), the SOC 2018 structure, the
    BLS SOC 2010 → 2018 crosswalk and the NEM crosswalk (for pooled codes)."""
    det = soc_structure[soc_structure["level"] == "detailed"]
    soc2018 = set(det["soc_code"].tolist())
    x = _xwalk_dict(xwalk)
    titles = det.set_index("soc_code")["title"]
    pools = nem.loc[~nem["nem_is_soc_detailed"].astype(bool), ["nem_code", "soc_2018_code"]]
    nem_pools: dict[str, list[str]] = {}
    for a, b in pools.drop_duplicates().itertuples(index=False):
        nem_pools.setdefault(str(a), []).append(str(b))
    years = sorted(oews)
    detailed = {y: _detailed(oews[y]) for y in years}
    links: dict[int, pd.DataFrame] = {}
    lost: dict[int, list[str]] = {}
    for y in years:
        links[y], lost[y] = year_links(
            y, [str(c) for c in detailed[y]["soc_code"].tolist()], soc2018, x, nem_pools
        )
    # employment of each SOC 2018 code in each year where it is published alone (1:1 link)
    alone: dict[int, pd.Series] = {}
    for y in years:
        lk = links[y]
        n_t = lk.groupby("source_code")["soc_2018_code"].transform("size")
        n_s = lk.groupby("soc_2018_code")["source_code"].transform("size")
        one = lk[(n_t == 1) & (n_s == 1)]
        emp = detailed[y].set_index("soc_code")["employment"]
        alone[y] = pd.Series(one["source_code"].map(emp).to_numpy(), index=one["soc_2018_code"])

    frames, all_links, unmapped, cov = [], [], [], []
    for y in years:
        d = detailed[y].set_index("soc_code")
        lk = links[y].copy()
        lk["share"] = np.nan
        lk["share_year"] = np.nan
        k = lk.groupby("source_code")["soc_2018_code"].transform("size")
        lk.loc[k == 1, "share"] = 1.0
        todo = (k > 1).to_numpy().copy()
        for later in (yy for yy in years if yy > y):
            if not todo.any():
                break
            ref = lk["soc_2018_code"].map(alone[later]).where(todo)
            ok = ref.notna() & (ref > 0)
            whole = ok.groupby(lk["source_code"]).transform("all") & todo
            if whole.any():
                total = ref.where(whole).groupby(lk["source_code"]).transform("sum")
                lk.loc[whole, "share"] = (ref / total)[whole]
                lk.loc[whole, "share_year"] = later
                todo = todo & ~whole.to_numpy()
        if todo.any():
            lk.loc[todo, "share"] = 1.0 / k[todo]
        lk["employment"] = lk["source_code"].map(d["employment"]).fillna(0.0) * lk["share"]
        for w in ("a_mean", "a_median"):
            lk[w] = lk["source_code"].map(d[w])
        lk["topcoded"] = lk["source_code"].map(d["a_median_topcoded"]).astype(bool)
        lk["split"] = k > 1
        lk["year"] = y
        all_links.append(lk[["year", "source_code", "soc_2018_code", "share", "share_year"]])
        frames.append(_aggregate(lk, y))
        total = float(oews[y].loc[oews[y]["o_group"] == "total", "employment"].iloc[0])
        lost_emp = d.loc[lost[y], "employment"].fillna(0.0)
        unmapped.append(
            pd.DataFrame(
                {
                    "year": y,
                    "soc_code": lost[y],
                    "title": d.loc[lost[y], "title"].to_numpy(),
                    "employment": lost_emp.to_numpy(),
                }
            )
        )
        harmonized = float(frames[-1]["employment"].sum())
        absent = soc2018 - set(frames[-1]["soc_2018_code"])
        cov.append(
            {
                "year": y,
                "oews_total": total,
                "harmonized": harmonized,
                "coverage": harmonized / total,
                "source_codes": len(d),
                "unmapped_codes": len(lost[y]),
                "unmapped_employment": float(lost_emp.sum()),
                "suppressed_codes": int(d["employment"].isna().sum()),
                "soc_codes": int(frames[-1]["soc_2018_code"].nunique()),
                # SOC 2018 codes the year gives no value (military 55-xxxx: not surveyed)
                "soc_codes_without_value": len(absent),
                "civilian_codes_without_value": ",".join(
                    sorted(c for c in absent if c[:3] != "55-")
                ),
            }
        )
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(1, "title", frame["soc_2018_code"].map(titles))
    frame = frame.sort_values(["soc_2018_code", "year"]).reset_index(drop=True)
    return Panel(
        frame=frame,
        coverage=pd.DataFrame(cov),
        unmapped=pd.concat(unmapped, ignore_index=True),
        links=pd.concat(all_links, ignore_index=True),
    )


def _join(codes: pd.Series) -> str:
    return ",".join(sorted(codes.tolist()))


def _aggregate(lk: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per SOC 2018 code: summed employment, weighted wages, the rule."""
    lk = lk.assign(
        wm=lk["employment"] * lk["a_mean"],
        wmed=lk["employment"] * lk["a_median"],
        em=lk["employment"].where(lk["a_mean"].notna(), 0.0),
        emed=lk["employment"].where(lk["a_median"].notna(), 0.0),
    )
    g = lk.groupby("soc_2018_code")
    out = pd.DataFrame(
        {
            "employment": g["employment"].sum(),
            "n_sources": g["source_code"].size(),
            "any_split": g["split"].any(),
            "single_mean": g["a_mean"].first(),
            "single_median": g["a_median"].first(),
            "wm": g["wm"].sum(),
            "wmed": g["wmed"].sum(),
            "em": g["em"].sum(),
            "emed": g["emed"].sum(),
            "topcoded": g["topcoded"].any(),
            "sources": g["source_code"].agg(_join),
            "first_source": g["source_code"].first(),
            "share_year": g["share_year"].max(),
        }
    ).reset_index()
    one = out["n_sources"] == 1
    # one source: its wage unchanged (a split passes its wage to each part); several: weighted
    out["mean_wage"] = np.where(one, out["single_mean"], out["wm"] / out["em"].replace(0, np.nan))
    out["median_wage"] = np.where(
        one, out["single_median"], out["wmed"] / out["emed"].replace(0, np.nan)
    )
    same = out["first_source"] == out["soc_2018_code"]
    split_rule = np.where(out["share_year"].notna(), "split_later", "split_equal")
    out["rule"] = np.select(
        [one & ~out["any_split"] & same, one & ~out["any_split"], one, ~out["any_split"]],
        ["direct", "recode", split_rule, "merge"],
        "split_merge",
    )
    out["year"] = year
    out["share_year"] = out["share_year"].astype("Int64")
    return out[
        [
            "soc_2018_code",
            "year",
            "employment",
            "mean_wage",
            "median_wage",
            "topcoded",
            "rule",
            "sources",
            "share_year",
        ]
    ].rename(columns={"topcoded": "median_topcoded"})
