"""Find an occupation by code or title, and everything the database knows about it."""

from laborlens.occupations.profile import (
    ProfileIndex,
    occupation_geography,
    occupation_profile,
    occupation_tasks,
)
from laborlens.occupations.search import OccupationSearch
from laborlens.occupations.summary import occupation_summary

__all__ = [
    "OccupationSearch",
    "ProfileIndex",
    "occupation_geography",
    "occupation_profile",
    "occupation_summary",
    "occupation_tasks",
]
