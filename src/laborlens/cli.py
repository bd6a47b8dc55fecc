"""The ``laborlens`` command: thin Typer commands over the library.

Library errors (:class:`~laborlens.exceptions.LaborlensError`) become one red line and exit
code 1, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from laborlens._version import __version__
from laborlens.config import get_settings
from laborlens.exceptions import LaborlensError

app = typer.Typer(
    help="Measure how exposed occupations and tasks are to large AI models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="The public source files: list and verify.", no_args_is_help=True)
occupations_app = typer.Typer(help="Occupation-level tables.", no_args_is_help=True)
exposure_app = typer.Typer(
    help="Exposure models: train on labelled tasks, score any task list, evaluate.",
    no_args_is_help=True,
)
app.add_typer(sources_app, name="sources")
app.add_typer(occupations_app, name="occupations")
app.add_typer(exposure_app, name="exposure")

console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Database file [default: $LABORLENS_DB, else the per-user data folder]"
    ),
]
MirrorOption = Annotated[
    Path | None,
    typer.Option(
        "--mirror", help="Local mirror laid out like shared/data [default: $LABORLENS_MIRROR]"
    ),
]
OfflineOption = Annotated[
    bool | None,
    typer.Option("--offline/--online", help="Forbid downloads [default: $LABORLENS_OFFLINE]"),
]


def handle_errors(fn: Callable) -> Callable:
    """Turn library errors into one readable line and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except LaborlensError as exc:
            console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


