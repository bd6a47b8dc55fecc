"""The exposure capability: occupations and their α/β/γ per label source and weighting, and the
default models' rating of every O*NET 29.3 task."""

from laborlens.capability import Capability, Table

CAPABILITY = Capability(
    name="exposure",
    title="Exposure of occupations and tasks",
    tables=(
        Table(
            "occupations",
            "O*NET occupations with job zone, SOC 2018 detailed code, the OEWS/NEM code their "
            "employment is published under, and SOC major group",
        ),
        Table(
            "occupation_exposure",
            "α/β/γ per occupation for each source (human and gpt4 labels of O*NET 27.2 tasks; "
            "model: the default model over O*NET 29.3 tasks) and task weighting (paper, equal, "
            "core)",
        ),
        Table(
            "task_exposure_model",
            "Default exposure model's rating of every O*NET 29.3 task: label, p_E0/p_E1/p_E2 "
            "and beta",
        ),
        Table(
            "task_automation_model",
            "Default automation model's rating of every O*NET 29.3 task: label, p_T0…p_T4 and "
            "automation_score (expected level / 4)",
        ),
    ),
    build="laborlens.exposure.derive:derive_exposure",
)
