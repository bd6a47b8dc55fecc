"""The one JSON decoding policy of the service: what ``json.loads`` accepts beyond JSON is
refused, for every route with a body.

Python's decoder takes ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON), turns ``1e400`` into
``inf``, and returns strings holding lone UTF-16 surrogates (``"\\ud800"``), which cannot be
encoded again as UTF-8 (the 500s of issue 17). Here each of them is a
:class:`json.JSONDecodeError` with a one-line message and the character offset, so FastAPI
answers 422 ``json_invalid`` (``detail[0].ctx.error`` says what and where), the same as any
other body that is not JSON. Bytes that are not UTF-8 remain a 400.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

# a JSON string (skipped whole) or the offending token
_STRING = r'"(?:[^"\\]|\\.)*"'
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_MAX_INT_DIGITS = 4300  # CPython's int/str conversion limit


class _Refused(Exception):
    def __init__(self, token: str, why: str) -> None:
        self.token, self.why = token, why


def _constant(name: str):
    raise _Refused(name, f"{name} is not JSON (JSON numbers are finite)")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(text, f"the number {text[:40]} is too large for a 64-bit float")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Refused(text, f"an integer of {len(text)} digits is too large")
    return int(text)


def _position(doc: str, token: str) -> int:
    """Offset of the first ``token`` outside a JSON string (0 if not found)."""
    for m in re.finditer(f"{_STRING}|{re.escape(token)}", doc):
        if not m.group().startswith('"'):
            return m.start()
    return 0


def _first_surrogate(value: Any, path: str = "") -> str | None:
    """The path (``tasks[0].statement``) of the first string, or key, that is not encodable
    as UTF-8, else None."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return path or "the body"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not key.isascii():
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    return f"a key of {path or 'the body'}"
            found = _first_surrogate(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_surrogate(item, f"{path}[{i}]")
            if found:
                return found
    return None


def loads(data: bytes | str) -> Any:
    """Strict JSON: like :func:`json.loads`, but NaN, ±Infinity, numbers that overflow a
    float, integers beyond 4,300 digits and lone surrogates raise :class:`json.JSONDecodeError`
    (``UnicodeDecodeError`` for bytes that are not UTF-8, as before)."""
    doc = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    try:
        value = json.loads(doc, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except _Refused as exc:
        raise json.JSONDecodeError(exc.why, doc, _position(doc, exc.token)) from None
    except RecursionError:
        msg = "nested too deeply"
        raise json.JSONDecodeError(msg, doc, 0) from None
    where = _first_surrogate(value)
    if where is not None:
        m = _LONE_SURROGATE.search(doc)
        msg = f"{where} holds a lone UTF-16 surrogate ({m.group() if m else 'unpaired'})"
        raise json.JSONDecodeError(msg, doc, m.start() if m else 0)
    return value


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """A route whose JSON body is decoded by :func:`loads` (``APIRouter(route_class=...)``)."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def strict(request: Request):
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict

