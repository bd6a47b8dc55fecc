"""``laborlens report``: the self-contained HTML report with its tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from laborlens.cli._common import (
    DbOption,
    MirrorOption,
    OfflineOption,
    out_print,
    progress_bar,
    settings_from,
)


def report(
    out_dir: Annotated[
        Path,
        typer.Option("--output", "-o", "--out", help="Folder for report.html and tables/"),
    ] = Path("laborlens-report"),
    db: DbOption = None,
    mirror: MirrorOption = None,
    offline: OfflineOption = None,
    weighting: Annotated[str, typer.Option(help="Task weighting: paper, equal or core")] = "paper",
) -> None:
    """Build the database if needed and write the HTML report with CSV/Parquet tables.

    Example: laborlens report -o my-report
    """
    from laborlens.report import make_report

    settings = settings_from(db=db, mirror=mirror, offline=offline)
    with progress_bar() as progress:
        result = make_report(settings, out_dir, weighting=weighting, progress=progress)
    out_print(f"Report: {result.html}")
    out_print(f"Tables: {result.out_dir / 'tables'} ({len(result.tables)} tables, CSV and Parquet)")
