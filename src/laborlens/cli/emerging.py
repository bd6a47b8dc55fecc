"""``laborlens emerging``: how O*NET task content changed and whether new work is more exposed
(docs/emerging.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from laborlens.cli._common import (
    DbOption,
    Output,
    check_output_path,
    handle_errors,
    out_print,
    output_options,
    settings_from,
    to_json,
)

app = typer.Typer(
    help="New, removed and revised O*NET task statements (20.1 -> 29.3 -> 30.1), emerging "
    "tasks, new and growing occupations, AI work, rated by the default models.",
    no_args_is_help=True,
)

CAVEAT = (
    "O*NET revises occupations on a rolling schedule (an unchanged occupation may not have been "
    "revisited); a 'new' statement may be an old one reworded; β is exposure, not job loss."
)


@app.command("tasks")
@handle_errors
@output_options
def emerging_tasks(
    old: Annotated[str, typer.Option("--from", help="Earlier release: 20.1 or 29.3")] = "20.1",
    new: Annotated[str, typer.Option("--to", help="Later release: 29.3 or 30.1")] = "29.3",
    unchanged: Annotated[
        bool, typer.Option("--unchanged", help="Also list unchanged statements")
    ] = False,
    db: DbOption = None,
) -> Output:
    """One row per statement: onet_soc_code, task_id, task, status (new, removed, revised_old,
    revised_new, emerging), release, exposure, p_E0, p_E1, p_E2, beta, automation. Emerging
    statements come with --to 29.3.

    Example: laborlens emerging tasks --from 20.1 --to 29.3 -o changes.csv
    """
    from laborlens.emerging.query import task_rows

    frame = task_rows(settings_from(db=db), old, new, include_unchanged=unchanged)
    counts = frame["status"].value_counts()
    notes = [", ".join(f"{s} {int(n):,}" for s, n in counts.items()), CAVEAT]
    return Output(
        frame,
        title=f"Task statements, O*NET {old} -> {new} (first 20 rows)",
        display=frame.head(20),
        notes=notes,
        written="Wrote {n} statements to {path}",
    )


@app.command("occupations")
@handle_errors
@output_options
def emerging_occupations(db: DbOption = None) -> Output:
    """One row per O*NET-SOC 2019 occupation: new since SOC 2010, employment, projected growth
    2024-34 and rank, β, task change since 20.1 (Δβ new - removed with interval), emerging
    statements, hot / in-demand technologies, AI tools.

    Example: laborlens emerging occupations -o occupations.csv
    """
    from laborlens.emerging.query import occupation_rows

    frame = occupation_rows(settings_from(db=db))
    show = frame.sort_values("growth_rank").head(20)[
        ["onet_soc_code", "title", "new_since_soc_2010", "projected_change_percent", "beta",
         "change_delta_beta", "n_emerging"]
    ]
    new = int(frame["new_since_soc_2010"].sum())
    return Output(
        frame,
        title="Fastest-growing occupations 2024-34 (first 20)",
        display=show,
        notes=[f"{new} occupations new since SOC 2010", CAVEAT],
        written="Wrote {n} occupations to {path}",
    )


@app.command("summary")
@handle_errors
def emerging_summary(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSON here; stdout if omitted")
    ] = None,
    db: DbOption = None,
) -> None:
    """JSON: counts by status per comparison (and by task ID alone), β of new vs removed
    statements employment-weighted with a 95 % bootstrap interval, emerging statements against
    their occupations, the 2010 crosswalk check and AI shares.

    Example: laborlens emerging summary -o summary.json
    """
    from laborlens.emerging.query import summary

    check_output_path(output, (".json",))
    text = to_json(summary(settings_from(db=db))) + "\n"
    if output is None:
        print(text, end="")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    out_print(f"Wrote the summary to {output}")
