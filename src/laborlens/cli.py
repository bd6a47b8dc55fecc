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


# --- impact: from tasks to occupations to workers ------------------------------------------


@app.command()
@handle_errors
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
    """Workers, wages, education and places exposed, with bootstrap intervals and coverage."""
    from laborlens.impact import Choices, impact_tables, write_tables

    choices = Choices(
        source=source,
        weighting=weighting,
        measure=measure,
        threshold=threshold,
        vintage=vintage,
        link=link,
    )
    settings = get_settings(db=db, mirror=mirror)
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
    if output is not None:
        files = write_tables(tables, output)
        out_print(f"Wrote {len(files)} files ({len(tables)} tables) to {output}")


# --------------------------------------------------------------------------------------------
# laborlens measures: every public AI measure on SOC 2018 (laborlens.measures)

measures_app = typer.Typer(
    help="Public AI exposure measures on one key (SOC 2018): compare, show one occupation.",
    no_args_is_help=True,
)
app.add_typer(measures_app, name="measures")


_MEASURE_SHORT = {
    "beta_human": "β hum",
    "beta_gpt4": "β gpt4",
    "beta_model": "β mod",
    "aioe": "aioe",
    "lm_aioe": "lm_aioe",
    "ms_ai_applicability": "ms",
    "aei_task_usage": "aei",
    "ilo_2025": "ilo",
    "frey_osborne": "f&o",
}


def _matrix_table(matrix, title: str) -> Table:
    cols = [_MEASURE_SHORT.get(c, c) for c in matrix.columns]
    table = Table("", *cols, title=title)
    for name, row in matrix.iterrows():
        cells = ("–" if v != v else f"{v:.2f}" for v in row)
        table.add_row(_MEASURE_SHORT.get(name, name), *cells)
    legend = ", ".join(f"{_MEASURE_SHORT.get(c, c)} = {c}" for c in matrix.columns)
    table.caption = legend
    return table


