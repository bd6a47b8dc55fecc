"""``laborlens serve``: the REST API and the dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from laborlens.cli._common import DbOption, console, settings_from
from laborlens.exceptions import DatabaseError

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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
    """Serve the REST API (/api, schema at /docs) and the dashboard (/) over the database.

    Example: laborlens serve --port 8000
    """
    try:
        from laborlens.service import ServiceConfig, create_app
        from laborlens.service.server import run
    except ImportError as exc:
        msg = f"`laborlens serve` needs the serve extra: pip install 'laborlens[serve]' ({exc})"
        raise DatabaseError(msg) from None

    settings = settings_from(db=db)
    if not settings.db_path.is_file():
        msg = f"No laborlens database at {settings.db_path}. Run `laborlens build` first."
        raise DatabaseError(msg)
    from laborlens.service.store import Served

    config = ServiceConfig(
        max_body_bytes=int(max_body_mb * 1_000_000), max_batch=max_batch, api_key=api_key
    )
    # opened and loaded here: a truncated or incomplete database is one line, not a traceback
    served = Served(settings, warm=config.warm, check_every=config.reload_check)
    if host not in LOOPBACK and not api_key:
        console.print(
            f"[yellow]Listening on {host} without an API key: anyone who can reach this "
            "machine can use the API. Set --api-key or LABORLENS_API_KEY.[/]"
        )
    console.print(f"laborlens on http://{host}:{port}/ (API docs at /docs) over {settings.db_path}")
    # uvicorn with a time limit on request headers (see laborlens.service.server)
    run(create_app(settings, config, served=served), host=host, port=port)
