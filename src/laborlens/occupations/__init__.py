"""Find an occupation by code or title, and everything the database knows about it."""

from laborlens.occupations.profile import (
    occupation_geography,
    occupation_profile,
    occupation_tasks,
)
from laborlens.occupations.search import OccupationSearch

__all__ = ["OccupationSearch", "occupation_geography", "occupation_profile", "occupation_tasks"]
