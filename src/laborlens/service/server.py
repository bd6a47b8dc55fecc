"""Running the service with uvicorn, with limits on slow clients.

uvicorn's HTTP/1.1 protocol (h11; httptools is not installed) has a keep-alive timeout for
idle connections *between* requests (``timeout_keep_alive``), and caps the size of
incomplete headers (``h11_max_incomplete_event_size``), but no time limit on a request's
headers: a client that sends part of its headers and then nothing holds the connection for
ever (issue 17 held 2,000 of them for 45 s). :class:`HeaderTimeoutProtocol` closes a
connection whose request headers are not complete ``header_timeout`` seconds after its first
byte (or after it opened). A body that arrives slowly is bounded by the body limit, not by
time; ``limit_concurrency`` (uvicorn answers 503 beyond it) bounds how many connections and
requests are served at once. None of this replaces a reverse proxy in front of a service
exposed beyond localhost.
"""

from __future__ import annotations

import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("laborlens.service")
HEADER_TIMEOUT = 10.0
KEEP_ALIVE = 5
MAX_HEADER_BYTES = 16 * 1024


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request headers are incomplete
    ``header_timeout`` seconds after the request began."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._header_timer = None
        self._arm()

    def _waiting_for_headers(self) -> bool:
        idle = self.cycle is None or self.cycle.response_complete
        return idle and self.conn.their_state is h11.IDLE

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm()
        elif self._waiting_for_headers():
            self._arm()  # part of a request's headers (the timer runs from its first byte)
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        # between requests the keep-alive timeout applies; the next request's first byte arms
        # the header timer again
        self._disarm()
        super().on_response_complete()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _expire(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            log.info(
                "closing a connection: no complete request headers in %s s", self.header_timeout
            )
            self.transport.close()


def protocol(header_timeout: float = HEADER_TIMEOUT) -> type[HeaderTimeoutProtocol]:
    """The protocol class with its own timeout (uvicorn instantiates the class it is given)."""
    return type(
        "HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": header_timeout}
    )


def uvicorn_config(
    app,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    header_timeout: float = HEADER_TIMEOUT,
    keep_alive: int = KEEP_ALIVE,
    limit_concurrency: int | None = None,
    log_level: str = "info",
):
    """A ``uvicorn.Config`` for the service with the slow-client limits above."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol(header_timeout),
        timeout_keep_alive=keep_alive,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=limit_concurrency,
        log_level=log_level,
    )


def run(app, host: str = "127.0.0.1", port: int = 8000, **limits) -> None:
    """Serve ``app`` until interrupted (``laborlens serve``)."""
    import uvicorn

    uvicorn.Server(uvicorn_config(app, host, port, **limits)).run()
