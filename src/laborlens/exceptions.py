"""Exceptions raised by laborlens.

LaborlensError
├── ConfigError          a setting (path, option, environment variable) is unusable
├── SourceError          a source file cannot be obtained
│   ├── SourceMissingError   not in the mirror and not downloadable (offline, unknown source)
│   └── ChecksumError        bytes do not match the registered sha256
├── LayoutError          a file's layout or one of its values is not what the parser expects
├── InputError           a user's input (file, text, code, query) is unusable; names row/field
│   ├── PostingInputError, TitleInputError, ModelInputError, SearchQueryError
│   └── UnknownOccupationError
├── NotFittedError       a model was used before ``fit`` or ``load``
├── BuildError           the database build failed (the previous database is left untouched)
├── DatabaseError        the database is missing, or lacks a table a command needs
│   └── ModelUnavailableError  the trained models a service request needs are missing
└── OccupationError      an occupation code or title cannot be resolved
    ├── OccupationNotFoundError   no occupation has that code or title
    └── AmbiguousOccupationError  several occupations match; ``candidates`` lists them
"""

from __future__ import annotations

from pathlib import Path


class LaborlensError(Exception):
    """Base class for every error laborlens raises on purpose."""


class ConfigError(LaborlensError):
    """A setting is unusable."""


class SourceError(LaborlensError):
    """A registered source file cannot be obtained."""


class SourceMissingError(SourceError):
    """A source file is neither in the mirror nor in the cache, and cannot be downloaded."""


class ChecksumError(SourceError):
    """A file's sha256 differs from the registered one."""

    def __init__(self, file: str | Path, expected: str, found: str, *, action: str = "") -> None:
        self.file = str(file)
        self.expected = expected
        self.found = found
        msg = f"sha256 mismatch for {self.file}: expected {expected}, found {found}."
        if action:
            msg = f"{msg} {action}"
        super().__init__(msg)


class LayoutError(LaborlensError):
    """A file's layout or a value in it is not what the parser expects."""

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.sheet = sheet
        where = [self.file]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


class BuildError(LaborlensError):
    """The database build failed; the previous database, if any, is unchanged."""


class DatabaseError(LaborlensError):
    """The database is missing or lacks what a command needs."""


class OccupationError(LaborlensError):
    """An occupation given by code or title cannot be resolved to one O*NET-SOC occupation."""


class OccupationNotFoundError(OccupationError):
    """No occupation has the given code or title."""


class AmbiguousOccupationError(OccupationError):
    """Several occupations match; ``candidates`` holds (onet_soc_code, title) pairs."""

    def __init__(self, text: str, candidates: list[tuple[str, str]], *, limit: int = 20) -> None:
        self.text = text
        self.candidates = candidates
        shown = "; ".join(f"{code} {title}" for code, title in candidates[:limit])
        more = f" and {len(candidates) - limit} more" if len(candidates) > limit else ""
        super().__init__(
            f"{text!r} matches {len(candidates)} occupations: {shown}{more}. "
            "Give one O*NET-SOC code."
        )


class InputError(LaborlensError, ValueError):
    """A user's input (a file, a text, a code, a query) is unusable; the message names it."""


class PostingInputError(InputError):
    """The posting cannot be read as text; the message says why."""


class UnknownOccupationError(InputError, KeyError):
    """A code that is not a SOC 2018 detailed code or O*NET-SOC 2019 occupation."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class SearchQueryError(InputError):
    """The search text is unusable (empty or too long)."""


class ModelUnavailableError(DatabaseError):
    """The trained models the request needs are not on this machine."""


class TitleInputError(InputError):
    """Titles given to the coder are unusable; the message names the row."""


class NotFittedError(LaborlensError, AttributeError):
    """The model was used before ``fit`` (or ``load``)."""


class ModelInputError(InputError):
    """Texts or labels given to a model are unusable; the message names the row."""