@measures_app.command("compare")
@handle_errors
def measures_compare(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the wide table here (CSV, TSV or Parquet)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """One row per SOC 2018 code (soc_2018_code, title, employment, a column per measure);
    prints coverage and the Pearson and Spearman correlation matrices."""
    from laborlens.io import write_table
    from laborlens.measures.analysis import correlation_matrix
    from laborlens.measures.core import load_measures

    wide, cov = load_measures(get_settings(db=db))
    table = Table("measure", "codes", "employment covered", "uncovered", "share", title="Coverage")
    for r in cov.itertuples():
        table.add_row(
            r.measure,
            f"{r.codes_covered}/{r.codes_total}",
            f"{r.employment_covered:,.0f}",
            f"{r.employment_uncovered:,.0f}",
            f"{r.employment_share:.1%}",
        )
    out.print(table)
    for method, title in (("pearson", "Pearson"), ("spearman", "Spearman")):
        matrix = correlation_matrix(wide, method)
        out.print(_matrix_table(matrix, f"{title} correlation (pairwise complete)"))
    if output is not None:
        write_table(wide, output)
        out_print(
            f"Wrote {len(wide)} SOC 2018 occupations × {len(wide.columns) - 3} measures to {output}"
        )


@measures_app.command("show")
@handle_errors
def measures_show(
    code: Annotated[str, typer.Argument(help="SOC 2018 code (15-1252) or O*NET-SOC (15-1252.00)")],
    db: DbOption = None,
) -> None:
    """Every measure of one occupation side by side, with its percentile among covered codes."""
    from laborlens.measures.analysis import measures_for
    from laborlens.measures.core import load_measures

    wide, _ = load_measures(get_settings(db=db))
    frame = measures_for(wide, code)
    a = frame.attrs
    emp = "–" if a["employment"] != a["employment"] else f"{a['employment']:,.0f}"
    table = Table(
        "measure",
        "value",
        "percentile",
        "published on",
        title=f"{a['soc_2018_code']} {a['title']} (employment {emp})",
    )
    for r in frame.itertuples():
        missing = r.value != r.value
        table.add_row(
            r.label,
            "–" if missing else f"{r.value:.3f}",
            "–" if missing else f"{r.percentile:.0f}",
            r.native_key,
        )
    out.print(table)


# --- careers: transitions and reskilling -------------------------------------------------------
careers_app = typer.Typer(
    help="Career transitions: where a worker can go, and what to learn.", no_args_is_help=True
)
app.add_typer(careers_app, name="careers")


def _parse_weights(items: list[str] | None) -> dict[str, float]:
    """``--weight term=value`` options as a dict; a malformed one names the expected form."""
    from laborlens.exceptions import ConfigError

    weights = {}
    for item in items or []:
        term, sep, value = item.partition("=")
        try:
            weights[term.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            msg = f"--weight {item!r}: expected TERM=NUMBER, e.g. exposure=2"
            raise ConfigError(msg) from None
    return weights


@careers_app.command("recommend")
@handle_errors
def careers_recommend(
    occupation: Annotated[str, typer.Argument(help="O*NET-SOC or SOC code, or a job title")],
    top: Annotated[int, typer.Option(help="How many recommendations (at most 50)")] = 10,
    objective: Annotated[
        str, typer.Option(help="similarity, balanced, safer, pay or growth")
    ] = "balanced",
    weight: Annotated[
        list[str] | None,
        typer.Option(
            "--weight",
            help="Override a term's weight, e.g. --weight exposure=2 (terms: similarity, "
            "exposure, wage, growth, openings, education)",
        ),
    ] = None,
    beta_source: Annotated[
        str | None, typer.Option(help="Exposure measure: model, human or gpt4")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    db: DbOption = None,
) -> None:
    """Occupations within reach of OCCUPATION, ranked by an objective, each explained."""
    from laborlens.careers.recommend import recommend_careers
    from laborlens.exceptions import ConfigError

    if fmt not in ("table", "json"):
        msg = f"--format {fmt!r}: expected table or json"
        raise ConfigError(msg)
    rec = recommend_careers(
        occupation,
        top=top,
        objective=objective,
        weights=_parse_weights(weight),
        beta_source=beta_source,
        settings=get_settings(db=db),
    )
    if fmt == "json":
        print(rec.to_json())
        return
    o = rec.origin
    table = Table(
        "#",
        "code",
        "title",
        "similarity",
        "score",
        "feasibility",
        "Δβ",
        "Δ wage",
        "Δ zone",
        title=f"From {o['onet_soc_code']} {o['title']} (β {_fmt(o['beta'])}, "
        f"wage {_fmt(o['median_wage'], 0)}) — objective {rec.objective}",
    )
    notes = []
    for i in rec.items:
        d = i["deltas"]
        gaps = ", ".join(
            f"{g['element']} {g['level_from']:.1f}→{g['level_to']:.1f}" for g in i["level_gaps"][:3]
        )
        tech = ", ".join(t["name"] for t in i["technology_to_learn"]["top"][:3])
        shared = i["shared_activities"]
        notes.append(
            f"{i['rank']}. {i['title']}: {shared['count']} shared activities"
            + (f" (e.g. {shared['top'][0]})" if shared["top"] else "")
            + (
                f"; level gaps: {gaps}"
                if gaps
                else "; no level gap"
                if i["ratings_compared"]
                else "; no O*NET ratings to compare levels"
            )
            + (f"; learn: {tech}" if tech else "")
        )
        table.add_row(
            str(i["rank"]),
            i["onet_soc_code"],
            i["title"],
            f"{i['similarity']:.3f}",
            f"{i['score']:.3f}",
            i["feasibility"],
            _fmt(d["beta"], 2, sign=True),
            _fmt(d["median_wage"], 0, sign=True),
            _fmt(d["job_zone"], 0, sign=True),
        )
    out.print(table)
    for note in notes:
        out_print(note)


def _fmt(value: float | None, digits: int = 2, *, sign: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


@careers_app.command("reskill")
@handle_errors
def careers_reskill(
    beta_above: Annotated[float, typer.Option(help="Exposed occupations: β at least")] = 0.5,
    beta_below: Annotated[float, typer.Option(help="Destinations: β at most")] = 0.35,
    min_similarity: Annotated[float, typer.Option(help="Transition score at least")] = 0.55,
    gap_tolerance: Annotated[
        float, typer.Option(help="Level points (0–7) a worker can bridge without training")
    ] = 1.0,
    top: Annotated[int, typer.Option(help="Rows to print")] = 15,
    beta_source: Annotated[
        str | None, typer.Option(help="Exposure measure: model, human or gpt4")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the full ranking (CSV/Parquet)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Skills and knowledge that open the most employment in less exposed occupations."""
    from laborlens.careers.reskilling import reskilling_priorities
    from laborlens.io import write_table

    result = reskilling_priorities(
        beta_above=beta_above,
        beta_below=beta_below,
        min_similarity=min_similarity,
        gap_tolerance=gap_tolerance,
        beta_source=beta_source,
        settings=get_settings(db=db),
    )
    s = result.summary
    table = Table(
        "#",
        "element",
        "domain",
        "moves opened",
        "moves blocked",
        "jobs per exposed worker",
        "workers helped",
        title=f"{s['exposed_occupations']} occupations with β ≥ {beta_above} "
        f"({s['exposed_workers']:,.0f} workers, β source {s['beta_source']}); "
        f"{s['moves_considered']} moves, {s['moves_reachable_now']} reachable now",
    )
    for r in result.table.head(top).itertuples():
        table.add_row(
            str(r.rank),
            r.element,
            r.domain,
            str(r.pairs_opened),
            str(r.pairs_blocked),
            f"{r.jobs_per_worker:,.0f}",
            f"{r.workers_helped:,.0f}",
        )
    out.print(table)
    if output is not None:
        write_table(result.table, output)
        out_print(f"Wrote {len(result.table)} elements to {output}")


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


# -- serve ------------------------------------------------------------------------------------
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    db: DbOption = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="LABORLENS_API_KEY",
            help="Require this key in the X-API-Key header of /api calls [$LABORLENS_API_KEY]",
        ),
    ] = None,
    max_batch: Annotated[int, typer.Option("--max-batch", min=1)] = 5000,
    max_body_mb: Annotated[float, typer.Option("--max-body-mb", min=0.01)] = 2.0,
) -> None:
    """Serve the REST API (/api, schema at /docs) and the dashboard (/) over the database."""
    import uvicorn

    from laborlens.service import ServiceConfig, create_app

    settings = get_settings(db=db)
    if not settings.db_path.is_file():
        msg = f"No laborlens database at {settings.db_path}. Run `laborlens build` first."
        raise LaborlensError(msg)
    if host not in LOOPBACK and not api_key:
        console.print(
            f"[yellow]Listening on {host} without an API key: anyone who can reach this "
            "machine can use the API. Set --api-key or LABORLENS_API_KEY.[/]"
        )
    config = ServiceConfig(
        max_body_bytes=int(max_body_mb * 1_000_000), max_batch=max_batch, api_key=api_key
    )
    console.print(f"laborlens on http://{host}:{port}/ (API docs at /docs) over {settings.db_path}")
    uvicorn.run(create_app(settings, config), host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    app()
