"""What the database holds: each source-backed table, the file it comes from and its parser."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from laborlens.capability import Table
from laborlens.sources import (
    aei,
    aioe,
    bls,
    crosswalks,
    eloundou,
    frey_osborne,
    ilo,
    microsoft,
    onet,
    soc,
)


@dataclass(frozen=True)
class TableSpec:
    """A table loaded one-to-one from a registered source file."""

    name: str
    source: str
    reader: Callable[[Path], pd.DataFrame]
    description: str


SOURCE_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "onet_occupations",
        "onet_occupation_data",
        onet.read_occupations,
        "O*NET-SOC 2019 occupations: code, title, description",
    ),
    TableSpec(
        "onet_job_zones",
        "onet_job_zones",
        onet.read_job_zones,
        "Job Zone (1–5, education and preparation) per occupation",
    ),
    TableSpec(
        "onet_tasks",
        "onet_task_statements",
        onet.read_task_statements,
        "O*NET 29.3 task statements with Core/Supplemental type",
    ),
    TableSpec(
        "onet_alternate_titles",
        "onet_alternate_titles",
        onet.read_alternate_titles,
        "Alternate job titles per occupation",
    ),
    TableSpec(
        "onet_reported_titles",
        "onet_sample_of_reported_titles",
        onet.read_reported_titles,
        "Job titles reported by incumbents",
    ),
    TableSpec(
        "onet_skills",
        "onet_skills",
        onet.read_ratings,
        "Skill importance (IM) and level (LV) ratings, one row per occupation×skill×scale",
    ),
    TableSpec(
        "onet_knowledge",
        "onet_knowledge",
        onet.read_ratings,
        "Knowledge importance (IM) and level (LV) ratings",
    ),
    TableSpec(
        "onet_technology_skills",
        "onet_technology_skills",
        onet.read_technology_skills,
        "Technology skills (software examples) per occupation",
    ),
    TableSpec(
        "onet_tasks_to_dwas",
        "onet_tasks_to_dwas",
        onet.read_tasks_to_dwas,
        "Task → Detailed Work Activity links",
    ),
    TableSpec(
        "onet_dwas",
        "onet_dwa_reference",
        onet.read_dwa_reference,
        "Detailed Work Activities with their IWA and GWA",
    ),
    TableSpec(
        "onet_iwas",
        "onet_iwa_reference",
        onet.read_iwa_reference,
        "Intermediate Work Activities with their Generalized Work Activity",
    ),
    TableSpec(
        "onet_content_model",
        "onet_content_model_reference",
        onet.read_content_model,
        "O*NET Content Model elements (names of skills, knowledge, GWAs …)",
    ),
    TableSpec(
        "exposure_labels",
        "gpts_full_labelset",
        eloundou.read_exposure_labels,
        "Eloundou et al. task labels: human and GPT-4 E-rubric exposure (O*NET 27.2 tasks)",
    ),
    TableSpec(
        "automation_labels",
        "gpts_automation_labels",
        eloundou.read_automation_labels,
        "Eloundou et al. T-rubric automation labels (GPT-4 all tasks, humans a subset)",
    ),
    TableSpec(
        "paper_task_weights",
        "gpts_full_onet_data",
        eloundou.read_task_weights,
        "Task weights released with the paper (core 2 / supplemental 1; equal)",
    ),
    TableSpec(
        "published_occupation_exposure",
        "gpts_occ_level",
        eloundou.read_occupation_level,
        "The paper's published occupation α/β/γ (occ_level.csv), for reproduction checks",
    ),
    TableSpec(
        "oews_national_2025",
        "bls_oews_national_m2025",
        bls.read_oews_national,
        "OEWS May 2025 national employment and wages by SOC 2018 code",
    ),
    TableSpec(
        "oews_national_2021",
        "gpts_oews_national_may2021",
        bls.read_oews_national,
        "OEWS May 2021 national employment and wages (the paper's vintage)",
    ),
    TableSpec(
        "oews_areas_2025",
        "bls_oews_2025_sqlite",
        bls.read_oews_geography,
        "OEWS May 2025 cross-industry employment and wages by state and metro area",
    ),
    TableSpec(
        "projections_2024_34",
        "bls_ep_occupation_xlsx",
        bls.read_projections,
        "BLS Employment Projections 2024–34 (Table 1.2)",
    ),
    TableSpec(
        "onet_soc_crosswalk",
        "gpts_nem_onet_to_soc_crosswalk",
        soc.read_onet_soc_crosswalk,
        "O*NET-SOC 2019 → SOC 2018 (BLS NEM crosswalk, 9/2023)",
    ),
    TableSpec(
        "soc_structure",
        "soc_structure_2018",
        soc.read_soc_structure,
        "SOC 2018 hierarchy: major, minor, broad groups and detailed occupations",
    ),
    # Public AI-exposure measures and the crosswalks that put them on SOC 2018 (measures/).
    TableSpec(
        "aioe_2021",
        "aioe_data_appendix",
        aioe.read_aioe,
        "Felten, Raj & Seamans AIOE by SOC 2010 code (Appendix A)",
    ),
    TableSpec(
        "aioe_lm_2023",
        "aioe_language_modeling",
        aioe.read_lm_aioe,
        "Felten, Raj & Seamans language-modelling AIOE by SOC 2010 code",
    ),
    TableSpec(
        "msft_ai_applicability",
        "msft_soc_ai_applicability_scores",
        microsoft.read_ai_applicability,
        "Microsoft Research AI applicability score by SOC 2018 code (Tomlinson et al. 2025)",
    ),
    TableSpec(
        "aei_task_usage_v1",
        "aei_v1_onet_task_mappings",
        aei.read_task_usage,
        "Anthropic Economic Index 2025-02-10: percent of Claude.ai conversations per O*NET task",
    ),
    TableSpec(
        "aei_task_statements_v1",
        "aei_v1_onet_task_statements",
        aei.read_task_statements,
        "O*NET task statements shipped with AEI 2025-02-10 (task text -> O*NET-SOC code)",
    ),
    TableSpec(
        "ilo_genai_2025",
        "ilo_genai_task_scores_2025",
        ilo.read_ilo_scores,
        "ILO 2025 generative-AI exposure index per ISCO-08 4-digit occupation (WP 140)",
    ),
    TableSpec(
        "isco_soc2010_crosswalk",
        "soc_isco_crosswalk",
        crosswalks.read_isco_soc2010_crosswalk,
        "ISCO-08 -> SOC 2010 crosswalk (BLS, 2012, updated 2015)",
    ),
    TableSpec(
        "frey_osborne",
        "frey_osborne_automation_risk",
        frey_osborne.read_frey_osborne,
        "Frey & Osborne probability of computerisation by SOC 2010 (OES 2010) code",
    ),
    TableSpec(
        "soc2010_soc2018_crosswalk",
        "frey_osborne_soc2010_to_soc2018_crosswalk",
        crosswalks.read_soc2010_to_2018,
        "SOC 2010 -> SOC 2018 detailed-occupation crosswalk (BLS)",
    ),
    TableSpec(
        "onet2010_onet2019_crosswalk",
        "soc_2010_to_2019_onet_crosswalk",
        crosswalks.read_onet_2010_to_2019,
        "O*NET-SOC 2010 -> O*NET-SOC 2019 taxonomy crosswalk (O*NET Center)",
    ),
)

META_TABLES: tuple[Table, ...] = (
    Table("sources", "Every source file the build read: release, license, sha256, the table or "
          "build step that used it, rows loaded"),
    Table("tables", "Every table: description, row count, the sources and capability it comes "
          "from"),
    Table("build_info", "Build metadata: laborlens version, schema version, fingerprint, time, "
          "the mirror it was built from, the capabilities built"),
)
