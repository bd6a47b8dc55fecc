"""The outcomes run: every table of the capability from parsed inputs, and the build step."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pandas as pd

from laborlens.capability import BuildContext
from laborlens.db.connection import connect, query, table_names, write_table
from laborlens.exceptions import DatabaseError
from laborlens.outcomes import demographics, dissimilarity, outlook, postings, trends
from laborlens.outcomes.capability import AEI_RELEASES, OEWS_SOURCES, TABLES
from laborlens.outcomes.panel import harmonize

log = logging.getLogger(__name__)

# tables of earlier build steps this step reads
DB_INPUTS = {
    "measures": "measures_soc2018",
    "soc_structure": "soc_structure",
    "soc2010_2018": "soc2010_soc2018_crosswalk",
    "nem": "onet_soc_crosswalk",
    "projections": "projections_2024_34",
    "aei_tasks": "aei_task_statements_v1",
    "onet2010_2019": "onet2010_onet2019_crosswalk",
}

@dataclass
class Inputs:
    """Everything the outcomes run reads, parsed."""

    oews: dict[int, pd.DataFrame]
    db: dict[str, pd.DataFrame]
    cps_age: pd.DataFrame
    cps_sex_race: pd.DataFrame
    census: pd.DataFrame
    sector_postings: pd.DataFrame
    ai_share: pd.DataFrame
    aei: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)


def read_inputs(con, source) -> Inputs:
    """Parse every input; ``source(name)`` gives a registered source's path."""
    from laborlens.sources import aei
    from laborlens.sources.cps import read_census_occ_2018, read_cps_age_2025, read_cps_sex_race
    from laborlens.sources.oews_history import read_oews_year

    present = set(table_names(con))
    missing = [t for t in DB_INPUTS.values() if t not in present]
    if missing:
        msg = f"The outcomes step needs the tables {', '.join(missing)}; build them first."
        raise DatabaseError(msg)
    db = {k: con.execute(f'SELECT * FROM "{t}"').df() for k, t in DB_INPUTS.items()}
    return Inputs(
        oews={y: read_oews_year(source(n)) for y, n in OEWS_SOURCES.items()},
        db=db,
        cps_age=read_cps_age_2025(source("bls_cps_cpsaat11b_2025")),
        cps_sex_race=read_cps_sex_race(source("gpts_cpsaat11")),
        census=read_census_occ_2018(source("soc_census_2018_crosswalk")),
        sector_postings=postings.read_sector_postings(source("indeed_postings_us_by_sector")),
        ai_share=postings.read_ai_share(source("indeed_ai_posting")),
        aei={k: aei.read_task_usage(source(n)) for k, n in AEI_RELEASES.items()},
    )


def measure_names(measures: pd.DataFrame) -> list[str]:
    """Measures of the wide table that have values (β model columns are empty without models)."""
    from laborlens.measures.core import MEASURE_NAMES

    return [m for m in MEASURE_NAMES if m in measures and measures[m].notna().any()]


def compute(inputs: Inputs, *, n_draws: int = trends.N_DRAWS, groups: int = 5) -> dict:
    """Every outcomes table (name -> frame)."""
    t = time.perf_counter()
    db = inputs.db
    measures = db["measures"]
    names = measure_names(measures)
    p = harmonize(inputs.oews, db["soc_structure"], db["soc2010_2018"], db["nem"])
    out = {
        "outcomes_panel": p.frame,
        "outcomes_panel_coverage": p.coverage,
        "outcomes_panel_unmapped": p.unmapped.astype({"soc_code": "string", "title": "string"}),
    }
    inputs.timings["panel"] = time.perf_counter() - t
    t = time.perf_counter()
    out["outcomes_trends"], out["outcomes_summary"] = trends.analyse(
        p.frame, measures, names, groups=groups, n_draws=n_draws
    )
    inputs.timings["trends"] = time.perf_counter() - t
    t = time.perf_counter()
    out["outcomes_dissimilarity"] = dissimilarity.dissimilarity(p.frame)
    # hiring
    detailed = db["soc_structure"].query("level == 'detailed'")["soc_code"].tolist()
    sectors = postings.expand_sectors(postings.read_sector_crosswalk(), detailed, strict=False)
    emp22 = p.frame[p.frame["year"] == trends.BASE_YEAR].set_index("soc_2018_code")["employment"]
    exposure = postings.sector_exposure(sectors, measures, emp22, names)
    changes = postings.sector_changes(inputs.sector_postings)
    table = exposure.merge(changes, on="sector", how="outer", indicator=True)
    unmatched = table[table["_merge"] != "both"]["sector"].tolist()
    if unmatched:
        # a fact of the data (the copy has no Insurance series), kept as rows with empty
        # postings columns and said in docs/outcomes.md, so not a warning
        log.info("Indeed sectors without a postings series or without SOC codes: %s", unmatched)
    out["outcomes_sector_postings"] = table.drop(columns="_merge")
    out["outcomes_postings_slopes"] = postings.postings_vs_exposure(table, names)
    out["outcomes_ai_share"] = postings.ai_share_monthly(inputs.ai_share)
    inputs.timings["postings"] = time.perf_counter() - t
    t = time.perf_counter()
    from laborlens.sources.cps import census_soc_links

    links = census_soc_links(inputs.census, detailed)
    cexp = demographics.census_exposure(links, measures, names)
    out["outcomes_demographics"] = demographics.by_group(
        inputs.cps_age, inputs.cps_sex_race, cexp, names, groups
    )
    inputs.timings["demographics"] = time.perf_counter() - t
    t = time.perf_counter()
    proj = outlook.projection_exposure(db["projections"], db["nem"], measures, names)
    out["outcomes_projection_slopes"] = outlook.projection_slopes(proj, names)
    usage, _ = outlook.usage_by_release(inputs.aei, db["aei_tasks"], db["onet2010_2019"])
    out["outcomes_usage"] = usage
    out["outcomes_usage_correlation"] = outlook.usage_growth(usage, measures, names, "v1", "v5")
    inputs.timings["outlook"] = time.perf_counter() - t
    return out


def derive_outcomes(con, ctx: BuildContext) -> None:
    """Build step: every outcomes table in the open database."""
    inputs = read_inputs(con, ctx.source)
    for name, frame in compute(inputs).items():
        write_table(con, name, frame)


def load_table(settings, name: str) -> pd.DataFrame:
    """One outcomes table from the built database."""
    if name not in TABLES:
        msg = f"unknown outcomes table {name!r}; known: {', '.join(TABLES)}"
        raise DatabaseError(msg)
    with connect(settings.db_path) as con:
        return query(con, f'SELECT * FROM "{name}"')