@contextmanager
def progress_bar():
    """A Rich progress bar and a ``progress(step, done, total)`` callback feeding it."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not sys.stderr.isatty(),
    ) as bar:
        tasks: dict[int, int] = {}

        def update(step: str, done: int, total: int) -> None:
            key = total
            if key not in tasks:
                tasks[key] = bar.add_task(step, total=total)
            bar.update(tasks[key], completed=done, description=step[:70])

        yield update


def version_callback(value: bool) -> None:
    if value:
        out.print(f"laborlens {__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """laborlens: AI exposure of occupations and tasks, from public data."""


@sources_app.command("list")
@handle_errors
def sources_list(mirror: MirrorOption = None) -> None:
    """List every registered source file with its release, license and local status."""
    from laborlens.sources.fetch import check_all

    settings = get_settings(mirror=mirror)
    table = Table("name", "path", "release", "license", "status", title="laborlens sources")
    for st in check_all(settings):
        colour = {"ok": "green", "missing": "yellow", "corrupt": "red"}[st.status]
        table.add_row(
            st.source.name,
            st.source.path,
            st.source.release,
            st.source.license,
            f"[{colour}]{st.status}[/]",
        )
    out.print(table)


@sources_app.command("verify")
@handle_errors
def sources_verify(mirror: MirrorOption = None) -> None:
    """Check the sha256 of every source in the mirror and cache; exit 1 if any is corrupt."""
    from laborlens.sources.fetch import check_all

    settings = get_settings(mirror=mirror)
    statuses = check_all(settings)
    counts = {k: 0 for k in ("ok", "missing", "corrupt")}
    for st in statuses:
        counts[st.status] += 1
        if st.status == "corrupt":
            out.print(
                f"[red]corrupt[/] {st.location}: expected sha256 {st.source.sha256}, "
                f"found {st.found_sha256}",
                highlight=False,
            )
        elif st.status == "missing":
            out.print(f"[yellow]missing[/] {st.source.path} ({st.source.name})", highlight=False)
    out.print(
        f"{counts['ok']} ok, {counts['missing']} missing, {counts['corrupt']} corrupt "
        f"of {len(statuses)} registered files"
    )
    if counts["corrupt"]:
        raise typer.Exit(1)


@app.command()
@handle_errors
def build(
    db: DbOption = None,
    mirror: MirrorOption = None,
    offline: OfflineOption = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
    models: Annotated[
        bool,
        typer.Option(
            "--models/--no-models", help="Train/use the default models and score every O*NET task."
        ),
    ] = True,
) -> None:
    """Load every source into the DuckDB database (atomically; skipped when up to date)."""
    from laborlens.db.build import build as run_build

    settings = get_settings(db=db, mirror=mirror, offline=offline)
    with progress_bar() as progress:
        result = run_build(settings, force=force, progress=progress, models=models)
    if result.skipped:
        out.print(f"{result.path} is up to date ({result.seconds:.1f} s).")
    else:
        out.print(f"Built {result.path}: {len(result.tables)} tables in {result.seconds:.1f} s.")


@app.command()
@handle_errors
def report(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for report.html and tables/")
    ] = Path("laborlens-report"),
    db: DbOption = None,
    mirror: MirrorOption = None,
    offline: OfflineOption = None,
    weighting: Annotated[str, typer.Option(help="Task weighting: paper, equal or core")] = "paper",
) -> None:
    """Build the database if needed and write the HTML report with CSV/Parquet tables."""
    from laborlens.report import make_report

    settings = get_settings(db=db, mirror=mirror, offline=offline)
    with progress_bar() as progress:
        result = make_report(settings, out_dir, weighting=weighting, progress=progress)
    out.print(f"Report: {result.html}")
    out.print(f"Tables: {result.out_dir / 'tables'} ({len(result.tables)} tables, CSV and Parquet)")


@occupations_app.command("exposure")
@handle_errors
def occupations_exposure(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV/TSV/Parquet file; stdout if omitted")
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            help="human or gpt4 labels (O*NET 27.2 tasks), or model (every O*NET 29.3 occupation)"
        ),
    ] = "human",
    weighting: Annotated[str, typer.Option(help="Task weighting: paper, equal or core")] = "paper",
    db: DbOption = None,
) -> None:
    """α, β, γ of every O*NET-SOC occupation (columns onet_soc_code, title, alpha, beta, gamma)."""
    from laborlens.db.connection import connect
    from laborlens.db.queries import occupation_exposure
    from laborlens.io import write_table

    settings = get_settings(db=db)
    with connect(settings.db_path) as con:
        frame = occupation_exposure(con, source, weighting)
    frame = frame[["onet_soc_code", "title", "alpha", "beta", "gamma"]]
    if output is None:
        frame.to_csv(sys.stdout, index=False)
    else:
        write_table(frame, output)
        out.print(f"Wrote {len(frame)} occupations to {output}")


@app.command()
@handle_errors
def schema(db: DbOption = None) -> None:
    """Print every table of the database with its columns, as Markdown."""
    from laborlens.db.connection import connect
    from laborlens.db.queries import schema_markdown

    with connect(get_settings(db=db).db_path) as con:
        print(schema_markdown(con))


TargetOption = Annotated[str, typer.Option(help="exposure (E0–E2) or automation (T0–T4)")]


@exposure_app.command("train")
@handle_errors
def exposure_train(
    labels: Annotated[Path, typer.Option(help="Labelled tasks in the full_labelset.tsv layout")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to save the model in")],
    target: TargetOption = "exposure",
    arch: Annotated[str, typer.Option(help="tfidf, cnn, minilm or minilm-ft")] = "tfidf",
    label_column: Annotated[
        str | None,
        typer.Option(
            help="Label column [default: human_exposure_agg for "
            "exposure, gpt4_automation for automation]"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
) -> None:
    """Train a model on a labelled task file and save it."""
    from laborlens.models.data import read_labels
    from laborlens.models.registry import get_arch

    frame = read_labels(labels, target, label_column)
    model = get_arch(arch)(target=target, random_state=seed)
    with console.status(f"training {arch} on {len(frame)} tasks …"):
        model.fit(frame[["task", "title"]], frame["label"], groups=frame["group"])
    model.save(out_dir)
    out_print(
        f"Saved the {arch} {target} model to {out_dir} "
        f"({len(frame)} tasks, {model.fit_seconds_:.0f} s)."
    )


def out_print(text: str) -> None:
    """Plain text to stdout, without Rich's number highlighting."""
    out.print(text, highlight=False)


@exposure_app.command("score")
@handle_errors
def exposure_score(
    input: Annotated[Path, typer.Option("--input", help="CSV/TSV with a Task column")],
    output: Annotated[Path, typer.Option("--output", help="CSV, TSV or Parquet to write")],
    model: Annotated[
        Path | None, typer.Option(help="Model folder [default: the default exposure model]")
    ] = None,
    mirror: MirrorOption = None,
) -> None:
    """Rate every task in a file: adds the label, class probabilities and beta."""
    from laborlens.io import write_table
    from laborlens.models.base import ExposureModel
    from laborlens.models.data import read_tasks_to_score
    from laborlens.models.default import ensure_default_model
    from laborlens.models.scoring import score_frame

    frame = read_tasks_to_score(input)
    if model is None:
        fitted = ensure_default_model(get_settings(mirror=mirror), "exposure")
    else:
        fitted = ExposureModel.load(model)
    lower = {c.lower(): c for c in frame.columns}
    with progress_bar() as progress:
        scored = score_frame(
            fitted,
            frame,
            task_column=lower["task"],
            title_column=lower.get("title"),
            progress=progress,
        )
    write_table(scored, output)
    out_print(f"Scored {len(scored)} tasks into {output}")


