"""The impact capability: from task exposure to workers, wages and places, with intervals."""

from laborlens.capability import Capability, Table
from laborlens.impact.automation import AEI_DEFAULT

CAPABILITY = Capability(
    name="impact",
    title="Labor-market impact",
    # read at build time into tables, so `laborlens impact` needs no mirror at query time
    sources=("gpts_occupations_onet_bls_matched", AEI_DEFAULT),
    tables=(
        Table(
            "impact_paper_match",
            "The GPTs-are-GPTs paper's own O*NET title ↔ OEWS May 2021 match "
            "(occupations_onet_bls_matched.csv), used by the `paper` link",
        ),
        Table(
            "impact_aei_collaboration",
            f"Anthropic Economic Index collaboration shares per task ({AEI_DEFAULT}), for the "
            "automation/augmentation comparison",
        ),
        Table(
            "impact_aggregates",
            "Impact figures with 95 % bootstrap intervals (1,000 draws, seed 0) per source × "
            "breakdown (all workers, wage bill, major group, wage decile, job zone, state, "
            "metro) × group × statistic (mean β, shares ≥ 0.1 / 0.5), with coverage "
            "(docs/impact.md)",
        ),
        Table(
            "impact_units",
            "Per source × OEWS detailed occupation: employment, mean and median wage, job zone "
            "and β score (mean over its O*NET occupations; NULL: unscored)",
        ),
    ),
    build="laborlens.impact.store:derive_impact_aggregates",
    section="laborlens.impact.section:impact_section",
    report_order=10,
)
