"""What every command group shares: consoles, options, error handling, progress, rendering.

Commands compute; this module renders. A command decorated with :func:`output_options` returns a
:class:`Output` (a frame, a title, notes and optionally a JSON document) and gets ``-o/--output``
and ``--format table|json|csv`` without declaring them; the output path is checked before any work.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from laborlens.exceptions import ConfigError, LaborlensError

if TYPE_CHECKING:
    import pandas as pd

console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Database file [default: $LABORLENS_DB, the config file, else the per-user "
        "data folder]"
    ),
]
MirrorOption = Annotated[
    Path | None,
    typer.Option(
        "--mirror",
        help="Local mirror laid out like shared/data [default: $LABORLENS_MIRROR, the config "
        "file, else the mirror the database was built from]",
    ),
]
OfflineOption = Annotated[
    bool | None,
    typer.Option("--offline/--online", help="Forbid downloads [default: $LABORLENS_OFFLINE]"),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write the table here (.csv, .tsv or .parquet); stdout if omitted"
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", help="How to print to stdout: table, json or csv")
]
RawCsvOption = Annotated[
    bool,
    typer.Option(
        "--raw-csv",
        help="Write CSV/TSV text verbatim: no apostrophe before text that begins with =, +, -, "
        "@, a tab or a CR (which a spreadsheet would run as a formula)",
    ),
]
FORMATS = ("table", "json", "csv")
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet")


def out_print(text: str) -> None:
    """Plain text to stdout, without Rich's number highlighting."""
    out.print(text, highlight=False)


def error_line(message: str) -> None:
    """One red line on stderr (newlines in a message are folded so it stays one line)."""
    text = " ".join(str(message).split("\n"))
    console.print(f"[bold red]error:[/] {text}", highlight=False, markup=True, soft_wrap=True)


def handle_errors(fn: Callable) -> Callable:
    """Turn library errors, and operating-system errors on the user's paths, into one readable
    line and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except LaborlensError as exc:
            error_line(str(exc))
            raise typer.Exit(1) from None
        except OSError as exc:
            # a path the checks before the work did not foresee (a full disk, a permission)
            where = f"{exc.filename}: " if exc.filename else ""
            error_line(f"{where}{exc.strerror or exc}")
            raise typer.Exit(1) from None
        except Exception as exc:
            # a truncated database opens, then fails where a query reaches the missing part,
            # whichever library call runs it
            duckdb = sys.modules.get("duckdb")
            if duckdb is not None and isinstance(exc, duckdb.IOException):
                from laborlens.db.connection import damaged_message

                error_line(f"{damaged_message(exc)} Rebuild it with `laborlens build`.")
                raise typer.Exit(1) from None
            raise

    return wrapper


def check_output_path(path: Path | None, suffixes: tuple[str, ...] = TABLE_SUFFIXES) -> None:
    """Refuse an unusable output path before any work is done (one check, the library's)."""
    from laborlens.io import check_output_path as check

    if path is not None:
        check(path, suffixes)


def check_input_file(path: Path | None, what: str = "input") -> None:
    """Refuse a missing input, a folder or an unreadable file before any work is done."""
    import os

    if path is None:
        return
    if not path.exists():
        msg = f"{path}: no such file (the {what})"
        raise ConfigError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder; expected a file (the {what})"
        raise ConfigError(msg)
    if not os.access(path, os.R_OK):
        msg = f"{path}: cannot be read (permission denied)"
        raise ConfigError(msg)


def check_arguments(argv: list[str]) -> str | None:
    """The error for an argument that is not valid UTF-8 (Python keeps such bytes as lone
    surrogates, which fail later, far from the cause), else None."""
    for i, arg in enumerate(argv[1:], start=1):
        raw = arg.encode("utf-8", "surrogateescape")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = raw.decode("utf-8", "backslashreplace")
            return (
                f"argument {i} ({shown}) is not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                f"byte offset {exc.start}); give codes, titles and paths as UTF-8"
            )
    return None


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress(step, done, total)`` callback: a Rich bar on a terminal, plain lines
    (one per new step, at most one every two seconds) when stderr is a file or a pipe."""
    if not console.is_terminal:
        last = {"step": None, "t": 0.0}

        def plain(step: str, done: int, total: int) -> None:
            now = time.monotonic()
            if step != last["step"] and (now - last["t"] >= 2 or done >= total):
                console.print(f"[{done}/{total}] {step}", highlight=False, soft_wrap=True)
                last.update(step=step, t=now)

        yield plain
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[int, Any] = {}

        def update(step: str, done: int, total: int) -> None:
            if total not in tasks:
                tasks[total] = bar.add_task(step, total=total)
            bar.update(tasks[total], completed=done, description=step[:70])

        yield update


@dataclass
class Output:
    """What a table command computed: rendered by :func:`output_options`.

    ``frame`` is written to ``--output`` or printed; ``display`` (optional) is a shorter frame for
    the terminal table; ``document`` (optional) replaces the frame in ``--format json``; ``notes``
    are printed under the table; ``written`` is the message after a file write (``{n}`` = rows).
    """

    frame: pd.DataFrame
    title: str = ""
    notes: list[str] = field(default_factory=list)
    display: pd.DataFrame | None = None
    document: Any = None
    written: str = "Wrote {n} rows to {path}"
    tables: list[Table] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def frame_table(frame: pd.DataFrame, title: str = "") -> Table:
    """A Rich table of ``frame`` with compact numbers."""
    table = Table(*map(str, frame.columns), title=title or None)
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def json_default(value: Any) -> Any:
    """JSON for numpy/pandas scalars; NaN is written as null by :func:`to_json`."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def to_json(document: Any) -> str:
    """Strict JSON (NaN and infinities become null), indented."""
    from laborlens.jsonutil import clean_json

    return json.dumps(clean_json(document), indent=2, default=json_default, allow_nan=False)


def render(result: Output, output: Path | None, fmt: str, raw_csv: bool = False) -> None:
    """Write ``result`` to ``output`` (by suffix) or print it in ``fmt``; CSV and TSV through
    the one writer (quoting, formulas neutralized unless ``raw_csv``)."""
    from laborlens.io import print_table, write_table

    if output is not None:
        write_table(result.frame, output, neutralize_formulas=not raw_csv)
        for table in result.tables:
            out.print(table)
        for note in result.notes:
            out_print(note)
        out_print(result.written.format(n=len(result.frame), path=output))
        return
    if fmt == "json":
        doc = result.document
        if doc is None:
            doc = result.frame.to_dict(orient="records")
        print(to_json(doc))
    elif fmt == "csv":
        print_table(result.frame, neutralize_formulas=not raw_csv)
    else:
        for table in result.tables:
            out.print(table)
        shown = result.frame if result.display is None else result.display
        out.print(frame_table(shown, result.title))
        for note in result.notes:
            out_print(note)


def output_options(fn: Callable[..., Output]) -> Callable[..., None]:
    """Give a command ``-o/--output`` and ``--format``; it returns an :class:`Output`."""

    @functools.wraps(fn)
    def wrapper(
        *args, output: Path | None = None, fmt: str = "table", raw_csv: bool = False, **kwargs
    ) -> None:
        if fmt not in FORMATS:
            msg = f"--format {fmt!r}: expected one of {', '.join(FORMATS)}"
            raise ConfigError(msg)
        check_output_path(output)
        render(fn(*args, **kwargs), output, fmt, raw_csv)

    # evaluated annotations: typer reads the options from __signature__, and a module with
    # `from __future__ import annotations` would otherwise hand it strings
    sig = inspect.signature(fn, eval_str=True)
    extra = [
        inspect.Parameter(
            "output", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=OutputOption
        ),
        inspect.Parameter(
            "fmt", inspect.Parameter.KEYWORD_ONLY, default="table", annotation=FormatOption
        ),
        inspect.Parameter(
            "raw_csv", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=RawCsvOption
        ),
    ]
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        else p
        for p in sig.parameters.values()
    ]
    wrapper.__signature__ = sig.replace(parameters=params + extra, return_annotation=None)
    wrapper.__annotations__ = {
        **fn.__annotations__,
        "output": OutputOption,
        "fmt": FormatOption,
        "raw_csv": RawCsvOption,
        "return": None,
    }
    return wrapper


def settings_from(**kwargs: Any):
    """Resolved settings (argument > environment > config file > default)."""
    from laborlens.config import get_settings

    return get_settings(**kwargs)
