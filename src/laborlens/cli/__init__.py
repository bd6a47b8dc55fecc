"""The ``laborlens`` command: thin Typer command groups over the library, one module each.

Library errors (:class:`~laborlens.exceptions.LaborlensError`) become one red line and exit
code 1, never a traceback. Only this package prints.
"""

from __future__ import annotations

from typing import Annotated

import typer

from laborlens._version import __version__
from laborlens.cli import (
    batch,
    careers,
    data,
    emerging,
    exposure,
    impact,
    measures,
    occupations,
    outcomes,
    report,
    titles,
    vulnerability,
)
from laborlens.cli import serve as serve_module
from laborlens.cli._common import handle_errors, out_print

app = typer.Typer(
    help="Measure how exposed occupations and tasks are to large AI models, from public data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Command groups (name, Typer app) and single commands (name, function), in help order.
GROUPS = [
    ("sources", data.sources_app),
    ("config", data.config_app),
    ("occupations", occupations.app),
    ("exposure", exposure.app),
    ("measures", measures.app),
    ("careers", careers.app),
    ("titles", titles.app),
    ("posting", titles.posting_app),
    ("outcomes", outcomes.app),
    ("emerging", emerging.app),
    ("batch", batch.app),
]
COMMANDS = [
    ("build", data.build),
    ("report", report.report),
    ("schema", data.schema),
    ("impact", impact.impact),
    ("vulnerability", vulnerability.vulnerability),
    ("serve", serve_module.serve),
]

for _name, _group in GROUPS:
    app.add_typer(_group, name=_name)
for _name, _fn in COMMANDS:
    app.command(_name)(handle_errors(_fn))


def _version(value: bool) -> None:
    if value:
        out_print(f"laborlens {__version__}")
        raise typer.Exit


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """laborlens: AI exposure of occupations and tasks, from public data."""


def main() -> None:
    """Console-script entry point."""
    import sys

    from laborlens.cli._common import check_arguments, error_line

    problem = check_arguments(sys.argv)
    if problem:
        error_line(problem)
        raise SystemExit(2)
    app()
