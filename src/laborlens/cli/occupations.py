"""``laborlens occupations``: occupation-level exposure tables."""

from __future__ import annotations

from typing import Annotated

import typer

from laborlens.cli._common import DbOption, Output, handle_errors, output_options, settings_from

app = typer.Typer(help="Occupation-level tables.", no_args_is_help=True)


@app.command("exposure")
@handle_errors
@output_options
def occupations_exposure(
    source: Annotated[
        str,
        typer.Option(
            help="human or gpt4 labels (O*NET 27.2 tasks), or model (every O*NET 29.3 occupation)"
        ),
    ] = "human",
    weighting: Annotated[str, typer.Option(help="Task weighting: paper, equal or core")] = "paper",
    db: DbOption = None,
) -> Output:
    """α, β, γ of every O*NET-SOC occupation (columns onet_soc_code, title, alpha, beta, gamma).

    Example: laborlens occupations exposure --source model -o occ.csv
    """
    from laborlens.db.connection import connect
    from laborlens.db.queries import occupation_exposure

    with connect(settings_from(db=db).db_path) as con:
        frame = occupation_exposure(con, source, weighting)
    frame = frame[["onet_soc_code", "title", "alpha", "beta", "gamma"]]
    return Output(
        frame,
        title=f"Exposure of {len(frame)} occupations ({source} labels, {weighting} weighting)",
        written="Wrote {n} occupations to {path}",
    )
