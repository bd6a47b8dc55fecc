"""The emerging-work capability: how task content changed between O*NET releases and whether
the new work is more exposed than the work it replaced (docs/emerging.md)."""

from __future__ import annotations

from laborlens.capability import Capability, Table

CAPABILITY = Capability(
    name="emerging",
    title="New work",
    sources=(
        "onet20_task_statements",
        "onet30_task_statements",
        "onet_emerging_tasks",
    ),
    tables=(
        Table(
            "emerging_task_change",
            "Every O*NET task statement of 20.1 -> 29.3 and 29.3 -> 30.1 (O*NET-SOC 2019 codes) "
            "classified new / removed / revised_old / revised_new / unchanged, plus the 295 "
            "emerging statements, each rated by the default exposure and automation models",
        ),
        Table(
            "emerging_crosswalk_report",
            "O*NET-SOC 2010 codes and 20.1 task statements by how they were put on 2019 codes "
            "(unmapped always listed, with counts)",
        ),
        Table(
            "emerging_occupation_change",
            "Per comparison and occupation: statements by status, turnover, mean β of new and "
            "removed statements, Δβ with a 95 % bootstrap interval, OEWS May 2025 employment",
        ),
        Table(
            "emerging_group_change",
            "Per comparison, SOC major group and all occupations: employment-weighted and "
            "equal-weighted Δβ (new − removed) with two-stage 95 % bootstrap intervals, coverage",
        ),
        Table(
            "emerging_examples",
            "Largest changes both ways: occupations by Δβ with example statements, and "
            "revisions whose β moved most",
        ),
        Table(
            "emerging_statements",
            "The O*NET 29.3 emerging task statements rated, beside their occupation's current "
            "statements (mean β, percentile, the original's β for revisions)",
        ),
        Table(
            "emerging_statement_occupations",
            "Per occupation with emerging statements: count, mean β, current mean β, difference",
        ),
        Table(
            "emerging_occupations",
            "Per O*NET-SOC 2019 occupation: new since SOC 2010, employment, projected growth "
            "2024–34 and rank, β, task change since 20.1, emerging statements, hot / in-demand "
            "technologies and AI tools",
        ),
        Table(
            "emerging_ai_share",
            "Per release: task statements mentioning AI / machine learning / data science",
        ),
        Table("emerging_summary", "Headline numbers of the emerging-work analysis (key, value)"),
    ),
    build="laborlens.emerging.build:build_emerging_tables",
    section="laborlens.emerging.section:emerging_section",
    report_order=60,
    needs_models=True,
)
