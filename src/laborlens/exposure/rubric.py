"""The exposure rubric, in one place: levels, sources, task weightings and the α/β/γ formula.

Eloundou et al. (2024) label each O*NET task with one of three exposure levels; an occupation's
score is a weighted mean of its tasks' scores under one of three measures. Every module that
needs a level, a source name, a weighting or the formula imports it from here, so the rubric
cannot drift between the database build, the impact engine, the report and the service.

Levels
    ``E0`` no exposure, ``E1`` direct exposure (a large language model alone cuts the time a
    task takes by half or more at equal quality), ``E2`` exposure through software built on a
    large language model.
Measures
    ``alpha`` = E1, ``beta`` = E1 + ½·E2, ``gamma`` = E1 + E2, per task; with probabilities
    (the model) the expected value: p(E1), p(E1) + ½·p(E2), p(E1) + p(E2).
Weightings
    ``paper`` Core tasks weigh 2, Supplemental and untyped tasks 1 (the ``coreweight`` column of
    the paper's ``full_onet_data.tsv``; it reproduces ``occ_level.csv``); ``equal`` every task
    weighs 1; ``core`` Core tasks only (an occupation with no Core task gets no score).
Sources
    ``human`` and ``gpt4``: the paper's labels of O*NET 27.2 tasks; ``model``: the default
    laborlens model's probabilities over O*NET 29.3 tasks.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import numpy as np
import pandas as pd

from laborlens.exceptions import ConfigError, LaborlensError

LEVELS: tuple[str, ...] = ("E0", "E1", "E2")
LEVEL_NAMES: dict[str, str] = {
    "E0": "not exposed",
    "E1": "directly exposed (a language model alone halves the time)",
    "E2": "exposed through software built on a language model",
}
HARD_PROBABILITIES: dict[str, tuple[float, float]] = {
    "E0": (0.0, 0.0),
    "E1": (1.0, 0.0),
    "E2": (0.0, 1.0),
}
"""p(E1), p(E2) of each hard label: human and GPT-4 labels enter every roll-up like model output."""

MEASURES: tuple[str, ...] = ("alpha", "beta", "gamma")
MEASURE_SYMBOLS: dict[str, str] = {"alpha": "α", "beta": "β", "gamma": "γ"}
MEASURE_NAMES: dict[str, str] = {
    "alpha": "share of tasks directly exposed",
    "beta": "share of tasks exposed",
    "gamma": "share of tasks exposed, counting software fully",
}
MEASURE_FORMULAS: dict[str, str] = {
    "alpha": "E1",
    "beta": "E1 + ½·E2",
    "gamma": "E1 + E2",
}
_E2_WEIGHT: dict[str, float] = {"alpha": 0.0, "beta": 0.5, "gamma": 1.0}

Weighting = Literal["paper", "equal", "core"]
WEIGHTINGS: tuple[str, ...] = ("paper", "equal", "core")
WEIGHTING_NAMES: dict[str, str] = {
    "paper": "core tasks count double (as in the paper)",
    "equal": "every task counts once",
    "core": "core tasks only",
}

SOURCES: tuple[str, ...] = ("human", "gpt4", "model")
LABEL_SOURCES: tuple[str, ...] = ("human", "gpt4")
"""The sources with hard E0/E1/E2 labels (the paper's); ``model`` gives probabilities."""
SOURCE_NAMES: dict[str, str] = {
    "human": "Human raters",
    "gpt4": "GPT-4 ratings",
    "model": "laborlens model",
}
SOURCE_DESCRIPTIONS: dict[str, str] = {
    "human": "people who rated each O*NET 27.2 task for Eloundou et al. (2024)",
    "gpt4": "GPT-4's ratings of the same tasks, from the same paper",
    "model": "the laborlens model trained on the human ratings, applied to every O*NET 29.3 task",
}

A = TypeVar("A", np.ndarray, pd.Series)


def check_source(source: str) -> str:
    """``source`` if it is one of :data:`SOURCES`, else a ConfigError naming the choices."""
    if source not in SOURCES:
        msg = f"source must be one of {', '.join(SOURCES)}; got {source!r}"
        raise ConfigError(msg)
    return source


def check_weighting(weighting: str) -> str:
    """``weighting`` if it is one of :data:`WEIGHTINGS`, else a ConfigError naming the choices."""
    if weighting not in WEIGHTINGS:
        msg = f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}"
        raise ConfigError(msg)
    return weighting


def measure_values(p_e1: A, p_e2: A, measure: str) -> A:
    """α, β or γ of tasks from p(E1), p(E2) (or 0/1 indicators of hard labels)."""
    if measure == "alpha":
        return p_e1
    if measure not in _E2_WEIGHT:
        msg = f"measure must be alpha, beta or gamma; got {measure!r}"
        raise ConfigError(msg)
    if measure == "gamma":
        return p_e1 + p_e2
    return p_e1 + _E2_WEIGHT[measure] * p_e2


def measures_from_probabilities(p_e1: pd.Series, p_e2: pd.Series) -> pd.DataFrame:
    """Expected α, β, γ of tasks given p(E1) and p(E2)."""
    return pd.DataFrame({m: measure_values(p_e1, p_e2, m) for m in MEASURES})


def label_probabilities(labels: pd.Series) -> tuple[pd.Series, pd.Series]:
    """p(E1), p(E2) of hard labels; a missing label stays NaN, an unknown one raises naming it."""
    bad = labels.notna() & ~labels.isin(list(LEVELS))
    if bad.any():
        i = labels.index[int(bad.to_numpy().argmax())]
        msg = f"exposure label at row {i} is {labels.loc[i]!r}; expected E0, E1 or E2"
        raise LaborlensError(msg)
    p1 = labels.map({k: v[0] for k, v in HARD_PROBABILITIES.items()}).astype("float64")
    p2 = labels.map({k: v[1] for k, v in HARD_PROBABILITIES.items()}).astype("float64")
    return p1, p2


def task_weights(task_type: pd.Series, weighting: str) -> pd.Series:
    """Weight of each task under ``weighting``, from its Task Type (Core/Supplemental/blank)."""
    if weighting == "paper":
        return task_type.map({"Core": 2.0}).fillna(1.0).astype("float64")
    if weighting == "equal":
        return pd.Series(1.0, index=task_type.index)
    if weighting == "core":
        return (task_type == "Core").fillna(False).astype("float64")
    msg = f"weighting must be one of {', '.join(WEIGHTINGS)}; got {weighting!r}"
    raise LaborlensError(msg)


# Automation rubric (T0–T4) of the paper's automation labels, scored as level / 4.
AUTOMATION_LEVELS: dict[str, float] = {"T0": 0.0, "T1": 1.0, "T2": 2.0, "T3": 3.0, "T4": 4.0}
