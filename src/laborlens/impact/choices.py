"""The choices behind every impact figure, as one frozen value that each result table carries.

A figure such as "19 % of workers have at least half their tasks exposed" depends on which task
labels are used, how tasks are weighted within an occupation, which of α/β/γ is thresholded,
the threshold, which OEWS year supplies employment, and how O*NET occupations are linked to
OEWS employment. :class:`Choices` names all of them; ``as_columns()`` puts them on tables.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from laborlens.exceptions import ConfigError
from laborlens.exposure.rubric import MEASURES, SOURCES, WEIGHTINGS

VINTAGES: tuple[int, ...] = (2021, 2025)
LINKS: tuple[str, ...] = ("crosswalk", "paper")


@dataclass(frozen=True)
class Choices:
    """One set of aggregation choices.

    source
        ``human`` or ``gpt4`` labels of the paper (O*NET 27.2 tasks) or ``model``, the default
        laborlens model's probabilities over O*NET 29.3 tasks.
    weighting
        ``paper`` (Core tasks 2, others 1), ``equal`` or ``core`` (Core tasks only).
    measure
        ``alpha`` (E1), ``beta`` (E1 + ½ E2) or ``gamma`` (E1 + E2).
    threshold
        Share of an occupation's tasks that must be exposed for its workers to count as
        exposed in the headline share; in (0, 1].
    vintage
        OEWS May 2021 (the paper's) or May 2025 (default) national employment and wages.
    link
        ``crosswalk``: O*NET-SOC 2019 → the OEWS code via the BLS NEM crosswalk, scores
        averaged per OEWS code, each worker counted once. ``paper``: the paper's own title
        match (``occupations_onet_bls_matched.csv``), where each O*NET occupation carries the
        full employment of the OEWS row it matched, so shared rows count more than once.
    """

    source: str = "human"
    weighting: str = "paper"
    measure: str = "beta"
    threshold: float = 0.5
    vintage: int = 2025
    link: str = "crosswalk"

    def __post_init__(self) -> None:
        for name, allowed in (
            ("source", SOURCES),
            ("weighting", WEIGHTINGS),
            ("measure", MEASURES),
            ("vintage", VINTAGES),
            ("link", LINKS),
        ):
            value = getattr(self, name)
            if value not in allowed:
                msg = f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}"
                raise ConfigError(msg)
        if not isinstance(self.threshold, int | float) or not 0 < self.threshold <= 1:
            msg = f"threshold must be a number in (0, 1]; got {self.threshold!r}"
            raise ConfigError(msg)

    def as_columns(self) -> dict[str, object]:
        """The choices as a dict of table columns."""
        return asdict(self)

    def label(self) -> str:
        """A short human-readable description."""
        return (
            f"{self.source} {self.measure} ≥ {self.threshold:g}, {self.weighting} weighting, "
            f"OEWS May {self.vintage}, {self.link} link"
        )


PAPER_HEADLINE: dict[float, float] = {0.1: 0.80, 0.5: 0.19}
"""Eloundou et al. (2023), abstract: "around 80% of the U.S. workforce could have at least 10% of
their work tasks affected …, while approximately 19% of workers may see at least 50% of their
tasks impacted" (human β, OEWS May 2021)."""

PAPER_CHOICES = Choices(
    source="human", weighting="paper", measure="beta", threshold=0.5, vintage=2021, link="paper"
)
"""The choice set closest to the paper's headline (see docs/impact.md)."""
