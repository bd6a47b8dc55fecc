"""Public entry points: code job titles against the built database."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from laborlens.config import Settings, get_settings
from laborlens.titles.coder import TitleCoder


# keyed by (file, mtime): after a rebuild the new coder replaces the old one instead of both
# staying alive
@lru_cache(maxsize=1)
def _coder(db_path: Path, mtime: float) -> TitleCoder:
    from laborlens.db.connection import connect

    with connect(db_path) as con:
        return TitleCoder.from_database(con)


def load_coder(settings: Settings | None = None) -> TitleCoder:
    """The coder over ``settings.db_path`` (loaded once per database file and version)."""
    settings = settings or get_settings()
    from laborlens.db.connection import connect  # noqa: F401  (clear error if missing)

    path = Path(settings.db_path)
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    return _coder(path, mtime)


def code_titles(
    titles: str | list[str],
    *,
    top: int = 5,
    min_probability: float = 0.0,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Job titles → ranked O*NET-SOC 2019 codes with SOC 2018 codes, titles and probabilities."""
    return load_coder(settings).code(titles, top=top, min_probability=min_probability)
