"""Everything ``laborlens impact`` writes, and the impact section of ``laborlens report``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from laborlens.config import Settings
from laborlens.impact.automation import aei_comparison, employment_by_class, occupation_classes
from laborlens.impact.choices import Choices
from laborlens.impact.data import ImpactData, load
from laborlens.impact.run import compute_impact, published_headline, reproduction, sensitivity
from laborlens.impact.skills import skills_shift

Progress = Callable[[str, int, int], None]

# Sources behind the impact tables, by registry name (their licenses go in the methods text).
SOURCES_USED = (
    "gpts_full_labelset",
    "gpts_occ_level",
    "gpts_occupations_onet_bls_matched",
    "gpts_oews_national_may2021",
    "bls_oews_national_m2025",
    "bls_oews_2025_sqlite",
    "gpts_nem_onet_to_soc_crosswalk",
    "onet_task_statements",
    "onet_skills",
    "onet_knowledge",
    "onet_technology_skills",
    "gpts_automation_labels",
    "aei_automation_vs_augmentation_by_task_v5",
)


def impact_tables(
    settings: Settings,
    choices: Choices | None = None,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    data: ImpactData | None = None,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """All impact tables for one choice set, keyed by file stem (``impact_…``)."""
    choices = choices or Choices()
    report = progress or (lambda *_: None)
    steps = 6
    report("loading impact inputs", 0, steps)
    data = data or load(settings)
    report(f"aggregating with {n_draws} bootstrap draws", 1, steps)
    result = compute_impact(data, choices, n_draws=n_draws, seed=seed)
    tables = {f"impact_{k}": v for k, v in result.tables.items()}
    report("headline for every source", 2, steps)
    heads = []
    for source in data.tasks:
        alt = Choices(**{**choices.as_columns(), "source": source})
        if alt == choices:
            heads.append(result.tables["all_workers"])
        else:
            r = compute_impact(data, alt, n_draws=n_draws, seed=seed, geography=False)
            heads.append(r.tables["all_workers"])
    tables["impact_headline_by_source"] = pd.concat(heads, ignore_index=True)
    report("sensitivity and reproduction", 3, steps)
    grid = sensitivity(data)
    tables["impact_sensitivity"] = grid
    tables["impact_reproduction"] = reproduction(grid)
    tables["impact_published_headline"] = published_headline(data)
    report("automation and augmentation", 4, steps)
    classes = occupation_classes(data)
    tables["impact_ilo_occupations"] = classes
    tables["impact_ilo_employment"] = employment_by_class(data, classes, choices.vintage)
    aei = aei_comparison(data, classes, vintage=choices.vintage)
    tables["impact_aei_by_class"] = aei["aei_by_class"]
    tables["impact_aei_agreement"] = aei["aei_agreement"]
    report("skills shift", 5, steps)
    for k, v in skills_shift(data, choices).items():
        tables[f"impact_{k}"] = v
    report("done", steps, steps)
    return tables


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write every table as CSV and Parquet into ``out_dir`` atomically (see
    :func:`laborlens.io.staged_folder`: other files in ``out_dir`` are kept)."""
    from laborlens.io import staged_folder, write_table

    out_dir = Path(out_dir)
    with staged_folder(out_dir) as staging:
        for stem, frame in tables.items():
            write_table(frame, staging / f"{stem}.csv")
            write_table(frame, staging / f"{stem}.parquet")
    return sorted(out_dir / f"{stem}.{ext}" for stem in tables for ext in ("csv", "parquet"))
