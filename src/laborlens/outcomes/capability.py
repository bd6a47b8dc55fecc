"""The outcomes capability: is exposure already showing in employment, wages and hiring?

Declared here without importing the analysis modules (pandas, statsmodels), so that listing
capabilities stays cheap; the build step and the section are imported when called.
"""

from laborlens.capability import Capability, Table

OEWS_SOURCES = {
    2017: "bls_oews_national_m2017",
    2018: "bls_oews_national_m2018",
    2019: "bls_oews_national_m2019",
    2020: "bls_oews_national_m2020",
    2021: "gpts_oews_national_may2021",
    2022: "bls_oews_national_m2022",
    2023: "bls_oews_national_m2023",
    2024: "bls_oews_national_m2024",
    2025: "bls_oews_national_m2025",
}
AEI_RELEASES = {f"v{i}": f"aei_task_pct_v{i}" for i in range(1, 6)}
OTHER_SOURCES = (
    "bls_cps_cpsaat11b_2025",
    "gpts_cpsaat11",
    "soc_census_2018_crosswalk",
    "indeed_postings_us_by_sector",
    "indeed_ai_posting",
)
SOURCES = (*OEWS_SOURCES.values(), *AEI_RELEASES.values(), *OTHER_SOURCES)

TABLES = {
    "outcomes_panel": "OEWS May 2017–2025 harmonized on SOC 2018 detailed codes: employment, "
    "mean and median annual wage, the rule that carried each code (docs/outcomes.md)",
    "outcomes_panel_coverage": "Per panel year: OEWS all-occupations total, harmonized "
    "employment, coverage, source codes, unmapped and suppressed codes",
    "outcomes_panel_unmapped": "OEWS source codes that reach no SOC 2018 code, with employment "
    "(none on the mirror)",
    "outcomes_trends": "Per measure × exposure group (quintiles of workers) × year: employment, "
    "employment and median-wage index (May 2022 = 100), occupations",
    "outcomes_summary": "Per measure: pre/post growth of top and bottom groups, difference-in-"
    "trends (bootstrap and major-group FE), placebo and slopes, with 95 % intervals",
    "outcomes_dissimilarity": "Occupational-mix dissimilarity index for every pair of years",
    "outcomes_sector_postings": "Indeed sectors: postings change since Feb 2020 and Nov 2022, "
    "May 2022 employment of the sector's SOC codes and its exposure per measure",
    "outcomes_postings_slopes": "Across Indeed sectors: slope of postings change on exposure "
    "per measure, with 95 % intervals and the correlation",
    "outcomes_ai_share": "Monthly share of job postings mentioning AI, by country (Indeed)",
    "outcomes_demographics": "Per measure × exposure group (quintiles of CPS workers): share "
    "aged 20–24 and 55+ (CPS 2025), women and race/ethnicity shares (CPS 2022)",
    "outcomes_projection_slopes": "Per measure: slope of projected 2024–34 growth on exposure "
    "(per 10 pp and per SD), employment-weighted, with 95 % intervals",
    "outcomes_usage": "Anthropic Economic Index usage (percent of conversations) per SOC 2018 "
    "code in releases v1–v5",
    "outcomes_usage_correlation": "Per measure: employment-weighted correlation of the change "
    "in AI usage (v1 → v5) with exposure",
}



CAPABILITY = Capability(
    name="outcomes",
    title="What is happening",
    sources=SOURCES,
    tables=tuple(Table(name, description) for name, description in TABLES.items()),
    build="laborlens.outcomes.run:derive_outcomes",
    section="laborlens.outcomes.section:outcomes_section",
    report_order=40,
)
