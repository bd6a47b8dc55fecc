"""The careers capability: transition similarities, career facts, and what to learn."""

from laborlens.capability import Capability, Table

CAPABILITY = Capability(
    name="careers",
    title="Career transitions",
    tables=(
        Table(
            "occupation_similarity",
            "Top-50 career destinations per occupation: asymmetric transition score, symmetric "
            "similarity, each component, job-zone step and level gaps (docs/careers.md)",
        ),
        Table(
            "career_facts",
            "Per occupation: job zone, OEWS May 2025 employment share and median wage, 2024–34 "
            "projected growth and openings, typical education, β per source",
        ),
        Table(
            "career_elements",
            "Skill and knowledge importance and level side by side, per occupation",
        ),
        Table(
            "career_dwas",
            "Detailed work activities per occupation, with how many occupations share each",
        ),
        Table(
            "career_technology",
            "Technology skill examples per occupation with hot/in-demand flags and how common "
            "each is among the occupation's peers",
        ),
    ),
    build="laborlens.careers.precompute:build_career_tables",
    section="laborlens.careers.report:careers_section",
    report_order=30,
)
