"""All public occupation-level AI measures on one key, SOC 2018 detailed (867 codes).

:func:`compute_measures` takes the parsed source tables and returns the wide table (one row per
SOC 2018 detailed code: soc_2018_code, title, employment, then one column per measure in
:data:`MEASURES`) and the per-measure coverage. The build stores both as ``measures_soc2018``
and ``measure_coverage``; :func:`load_measures` reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from laborlens.capability import BuildContext
from laborlens.config import Settings
from laborlens.db.connection import connect, query, write_table
from laborlens.exceptions import LayoutError
from laborlens.exposure.rubric import SOURCES
from laborlens.measures.crosswalk import (
    allocate_employment,
    carry,
    expand_groups,
    soc2018_employment,
)
from laborlens.sources.frey_osborne import HYBRID_CODES


@dataclass(frozen=True)
class Measure:
    """One column of the wide table: what it is, where it comes from, how it reached SOC 2018."""

    name: str
    label: str
    source: str
    vintage: str
    license: str
    native_key: str
    meaning: str


MEASURES: tuple[Measure, ...] = (
    Measure(
        "beta_human",
        "β, human labels",
        "Eloundou et al. 2023 (GPTs are GPTs) task labels, laborlens roll-up",
        "O*NET 27.2 tasks, labelled 2023",
        "MIT",
        "O*NET-SOC 2019",
        "share of tasks exposed to LLMs (E1 + ½ E2), paper task weights",
    ),
    Measure(
        "beta_gpt4",
        "β, GPT-4 labels",
        "Eloundou et al. 2023 GPT-4 task labels, laborlens roll-up",
        "O*NET 27.2 tasks, labelled 2023",
        "MIT",
        "O*NET-SOC 2019",
        "as beta_human, GPT-4 as annotator",
    ),
    Measure(
        "beta_model",
        "β, laborlens model",
        "laborlens default exposure model",
        "O*NET 29.3 tasks",
        "as laborlens; O*NET CC BY 4.0",
        "O*NET-SOC 2019",
        "as beta_human, the trained model as annotator",
    ),
    Measure(
        "aioe",
        "AIOE",
        "Felten, Raj & Seamans 2021, SMJ 42(12)",
        "2021 (abilities from O*NET, EFF AI progress)",
        "none stated; cite the paper",
        "SOC 2010",
        "AI occupational exposure, standardised (mean 0, SD 1)",
    ),
    Measure(
        "lm_aioe",
        "Language-modelling AIOE",
        "Felten, Raj & Seamans 2023, arXiv 2303.01157",
        "2023",
        "none stated; cite the paper",
        "SOC 2010",
        "AIOE re-weighted to language modelling, standardised",
    ),
    Measure(
        "ms_ai_applicability",
        "Microsoft AI applicability",
        "Tomlinson et al. 2025, arXiv 2507.07935 (microsoft/working-with-ai)",
        "2025 (Bing Copilot 2024 conversations, O*NET 29.0)",
        "CC BY 4.0",
        "SOC 2018",
        "AI applicability score, 0–1",
    ),
    Measure(
        "aei_task_usage",
        "Anthropic Economic Index usage",
        "Handa et al. 2025, Anthropic Economic Index release 2025-02-10",
        "Claude.ai conversations Dec 2024–Jan 2025",
        "MIT (Hugging Face dataset card)",
        "O*NET tasks (O*NET-SOC 2010)",
        "percent of Claude.ai conversations mapped to the occupation's tasks",
    ),
    Measure(
        "ilo_2025",
        "ILO 2025 GenAI exposure",
        "Gmyrek, Berg, Kaminski et al. 2025, ILO Working Paper 140",
        "2025 refined index",
        "none stated; cite ILO WP 140",
        "ISCO-08 4-digit",
        "mean task exposure score, 0–1",
    ),
    Measure(
        "frey_osborne",
        "Frey & Osborne",
        "Frey & Osborne 2013/2017, appendix (third-party parse)",
        "2013",
        "none stated; cite the paper",
        "SOC 2010 (OES 2010 codes)",
        "probability of computerisation, 0–1",
    ),
)
MEASURE_NAMES = [m.name for m in MEASURES]
BETA_WEIGHTING = "paper"
AEI_TASKS_FILE = "anthropic-economic-index/release_2025_02_10/onet_task_statements.csv"

# Database tables the measures are computed from (raw tables loaded by the build).
INPUT_TABLES = {
    "soc_structure": "soc_structure",
    "oews": "oews_national_2025",
    "nem": "onet_soc_crosswalk",
    "aioe": "aioe_2021",
    "lm_aioe": "aioe_lm_2023",
    "ms": "msft_ai_applicability",
    "aei_usage": "aei_task_usage_v1",
    "aei_tasks": "aei_task_statements_v1",
    "ilo": "ilo_genai_2025",
    "isco_soc2010": "isco_soc2010_crosswalk",
    "frey_osborne": "frey_osborne",
    "soc2010_2018": "soc2010_soc2018_crosswalk",
    "onet2010_2019": "onet2010_onet2019_crosswalk",
}


def _soc2010_weights(xwalk: pd.DataFrame, emp: pd.Series) -> pd.Series:
    return allocate_employment(xwalk, "soc_2010_code", "soc_2018_code", emp)


def onet_soc_links(onet_xwalk: pd.DataFrame) -> pd.DataFrame:
    """SOC 2010 -> SOC 2018 links implied by the O*NET-SOC 2010 -> 2019 crosswalk (its codes
    truncated to SOC): finer than the BLS SOC crosswalk where O*NET moved a specialty, e.g.
    Business Intelligence Analysts (15-1199.08) and Clinical Data Managers (15-2041.02) into
    15-2051 Data Scientists."""
    return pd.DataFrame(
        {
            "soc_2010_code": onet_xwalk["onet_2010_code"].str[:7],
            "soc_2018_code": onet_xwalk["onet_2019_code"].str[:7],
        }
    ).drop_duplicates()


def soc2010_to_soc2018(
    scores: pd.Series,
    xwalk: pd.DataFrame,
    emp: pd.Series,
    onet_links: pd.DataFrame,
    extra: dict[str, tuple[str, ...]] | None = None,
) -> tuple[pd.Series, list[str], list[str]]:
    """Scores on SOC 2010 codes -> SOC 2018, employment-weighted (see measures.crosswalk).

    First route: the BLS SOC 2010 -> 2018 crosswalk. SOC 2018 codes it leaves without a value
    (their only SOC 2010 source is unscored, typically an "All Other" residual) take the
    second route, the SOC links implied by the O*NET-SOC 2010 -> 2019 crosswalk. Returns the
    scores, the SOC 2018 codes filled by the second route, and the source codes that match no
    SOC 2010 code.
    """
    detailed, unplaced = expand_groups(scores, set(xwalk["soc_2010_code"]), extra)
    weights = _soc2010_weights(xwalk, emp)
    first = carry(detailed, xwalk, "soc_2010_code", "soc_2018_code", weights)
    second = carry(detailed, onet_links, "soc_2010_code", "soc_2018_code", weights)
    second = second[~second.index.isin(first.index)]
    return pd.concat([first, second]).rename(scores.name), sorted(second.index), unplaced


def ilo_to_soc2018(
    ilo: pd.DataFrame,
    isco_xwalk: pd.DataFrame,
    soc_xwalk: pd.DataFrame,
    emp: pd.Series,
    onet_links: pd.DataFrame,
) -> tuple[pd.Series, list[str], list[str]]:
    """ILO 2025 index: ISCO-08 -> SOC 2010 -> SOC 2018, employment-weighted at each merge.

    The crosswalk's two 3-digit ISCO groups (211, 315) link to every ILO 4-digit code under
    them. ISCO codes weigh by the SOC 2010 employment allocated to them. Returns the scores,
    the SOC 2018 codes filled by the second route, and the ISCO codes linked to no SOC code.
    """
    scores = ilo.set_index("isco_08_code")["mean_score_2025"]
    links = isco_xwalk[["isco_08_code", "soc_2010_code"]]
    short = links["isco_08_code"].str.len() < 4
    expanded = [
        (code, soc)
        for group, soc in links[short].itertuples(index=False)
        for code in scores.index
        if code.startswith(group)
    ]
    links = pd.concat(
        [links[~short], pd.DataFrame(expanded, columns=["isco_08_code", "soc_2010_code"])]
    )
    emp2010 = _soc2010_weights(soc_xwalk, emp)
    emp_isco = allocate_employment(links, "isco_08_code", "soc_2010_code", emp2010)
    soc2010 = carry(scores, links, "isco_08_code", "soc_2010_code", emp_isco)
    unlinked = sorted(set(scores.index) - set(links["isco_08_code"]))
    out, second, unplaced = soc2010_to_soc2018(soc2010, soc_xwalk, emp, onet_links)
    return out, second, unlinked + unplaced


def aei_to_soc2018(usage: pd.DataFrame, tasks: pd.DataFrame, onet_xwalk: pd.DataFrame) -> pd.Series:
    """AEI conversation share per SOC 2018 code (percent of all conversations).

    As in Handa et al., a task statement shared by several occupations splits its share
    equally among them; an occupation's usage is the sum over its tasks. The release's task
    list uses O*NET-SOC 2010 codes (15-1132.00 Software Developers, Applications …), so each
    occupation's usage is then split equally over its O*NET-SOC 2019 successors, whose first
    seven characters are the SOC 2018 code, and summed per SOC code. Shares stay additive:
    the table sums to 100 less the ``none`` pseudo-task (conversations matching no task).
    Occupations of the task list without any reported task get 0 (below the release's
    reporting minimum), not NaN; SOC codes outside the task list stay NaN. Also returns the
    task names that match no statement (other than ``none``).
    """
    links = tasks.assign(task_name=tasks["task"].str.lower().str.strip())[
        ["task_name", "onet_soc_code"]
    ].drop_duplicates()
    n = links.groupby("task_name")["onet_soc_code"].transform("size")
    links["pct"] = links["task_name"].map(usage.set_index("task_name")["pct"]) / n
    # Occupations in the release's task list with no reported conversations get 0: the
    # release lists only tasks above its reporting minimum, so their share is below it.
    by_onet2010 = links.groupby("onet_soc_code")["pct"].sum(min_count=0).fillna(0.0)
    successors = onet_xwalk[["onet_2010_code", "onet_2019_code"]].drop_duplicates()
    successors = successors[successors["onet_2010_code"].isin(by_onet2010.index)]
    k = successors.groupby("onet_2010_code")["onet_2019_code"].transform("size")
    share = successors["onet_2010_code"].map(by_onet2010) / k
    missing = sorted(set(by_onet2010.index) - set(successors["onet_2010_code"]))
    if missing:
        msg = f"AEI occupations without an O*NET-SOC 2019 successor: {missing[:10]}"
        raise LayoutError(AEI_TASKS_FILE, msg, column="O*NET-SOC Code")
    unmatched = sorted(set(usage["task_name"]) - set(links["task_name"]) - {"none"})
    return share.groupby(successors["onet_2019_code"].str[:7]).sum(), unmatched


def pooled_to_members(scores: pd.Series, nem: pd.DataFrame) -> pd.Series:
    """Scores published on BLS pooled NEM codes (13-1020 …) copied onto each SOC 2018
    detailed member code that has no score of its own (a split: same score on each)."""
    pools = nem[~nem["nem_is_soc_detailed"].astype(bool)][["nem_code", "soc_2018_code"]]
    pools = pools.drop_duplicates()
    pools = pools[pools["nem_code"].isin(scores.index) & ~pools["soc_2018_code"].isin(scores.index)]
    copied = pd.Series(
        pools["nem_code"].map(scores).to_numpy(), index=pools["soc_2018_code"].to_numpy()
    )
    return pd.concat([scores[~scores.index.isin(pools["nem_code"])], copied]).rename(scores.name)


def betas_to_soc2018(exposure: pd.DataFrame, nem: pd.DataFrame) -> dict[str, pd.Series]:
    """β per SOC 2018 code for each label source: unweighted mean over the O*NET-SOC
    occupations of the code (OEWS has no employment below SOC detailed)."""
    soc = nem.set_index("onet_soc_code")["soc_2018_code"]
    frame = exposure[exposure["weighting"] == BETA_WEIGHTING].copy()
    # Occupations outside the NEM crosswalk (military) keep their SOC code, the first 7 chars.
    frame["soc_2018_code"] = frame["onet_soc_code"].map(soc).fillna(frame["onet_soc_code"].str[:7])
    out = {}
    for source in SOURCES:
        part = frame[frame["source"] == source]
        out[f"beta_{source}"] = part.groupby("soc_2018_code")["beta"].mean()
    return out


def compute_measures(
    inputs: dict[str, pd.DataFrame], exposure: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide table and its coverage from parsed source tables (keys of INPUT_TABLES) and,
    optionally, the ``occupation_exposure`` table (without it the β columns are empty)."""
    base = soc2018_employment(inputs["soc_structure"], inputs["oews"], inputs["nem"])
    emp = base.set_index("soc_2018_code")["employment"]
    xw = inputs["soc2010_2018"]
    cols: dict[str, pd.Series] = {}
    second_route: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}  # source keys whose value reaches no SOC 2018 code
    links = onet_soc_links(inputs["onet2010_2019"])
    if exposure is not None:
        cols.update(betas_to_soc2018(exposure, inputs["nem"]))
    for name, key, column, extra in (
        ("aioe", "aioe", "aioe", None),
        ("lm_aioe", "lm_aioe", "lm_aioe", None),
        ("frey_osborne", "frey_osborne", "probability", HYBRID_CODES),
    ):
        scores = inputs[key].set_index("soc_2010_code")[column]
        cols[name], second_route[name], lost[name] = soc2010_to_soc2018(
            scores, xw, emp, links, extra
        )
    ms = inputs["ms"].set_index("soc_2018_code")["ai_applicability"]
    cols["ms_ai_applicability"] = pooled_to_members(ms, inputs["nem"])
    cols["aei_task_usage"], lost["aei_task_usage"] = aei_to_soc2018(
        inputs["aei_usage"], inputs["aei_tasks"], inputs["onet2010_2019"]
    )
    cols["ilo_2025"], second_route["ilo_2025"], lost["ilo_2025"] = ilo_to_soc2018(
        inputs["ilo"], inputs["isco_soc2010"], xw, emp, links
    )

    wide = base[["soc_2018_code", "title", "employment"]].copy()
    unmatched = {}
    for name in MEASURE_NAMES:
        series = cols.get(name, pd.Series(dtype=float))
        outside = int((~series.index.isin(wide["soc_2018_code"])).sum())
        unmatched[name] = outside + len(lost.get(name, []))
        wide[name] = wide["soc_2018_code"].map(series).astype("float64")
    cov = coverage(wide, unmatched)
    cov["codes_second_route"] = [len(second_route.get(m, [])) for m in MEASURE_NAMES]
    return wide, cov


