"""``laborlens sources``, ``build``, ``schema`` and ``config``: the data and the database."""

from __future__ import annotations

from typing import Annotated

import typer

from laborlens.cli._common import (
    DbOption,
    MirrorOption,
    OfflineOption,
    console,
    handle_errors,
    out,
    out_print,
    progress_bar,
    settings_from,
)

sources_app = typer.Typer(help="The public source files: list and verify.", no_args_is_help=True)


@sources_app.command("list")
@handle_errors
def sources_list(mirror: MirrorOption = None) -> None:
    """List every registered source file with its release, license and local status.

    Example: laborlens sources list --mirror ../shared/data
    """
    from rich.table import Table

    from laborlens.sources.fetch import check_all

    settings = settings_from(mirror=mirror)
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
    """Check the sha256 of every source in the mirror and cache; exit 1 if any is missing or
    corrupt. Files in the mirror that no entry registers are listed, not an error.

    Example: laborlens sources verify
    """
    from laborlens.sources.fetch import check_all

    report = check_all(settings_from(mirror=mirror))
    for st in report.corrupt:
        found = st.found_sha256
        out_print(f"corrupt {st.location}: expected sha256 {st.source.sha256}, found {found}")
    for st in report.missing:
        out_print(f"missing {st.source.path} ({st.source.name})")
    for rel in report.unregistered:
        out_print(f"unregistered {rel} (in the mirror, not in the registry; not read)")
    where = f" (mirror: {report.mirror})" if report.mirror else " (no mirror; download cache only)"
    out_print(report.summary() + where)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


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
    """Load every source into the DuckDB database (atomically; skipped when up to date).

    Example: laborlens build --mirror ../shared/data
    """
    from laborlens.db.build import build as run_build

    settings = settings_from(db=db, mirror=mirror, offline=offline)
    with progress_bar() as progress:
        result = run_build(settings, force=force, progress=progress, models=models)
    if result.skipped:
        out_print(f"{result.path} is up to date ({result.seconds:.1f} s).")
    else:
        out_print(f"Built {result.path}: {len(result.tables)} tables in {result.seconds:.1f} s.")


def schema(db: DbOption = None) -> None:
    """Print every table of the database with its columns, as Markdown.

    Example: laborlens schema > schema.md
    """
    from laborlens.db.connection import connect
    from laborlens.db.queries import schema_markdown

    with connect(settings_from(db=db).db_path) as con:
        print(schema_markdown(con))


config_app = typer.Typer(
    help="Settings that stick: show them, or save one in the user config file.",
    no_args_is_help=True,
)


@config_app.command("show")
@handle_errors
def config_show() -> None:
    """Every setting with its value and where the value comes from.

    Example: laborlens config show
    """
    from rich.table import Table

    from laborlens.config import config_path, describe_settings

    table = Table("setting", "value", "from", "environment", title=f"config file: {config_path()}")
    for row in describe_settings():
        table.add_row(row["name"], str(row["value"]), row["origin"], row["env"])
    out.print(table)


@config_app.command("set")
@handle_errors
def config_set(
    name: Annotated[str, typer.Argument(help="Setting name (see `laborlens config show`)")],
    value: Annotated[str, typer.Argument(help="Its value")],
) -> None:
    """Save a setting in the user config file (an argument or environment variable still wins).

    Example: laborlens config set mirror ../shared/data
    """
    from laborlens.config import set_config_value

    path, stored = set_config_value(name, value)
    out_print(f"{name} = {stored} (saved in {path})")


@config_app.command("unset")
@handle_errors
def config_unset(name: Annotated[str, typer.Argument(help="Setting name")]) -> None:
    """Remove a setting from the user config file.

    Example: laborlens config unset mirror
    """
    from laborlens.config import unset_config_value

    path = unset_config_value(name)
    out_print(f"{name} removed from {path}")


__all__ = ["build", "config_app", "console", "schema", "sources_app"]
