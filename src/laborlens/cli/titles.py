"""``laborlens titles`` and ``laborlens posting``: job titles and postings → occupations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from laborlens.cli._common import (
    DbOption,
    MirrorOption,
    Output,
    check_input_file,
    check_output_path,
    console,
    handle_errors,
    output_options,
    settings_from,
)
from laborlens.exceptions import ConfigError

app = typer.Typer(help="Job titles → O*NET-SOC occupations.", no_args_is_help=True)
posting_app = typer.Typer(help="Analyse job postings.", no_args_is_help=True)


@app.command("code")
@handle_errors
@output_options
def titles_code(
    title: Annotated[str | None, typer.Argument(help="One job title")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help="CSV/TSV with a title column")
    ] = None,
    top: Annotated[int, typer.Option(help="Codes per title")] = 5,
    min_probability: Annotated[
        float, typer.Option(help="Abstain (no code) when the best probability is lower")
    ] = 0.0,
    db: DbOption = None,
) -> Output:
    """Code job titles to ranked O*NET-SOC 2019 / SOC 2018 codes with probabilities.

    Examples: laborlens titles code "Sr. Financial Analyst - FP&A";
    laborlens titles code --input titles.csv -o coded.csv --top 3
    """
    from laborlens.titles.api import code_titles
    from laborlens.titles.io import read_titles

    settings = settings_from(db=db)
    if (title is None) == (input is None):
        msg = "give either one TITLE or --input FILE"
        raise ConfigError(msg)
    check_input_file(input, "--input")
    if title is not None:
        if not title.strip():
            msg = "TITLE is empty; give a job title, e.g. 'registered nurse'"
            raise ConfigError(msg)
        frame = code_titles(title, top=top, min_probability=min_probability, settings=settings)
        shown = frame[["rank", "onet_soc_code", "soc_2018_code", "occupation_title", "probability"]]
        return Output(frame, title=title, display=shown)
    titles = read_titles(input)
    with console.status(f"coding {len(titles)} titles …"):
        frame = code_titles(titles, top=top, min_probability=min_probability, settings=settings)
    return Output(
        frame,
        title=f"{len(titles)} titles coded",
        display=frame.head(30),
        written=f"Coded {len(titles)} titles into {{path}} ({{n}} rows)",
    )


@posting_app.command("analyze")
@handle_errors
def posting_analyze(
    file: Annotated[Path, typer.Argument(help="Posting as plain text or HTML")],
    fmt: Annotated[str, typer.Option("--format", help="json or html")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The posting's title (default: its first line)")
    ] = None,
    min_probability: Annotated[
        float,
        typer.Option(
            "--min-probability", min=0.0, max=1.0,
            help="List no occupation below this probability (abstain)",
        ),
    ] = 0.0,
    db: DbOption = None,
    mirror: MirrorOption = None,
) -> None:
    """Occupations (from title and body, as `laborlens batch postings`), rated task statements,
    posting β with its CI, and the O*NET comparison.

    Example: laborlens posting analyze posting.html --format json --min-probability 0.3
    """
    from laborlens.posting.analyze import analyze_posting

    if fmt not in ("json", "html"):
        msg = f"--format must be json or html; got {fmt!r}"
        raise ConfigError(msg)
    check_output_path(output, (".json", ".html", ".htm"))
    if not file.exists() or file.is_dir():
        what = "is a folder" if file.is_dir() else "no such file"
        msg = f"{file}: {what}; expected a posting file (plain text or HTML)"
        raise ConfigError(msg)
    # a Path, never text; read at most 1 MB + 1 byte (a device like /dev/zero has no size)
    result = analyze_posting(
        Path(file),
        settings=settings_from(db=db, mirror=mirror),
        title=title,
        min_probability=min_probability,
    )
    text = result.to_json() if fmt == "json" else result.to_html()
    if output is None:
        print(text)
    else:
        from laborlens.io import write_text

        write_text(output, text)