def coverage(wide: pd.DataFrame, unmatched: dict[str, int] | None = None) -> pd.DataFrame:
    """Per measure: SOC codes and employment with a value, without, and the share.

    ``employment_covered + employment_uncovered = employment_total`` (OEWS May 2025 employment
    of all SOC 2018 detailed codes, pooled codes split). ``source_codes_unmatched`` counts
    the measure's own keys (codes, or AEI task statements) whose value reaches no SOC 2018
    detailed code, so that nothing drops out unseen (0 for every measure on the mirror).
    """
    emp = wide["employment"].fillna(0.0)
    rows = []
    for m in MEASURES:
        has = wide[m.name].notna()
        rows.append(
            {
                "measure": m.name,
                "label": m.label,
                "native_key": m.native_key,
                "codes_covered": int(has.sum()),
                "codes_total": len(wide),
                "employment_covered": float(emp[has].sum()),
                "employment_uncovered": float(emp[~has].sum()),
                "employment_total": float(emp.sum()),
                "employment_share": float(emp[has].sum() / emp.sum()) if emp.sum() else 0.0,
                "source_codes_unmatched": (unmatched or {}).get(m.name, 0),
            }
        )
    return pd.DataFrame(rows)


def derive_measures(con: duckdb.DuckDBPyConnection, ctx: BuildContext | None = None) -> None:
    """Build step: create ``measures_soc2018`` and ``measure_coverage`` in the open database."""
    inputs = {key: con.execute(f'SELECT * FROM "{t}"').df() for key, t in INPUT_TABLES.items()}
    exposure = con.execute("SELECT * FROM occupation_exposure").df()
    wide, cov = compute_measures(inputs, exposure)
    for name, frame in (("measures_soc2018", wide), ("measure_coverage", cov)):
        write_table(con, name, frame)


def load_measures(settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide table and the coverage table from the built database."""
    with connect(settings.db_path) as con:
        wide = query(con, "SELECT * FROM measures_soc2018 ORDER BY soc_2018_code")
        cov = query(con, "SELECT * FROM measure_coverage")
    return wide, cov