@exposure_app.command("evaluate")
@handle_errors
def exposure_evaluate(
    labels: Annotated[Path, typer.Option(help="Labelled tasks in the full_labelset.tsv layout")],
    folds: Annotated[int, typer.Option(help="Occupation-grouped folds")] = 5,
    target: TargetOption = "exposure",
    arch: Annotated[str, typer.Option(help="tfidf, cnn, minilm or minilm-ft")] = "tfidf",
    label_column: Annotated[str | None, typer.Option(help="Label column")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the fold assignment")] = 0,
    output: Annotated[
        Path | None, typer.Option(help="Also write the out-of-fold predictions here")
    ] = None,
) -> None:
    """Occupation-grouped cross-validation, beside the GPT-4 labels' agreement."""
    from laborlens.io import write_table
    from laborlens.models.base import TARGETS
    from laborlens.models.data import read_labels
    from laborlens.models.evaluate import cross_validate

    frame = read_labels(labels, target, label_column)
    with progress_bar() as progress:
        result = cross_validate(
            frame, arch=arch, target=target, folds=folds, random_state=seed, progress=progress
        )
    table = Table(
        "metric",
        *result.table().columns,
        title=f"{folds}-fold occupation-grouped CV, {len(frame)} tasks",
    )
    for metric, row in result.table().iterrows():
        table.add_row(metric, *(f"{v:.3f}" for v in row))
    out.print(table)
    mean_fit = sum(result.fit_seconds) / len(result.fit_seconds)
    out_print(f"training time per fold: {mean_fit:.1f} s")
    if output is not None:
        preds = frame[["group", "task_id", "task", "label"]].copy()
        for i, c in enumerate(TARGETS[target]):
            preds[f"p_{c}"] = result.proba[:, i]
        write_table(preds, output)


# ---- titles and postings ------------------------------------------------------------------
titles_app = typer.Typer(help="Job titles → O*NET-SOC occupations.", no_args_is_help=True)
posting_app = typer.Typer(help="Analyse job postings.", no_args_is_help=True)
app.add_typer(titles_app, name="titles")
app.add_typer(posting_app, name="posting")


@titles_app.command("code")
@handle_errors
def titles_code(
    title: Annotated[str | None, typer.Argument(help="One job title")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help="CSV/TSV with a title column")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", help="CSV, TSV or Parquet")] = None,
    top: Annotated[int, typer.Option(help="Codes per title")] = 5,
    min_probability: Annotated[
        float, typer.Option(help="Abstain (no code) when the best probability is lower")
    ] = 0.0,
    db: DbOption = None,
) -> None:
    """Code job titles to ranked O*NET-SOC 2019 / SOC 2018 codes with probabilities."""
    from laborlens.io import write_table
    from laborlens.titles.api import code_titles
    from laborlens.titles.io import read_titles

    settings = get_settings(db=db)
    if (title is None) == (input is None):
        msg = "give either one TITLE or --input FILE"
        raise LaborlensError(msg)
    if title is not None:
        frame = code_titles(title, top=top, min_probability=min_probability, settings=settings)
        table = Table("rank", "O*NET-SOC", "SOC 2018", "occupation", "probability", title=title)
        for row in frame.itertuples():
            if pd_isna(row.onet_soc_code):
                table.add_row("—", "", "", "no code (below --min-probability)", "")
                continue
            table.add_row(
                str(row.rank),
                row.onet_soc_code,
                row.soc_2018_code,
                row.occupation_title,
                f"{row.probability:.3f}",
            )
        out.print(table)
        return
    if output is None:
        msg = "--input needs --output"
        raise LaborlensError(msg)
    titles = read_titles(input)
    with console.status(f"coding {len(titles)} titles …"):
        frame = code_titles(titles, top=top, min_probability=min_probability, settings=settings)
    write_table(frame, output)
    out_print(f"Coded {len(titles)} titles into {output} ({len(frame)} rows)")


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


@posting_app.command("analyze")
@handle_errors
def posting_analyze(
    file: Annotated[Path, typer.Argument(help="Posting as plain text or HTML")],
    format: Annotated[str, typer.Option("--format", help="json or html")] = "json",
    db: DbOption = None,
    mirror: MirrorOption = None,
) -> None:
    """Occupations, rated task statements, posting β with its CI, and the O*NET comparison."""
    from laborlens.posting.analyze import analyze_posting

    if format not in ("json", "html"):
        msg = f"--format must be json or html; got {format!r}"
        raise LaborlensError(msg)
    result = analyze_posting(file, settings=get_settings(db=db, mirror=mirror))
    print(result.to_json() if format == "json" else result.to_html())


def main() -> None:
    """Console-script entry point."""
    app()
