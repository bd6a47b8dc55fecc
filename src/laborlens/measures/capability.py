"""The measures capability: every public AI exposure measure on the SOC 2018 key."""

from laborlens.capability import Capability, Table

CAPABILITY = Capability(
    name="measures",
    title="Public AI measures compared",
    tables=(
        Table(
            "measures_soc2018",
            "Every public AI measure on one key: one row per SOC 2018 detailed code with title, "
            "OEWS May 2025 employment and a column per measure (docs/measures.md)",
        ),
        Table(
            "measure_coverage",
            "Per measure: SOC 2018 codes and employment with a value, and the share",
        ),
    ),
    build="laborlens.measures.core:derive_measures",
    section="laborlens.measures.report:measures_section",
    report_order=20,
)
