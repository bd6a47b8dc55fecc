"""``laborlens batch``: score posting or task corpora (CSV/Parquet) into Parquet partitions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from laborlens.cli._common import DbOption, console, handle_errors, progress_bar, settings_from

app = typer.Typer(
    help="Score corpora of postings or task lists, locally or on a Ray cluster.",
    no_args_is_help=True,
)

InputOpt = Annotated[
    Path, typer.Option("--input", help="A CSV or Parquet file, or a folder of them")
]
OutputOpt = Annotated[
    Path,
    typer.Option(
        "--output", help="Output folder (Parquet partitions; a rerun resumes where it stopped)"
    ),
]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="local (default, no Ray needed) or ray")
]
AddressOpt = Annotated[
    str | None,
    typer.Option("--address", help="Ray cluster address (ray://host:10001 or auto); --engine ray"),
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", help="Worker processes / Ray actors (each loads the models)")
]
ChunkOpt = Annotated[int, typer.Option("--chunk-size", help="Rows per partition")]
IdCol = Annotated[str, typer.Option("--id-column", help="Column with the row id")]
TitleCol = Annotated[str, typer.Option("--title-column", help="Column with the job title")]


def _report(result) -> None:
    from laborlens.cli._common import out_print

    out_print(
        f"{result.output}: {len(result.finished)} partitions scored ({result.rows:,} rows, "
        f"{result.seconds:.1f} s), {len(result.skipped)} already done, "
        f"{len(result.failed)} failed, of {result.partitions}"
    )
    for name, error in result.failed.items():
        console.print(f"[bold red]failed:[/] {name}: {error}", highlight=False, soft_wrap=True)
    if result.failed:
        console.print("rerun the same command to retry the failed partitions", highlight=False)
        raise typer.Exit(1)


@app.command("postings")
@handle_errors
def batch_postings(
    input: InputOpt,
    output: OutputOpt,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    workers: WorkersOpt = 1,
    chunk_size: ChunkOpt = 2000,
    id_column: IdCol = "id",
    title_column: TitleCol = "title",
    description_column: Annotated[
        str, typer.Option("--description-column", help="Column with the posting text")
    ] = "description",
    min_probability: Annotated[
        float, typer.Option(help="Abstain (no occupation code) below this probability")
    ] = 0.0,
    db: DbOption = None,
) -> None:
    """Occupation, task statements, exposure and posting β for every posting.

    Writes OUTPUT/postings/*.parquet (id, onet_soc_code, soc_2018_code, occupation_probability,
    n_statements, beta, beta_low, beta_high, automation) and OUTPUT/statements/*.parquet
    (id, statement, exposure, p_E0, p_E1, p_E2).

    Example: laborlens batch postings --input jobs.parquet --output scored/ --workers 2
    """
    from laborlens.batch.engine import run_batch
    from laborlens.batch.io import Columns

    settings = settings_from(db=db)
    with progress_bar() as progress:
        result = run_batch(
            "postings",
            input,
            output,
            settings=settings,
            engine=engine,
            address=address,
            workers=workers,
            chunk_size=chunk_size,
            columns=Columns(id=id_column, title=title_column, description=description_column),
            min_probability=min_probability,
            progress=progress,
        )
    _report(result)


@app.command("tasks")
@handle_errors
def batch_tasks(
    input: InputOpt,
    output: OutputOpt,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    workers: WorkersOpt = 1,
    chunk_size: ChunkOpt = 5000,
    id_column: IdCol = "id",
    task_column: Annotated[
        str, typer.Option("--task-column", help="Column with the task statement")
    ] = "task",
    title_column: Annotated[
        str, typer.Option("--title-column", help="Column with the job title (optional)")
    ] = "title",
    db: DbOption = None,
) -> None:
    """Exposure (E0/E1/E2 probabilities, β) and automation for every task statement.

    Writes OUTPUT/tasks/*.parquet (id, task, exposure, p_E0, p_E1, p_E2, beta, automation).

    Example: laborlens batch tasks --input tasks.csv --output rated/ --engine ray --workers 4
    """
    from laborlens.batch.engine import run_batch
    from laborlens.batch.io import Columns

    settings = settings_from(db=db)
    with progress_bar() as progress:
        result = run_batch(
            "tasks",
            input,
            output,
            settings=settings,
            engine=engine,
            address=address,
            workers=workers,
            chunk_size=chunk_size,
            columns=Columns(id=id_column, task=task_column, title=title_column),
            progress=progress,
        )
    _report(result)
