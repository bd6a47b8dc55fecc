"""Exposure measures: task scores and their roll-up to occupations."""

from laborlens.exposure.occupation import (
    MEASURES,
    WEIGHTINGS,
    occupation_exposure,
    task_measures,
    task_weights,
)

__all__ = ["MEASURES", "WEIGHTINGS", "occupation_exposure", "task_measures", "task_weights"]
