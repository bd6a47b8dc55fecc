"""The FastAPI application: API, dashboard, request limits, API key and error mapping."""

from __future__ import annotations

import gc
import hmac
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from laborlens import __version__
from laborlens.config import Settings, get_settings
from laborlens.exceptions import (
    AmbiguousOccupationError,
    DatabaseError,
    LaborlensError,
    OccupationNotFoundError,
)

log = logging.getLogger("laborlens.service")
API_KEY_HEADER = "X-API-Key"


@dataclass(frozen=True)
class ServiceConfig:
    """Limits and access of one service instance."""

    max_body_bytes: int = 2_000_000
    max_batch: int = 5000
    # titles × top of one POST /api/titles/code: 5,000 titles × top 50 made a 43.6 MB answer
    max_results: int = 50_000
    api_key: str | None = None
    warm: bool = True
    # how often (seconds, on a request) the database path is checked for a new build
    reload_check: float = 1.0


MAX_CANDIDATES = 20  # an ambiguous occupation lists at most this many (and says how many)

# The dashboard loads only its own script, styles and plotly.js; plotly sets inline styles.
# /docs and /redoc (FastAPI's Swagger UI and ReDoc) load from a CDN and run an inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSP_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: every response says nosniff, no framing, no referrer, and a
    Content-Security-Policy that the dashboard satisfies (a looser one for /docs, /redoc)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        docs = scope["path"] in ("/docs", "/redoc", "/docs/oauth2-redirect")
        csp = (CSP_DOCS if docs else CSP).encode()
        extra = [*SECURITY_HEADERS, (b"content-security-policy", csp)]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """ASGI middleware: a body over ``limit`` bytes gets 413 before any endpoint sees it,
    whether or not the client sent Content-Length (the body is read here, then replayed)."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(self.limit)(scope, receive, send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                return await _too_large(self.limit)(scope, receive, send)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


class ApiKey:
    """ASGI middleware: /api calls but /api/health need the key in the X-API-Key header (401
    otherwise). Plain ASGI rather than ``@app.middleware``, whose per-request task group and
    streams cost more than a fast endpoint."""

    def __init__(self, app, key: str) -> None:
        self.app, self.key = app, key.encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            request = Request(scope)
            path = request.url.path
            if (
                path.startswith("/api/")
                and path != "/api/health"
                and not hmac.compare_digest(
                    request.headers.get(API_KEY_HEADER, "").encode(), self.key
                )
            ):
                response = JSONResponse(
                    {
                        "detail": f"missing or wrong {API_KEY_HEADER} header",
                        "error": "Unauthorized",
                    },
                    401,
                )
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"request body over {limit} bytes", "error": "PayloadTooLarge"}, 413
    )


def _problem(status: int, exc: Exception, **extra) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "error": type(exc).__name__, **extra}, status)


def create_app(
    settings: Settings | None = None, config: ServiceConfig | None = None, served=None
) -> FastAPI:
    """The service over ``settings.db_path`` (opened read-only when the app starts)."""
    from laborlens.service.api import router
    from laborlens.service.dashboard import mount_dashboard
    from laborlens.service.outcomes_api import router as outcomes_router
    from laborlens.service.store import Served

    settings = settings or get_settings()
    config = config or ServiceConfig()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # ``served``: opened already by the caller (`laborlens serve` does, so that a bad
        # database is one error line, not a traceback from the server's start-up)
        app.state.served = served or Served(
            settings, warm=config.warm, check_every=config.reload_check
        )
        # The store, models and coder live as long as the app: kept out of the collector's
        # full passes, which would otherwise walk them (~0.2 s, every request waiting).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            app.state.served.close()

    app = FastAPI(
        title="laborlens",
        version=__version__,
        summary="How exposed occupations and tasks are to large AI models, from public data.",
        lifespan=lifespan,
    )
    app.state.config = config

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 405:
            # Starlette's Allow names the methods of the first route on the path only; a path
            # served by two routes (GET and POST /api/titles/code) must list both
            allowed = {
                method
                for route in (*app.router.routes, *router.routes)  # the API's are inside router
                if isinstance(route, Route) and route.methods
                if route.matches(request.scope)[0] is not Match.NONE
                for method in route.methods
            }
            if allowed:
                headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(allowed))}
                exc = StarletteHTTPException(405, exc.detail, headers=headers)
        return await http_exception_handler(request, exc)

    @app.exception_handler(OccupationNotFoundError)
    async def not_found(request: Request, exc: OccupationNotFoundError):
        return _problem(404, exc)

    @app.exception_handler(AmbiguousOccupationError)
    async def ambiguous(request: Request, exc: AmbiguousOccupationError):
        # bounded: a one-letter code matched 898 occupations (a 70 kB answer)
        candidates = [
            {"onet_soc_code": c, "title": t} for c, t in exc.candidates[:MAX_CANDIDATES]
        ]
        return _problem(422, exc, candidates=candidates, candidates_total=len(exc.candidates))

    @app.exception_handler(DatabaseError)
    async def unavailable(request: Request, exc: DatabaseError):
        return _problem(503, exc)

    @app.exception_handler(LaborlensError)
    async def invalid(request: Request, exc: LaborlensError):
        # every deliberate error of the library is about its input
        return _problem(422, exc)

    app.include_router(router)
    app.include_router(outcomes_router)
    mount_dashboard(app)
    # the last added runs first: headers on every answer, then the key (before any byte of the
    # body is read), then the body limit
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    if config.api_key:
        app.add_middleware(ApiKey, key=config.api_key)
    app.add_middleware(SecurityHeaders)
    return app
