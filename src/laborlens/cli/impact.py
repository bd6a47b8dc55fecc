"""``laborlens impact``: from tasks to occupations to workers, wages and places."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from laborlens.cli._common import (
    DbOption,
    MirrorOption,
    out,
    out_print,
    progress_bar,
    settings_from,
)


def impact(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the tables (CSV + Parquet)")
    ] = None,
    source: Annotated[str, typer.Option(help="human, gpt4 or model task scores")] = "human",
    measure: Annotated[str, typer.Option(help="alpha, beta or gamma")] = "beta",
    weighting: Annotated[str, typer.Option(help="Task weighting: paper, equal or core")] = "paper",
    threshold: Annotated[float, typer.Option(help="Share of tasks exposed, in (0, 1]")] = 0.5,
    vintage: Annotated[int, typer.Option(help="OEWS May 2021 or 2025 employment")] = 2025,
    link: Annotated[
        str, typer.Option(help="crosswalk (NEM crosswalk) or paper (the paper's title match)")
    ] = "crosswalk",
    draws: Annotated[int, typer.Option(help="Bootstrap draws (0: no intervals)")] = 1000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed")] = 0,
    db: DbOption = None,
    mirror: MirrorOption = None,
) -> None:
    """Workers, wages, education and places exposed, with bootstrap intervals and coverage.

    Exposure is the share of an occupation's tasks an LLM could speed up; it is not a forecast
    of job losses.

    Example: laborlens impact --source model -o impact/
    """
    from laborlens.impact import Choices, impact_tables, write_tables

    choices = Choices(
        source=source,
        weighting=weighting,
        measure=measure,
        threshold=threshold,
        vintage=vintage,
        link=link,
    )
    settings = settings_from(db=db, mirror=mirror)
    with progress_bar() as progress:
        tables = impact_tables(settings, choices, n_draws=draws, seed=seed, progress=progress)
    table = Table("figure", "value", "95 % interval", title=choices.label())
    head = tables["impact_all_workers"].iloc[0]
    bill = tables["impact_wage_bill"].iloc[0]
    rows = [
        (head, f"share_ge_{t:g}", f"workers with ≥ {t:.0%} of tasks exposed")
        for t in sorted({0.1, 0.5, threshold})
    ]
    rows += [
        (head, "mean_exposure", f"employment-weighted mean {measure}"),
        (bill, "mean_exposure", f"share of the wage bill in exposed tasks ({measure})"),
    ]
    for row, col, name in rows:
        interval = "–"
        if f"{col}_lo" in row:
            interval = f"{row[f'{col}_lo']:.1%} – {row[f'{col}_hi']:.1%}"
        table.add_row(name, f"{row[col]:.1%}", interval)
    out.print(table)
    out_print(
        f"coverage: {head['employment_covered']:,.0f} of {head['employment_total']:,.0f} workers "
        f"({head['employment_share_covered']:.1%}); {head['employment_unscored']:,.0f} in "
        f"{int(head['units_total'] - head['units_covered'])} occupations without a score, "
        f"{head['employment_unpublished']:,.0f} not published by occupation"
    )
    best = tables["impact_reproduction"].iloc[0]
    out_print(
        f"closest to the paper's 80 % / 19 %: {best['source']} {best['measure']}, "
        f"{best['weighting']} weighting, {best['link']} link: {best['share_ge_0.1']:.1%} / "
        f"{best['share_ge_0.5']:.1%}"
    )
    out_print("Exposure measures which tasks an LLM could speed up, not jobs that will be lost.")
    if output is not None:
        files = write_tables(tables, output)
        out_print(f"Wrote {len(files)} files ({len(tables)} tables) to {output}")
