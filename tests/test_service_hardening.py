"""The service under the requests of issue 17's fault, fuzz and load campaign: malformed JSON
that schemathesis does not generate, security headers, the API key before the body, slow
clients, bounded errors and answers, concurrent scoring, and the server during a rebuild
(a real ``os.replace`` of the database file). Real server over loopback where the transport
matters, TestClient otherwise; always the real built database."""

from __future__ import annotations

import json
import math
import re
import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from laborlens.service import ServiceConfig, create_app
from laborlens.service.app import CSP, MAX_CANDIDATES
from laborlens.service.dashboard import STATIC
from laborlens.service.server import uvicorn_config

pytestmark = pytest.mark.slow

SOFTWARE = "15-1252.00"
POSTING = (
    "Software Developer\nWe are hiring a software developer.\n"
    "- Write and test computer programs to meet user requirements.\n"
    "- Modify existing software to correct errors and improve performance.\n"
    "- Confer with systems analysts and engineers on project specifications.\n"
)


@pytest.fixture(scope="module")
def service_settings(built_full):
    return built_full[0]


@pytest.fixture(scope="module")
def app_client(service_settings):
    app = create_app(service_settings, ServiceConfig(max_results=100))
    with TestClient(app) as client:
        yield app, client


@pytest.fixture(scope="module")
def client(app_client):
    return app_client[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn (the service's own configuration) in a thread, on a loopback port."""

    def __init__(self, app, **limits) -> None:
        import uvicorn

        self.port = _free_port()
        self.server = uvicorn.Server(
            uvicorn_config(app, "127.0.0.1", self.port, log_level="warning", **limits)
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                msg = "the server did not start"
                raise RuntimeError(msg)
            time.sleep(0.05)

    def connect(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        return s

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def _read_response(s: socket.socket) -> tuple[int, dict, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(headers.get("content-length", 0)):
        body += s.recv(65536)
    return int(lines[0].split()[1]), headers, body


# -- 1. one JSON decoding policy ---------------------------------------------------------------
BAD_JSON = [
    ('{"tasks": NaN}', "NaN is not JSON"),
    ('{"tasks": [{"statement": "x", "title": Infinity}]}', "Infinity is not JSON"),
    ('{"tasks": -Infinity}', "-Infinity is not JSON"),
    ('{"top": 1e400, "titles": ["nurse"]}', "too large for a 64-bit float"),
    ('{"top": -1E400}', "too large for a 64-bit float"),
    ('{"min_probability": ' + "9" * 5000 + "}", "5000 digits is too large"),
    ('{"tasks": [{"statement": "Audit \\ud800 books"}]}', "lone UTF-16 surrogate"),
    ('{"titles": ["nurse", "\\udc00"]}', "lone UTF-16 surrogate"),
    ('{"text": "Nurse\\ud83d", "title": "RN"}', "lone UTF-16 surrogate"),
    ('{"\\ud800": 1}', "lone UTF-16 surrogate"),
]


def _body_routes(app) -> list[str]:
    from laborlens.service.api import router

    return sorted(
        {
            r.path
            for r in (*app.routes, *router.routes)
            if "POST" in (getattr(r, "methods", None) or ()) and r.path.startswith("/api/")
        }
    )


def test_every_body_route_refuses_what_json_does_not_allow(app_client):
    app, client = app_client
    routes = _body_routes(app)
    assert routes == ["/api/postings/analyze", "/api/score", "/api/titles/code"]
    for route in routes:
        for body, message in BAD_JSON:
            r = client.post(route, content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 422, (route, body[:40], r.text[:300])
            error = r.json()["detail"][0]
            assert error["type"] == "json_invalid"
            assert message in error["ctx"]["error"]
            assert "\n" not in error["ctx"]["error"]
            assert error["loc"][0] == "body"
    # the position is that of the offending token, outside strings
    r = client.post(
        "/api/score",
        content='{"note": "NaN", "tasks": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert r.json()["detail"][0]["loc"] == ["body", 25]
    # valid escapes still work: a surrogate pair is one character
    r = client.post("/api/titles/code", json={"titles": ["nurse \U0001f600"], "top": 1})
    assert r.status_code == 200
    assert r.json()["results"][0]["title"] == "nurse \U0001f600"


def test_bodies_that_are_not_utf8_are_400(client):
    for raw in (b'{"titles": ["caf\xe9"]}', b'{"titles": ["\xed\xa0\x80"]}'):
        r = client.post(
            "/api/titles/code", content=raw, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400
        assert r.json()["detail"] == "There was an error parsing the body"


# -- 4. security headers, API key, slow clients, bounded answers --------------------------------
def test_security_headers_on_every_answer(client):
    for url, status in [
        ("/", 200),
        ("/api/health", 200),
        ("/static/app.js", 200),
        ("/api/occupations/99-9999.99", 404),
        ("/nowhere", 404),
        ("/docs", 200),
    ]:
        r = client.get(url)
        assert r.status_code == status, url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert client.get("/").headers["content-security-policy"] == CSP


def test_the_dashboard_satisfies_its_csp():
    """script-src 'self': no inline script, no handler attributes, no eval; every script and
    stylesheet from the server itself (the browser tests in test_dashboard.py fail on any CSP
    violation, which the browser reports as a console error)."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
    assert scripts
    assert all(re.search(r'src="/static/', attrs) and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert not re.search(r'(href|src)="(https?:)?//', html)
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    assert not re.search(r"\beval\(|new Function\(|javascript:", js)


def test_api_key_is_checked_before_the_body_is_read(service_settings):
    app = create_app(service_settings, ServiceConfig(api_key="k" * 32, warm=False))
    live = LiveServer(app)
    try:
        with live.connect() as s:
            # 2 MB announced, not a byte of it sent: the answer must not wait for it
            s.sendall(
                b"POST /api/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"X-API-Key: wrong\r\nContent-Length: 2000000\r\n\r\n"
            )
            started = time.monotonic()
            status, _, body = _read_response(s)
            assert status == 401
            assert time.monotonic() - started < 5
            assert json.loads(body)["error"] == "Unauthorized"
        with live.connect() as s:  # health needs no key
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _read_response(s)[0] == 200
    finally:
        live.stop()


def test_partial_headers_time_out(service_settings):
    app = create_app(service_settings, ServiceConfig(warm=False))
    live = LiveServer(app, header_timeout=1.0, keep_alive=30)
    try:
        held = [live.connect() for _ in range(20)]
        for s in held:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        silent = live.connect()  # opens and sends nothing
        started = time.monotonic()
        for s in [*held, silent]:
            s.settimeout(10)
            assert s.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 5
        # a complete request is answered, and on a kept-alive connection a second request
        # whose headers stall is closed the same way
        with live.connect() as s:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _read_response(s)[0] == 200
            time.sleep(1.5)  # idle between requests: the keep-alive time (30 s) applies
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _read_response(s)[0] == 200
            s.sendall(b"GET /api/health HTTP/1.1\r\n")
            started = time.monotonic()
            assert s.recv(1024) == b""
            assert time.monotonic() - started < 5
        for s in [*held, silent]:
            s.close()
    finally:
        live.stop()


def test_ambiguous_occupation_lists_at_most_20_candidates_with_the_count(client):
    r = client.get("/api/careers/recommend", params={"occupation": "a"})
    assert r.status_code == 422
    body = r.json()
    assert len(body["candidates"]) == MAX_CANDIDATES
    assert body["candidates_total"] > 500
    assert f"matches {body['candidates_total']} occupations" in body["detail"]
    assert len(r.content) < 5000


def test_titles_times_top_is_capped(client):
    ok = client.post("/api/titles/code", json={"titles": ["nurse", "welder"], "top": 50})
    assert ok.status_code == 200
    assert len(ok.json()["results"]) == 100
    r = client.post("/api/titles/code", json={"titles": ["nurse", "welder", "cook"], "top": 50})
    assert r.status_code == 413
    assert r.json()["detail"] == (
        "3 titles × top 50 = 150 results; at most 100 per request: send fewer titles or a "
        "smaller top"
    )


# -- 5. scoring requests served together ---------------------------------------------------------
def test_concurrent_scoring_is_batched_and_equals_one_by_one(app_client, service_settings):
    app, client = app_client
    con = duckdb.connect(str(service_settings.db_path), read_only=True)
    tasks = [
        {"statement": t, "title": o}
        for t, o in con.execute(
            "SELECT t.task, o.title FROM onet_tasks t JOIN occupations o USING (onet_soc_code) "
            "ORDER BY t.task_id LIMIT 48"
        ).fetchall()
    ]
    con.close()
    requests = [{"tasks": tasks[i : i + 1 + i % 3]} for i in range(0, 48, 2)]
    alone = [client.post("/api/score", json=r).json() for r in requests]
    batcher = app.state.served.current.batcher()
    before = (batcher.batches, batcher.requests)
    with ThreadPoolExecutor(max_workers=16) as pool:
        together = list(pool.map(lambda r: client.post("/api/score", json=r).json(), requests))
    # labels equal; probabilities equal up to rounding (a batch's BLAS sums may differ in the
    # last bit from one row's)
    assert len(together) == len(alone)
    for got, want in zip(together, alone, strict=True):
        assert got["model"] == want["model"]
        assert len(got["scores"]) == len(want["scores"])
        for g, w in zip(got["scores"], want["scores"], strict=True):
            assert g.keys() == w.keys()
            for key, value in w.items():
                if isinstance(value, float):
                    assert math.isclose(g[key], value, rel_tol=1e-12, abs_tol=1e-15), key
                else:
                    assert g[key] == value, key
    batches, served = batcher.batches - before[0], batcher.requests - before[1]
    assert served == len(requests)
    assert batches < served  # some requests shared a model call


# -- 6. the server during a rebuild ---------------------------------------------------------------
def _variant(src: Path, dest: Path, built_at: str, title: str) -> None:
    """A copy of the database as another build: its build time and one occupation title."""
    shutil.copyfile(src, dest)
    con = duckdb.connect(str(dest))
    con.execute("UPDATE build_info SET value = ? WHERE key = 'built_at'", [built_at])
    con.execute("UPDATE occupations SET title = ? WHERE onet_soc_code = ?", [title, SOFTWARE])
    con.close()


def _views(client) -> dict:
    """What each endpoint says about the build and the Software Developers title."""
    health = client.get("/api/health").json()
    detail = client.get(f"/api/occupations/{SOFTWARE}").json()
    coded = client.get("/api/titles/code", params={"title": "software developer", "top": 1})
    posting = client.post("/api/postings/analyze", json={"text": POSTING, "top": 1}).json()
    return {
        "built_at": health["built_at"],
        "stale": health["stale"],
        "reload": health["reload"],
        "detail": detail["title"],
        "coder": coded.json()["results"][0]["occupation_title"],
        "posting": posting["occupations"][0]["occupation_title"],
    }


def test_rebuild_switches_every_endpoint_at_once(service_settings, tmp_path):
    db = tmp_path / "ll.duckdb"
    _variant(service_settings.db_path, db, "2000-01-01T00:00:00+00:00", "Old Title")
    settings = replace(service_settings, db_path=db)
    app = create_app(settings, ServiceConfig(warm=False, reload_check=0.0))
    with TestClient(app) as client:
        first = _views(client)
        assert first == {
            "built_at": "2000-01-01T00:00:00+00:00",
            "stale": False,
            "reload": None,
            "detail": "Old Title",
            "coder": "Old Title",
            "posting": "Old Title",
        }
        old_store = app.state.served.current

        # a replacement that cannot be loaded (truncated): the old build is served, whole,
        # and health says so
        broken = tmp_path / ".broken"
        broken.write_bytes(db.read_bytes()[:4096])
        broken.replace(db)
        client.get("/api/health")
        app.state.served.wait(120)
        view = _views(client)
        assert {k: view[k] for k in ("built_at", "detail", "coder", "posting")} == {
            "built_at": "2000-01-01T00:00:00+00:00",
            "detail": "Old Title",
            "coder": "Old Title",
            "posting": "Old Title",
        }
        assert view["stale"] is True
        assert "could not be loaded" in view["reload"]
        assert app.state.served.current is old_store

        # the real rebuild: a new file renamed over the path (what `laborlens build` does)
        new = tmp_path / ".new.duckdb"
        _variant(service_settings.db_path, new, "2030-01-01T00:00:00+00:00", "New Title")
        new.replace(db)
        seen = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            seen.append(_views(client))
            if seen[-1]["built_at"].startswith("2030"):
                break
        app.state.served.wait(120)
        final = _views(client)
        assert {k: final[k] for k in ("built_at", "stale", "detail", "coder", "posting")} == {
            "built_at": "2030-01-01T00:00:00+00:00",
            "stale": False,
            "detail": "New Title",
            "coder": "New Title",
            "posting": "New Title",
        }
        assert final["reload"].startswith("switched to this build at")
        # never a mix: while the old build answered, health said it is stale; each answer is
        # wholly of one build (a view spans several requests, so it may straddle the switch)
        for view in seen:
            if view["built_at"].startswith("2000"):
                assert view["stale"] is True
            assert {view["detail"], view["coder"], view["posting"]} <= {"Old Title", "New Title"}
        # the old build's connection is closed once no request uses it
        with pytest.raises(duckdb.Error):
            old_store._con.execute("SELECT 1")


# -- the loopback load, bounded ----------------------------------------------------------------
def test_bounded_mixed_load_over_loopback_gives_no_server_error(service_settings):
    """400 mixed requests at concurrency 16 on a live server (127.0.0.1): every answer 200
    (the full 10,000-request load is `bench/bench_service.py --mixed`)."""
    import httpx

    con = duckdb.connect(str(service_settings.db_path), read_only=True)
    codes = [r[0] for r in con.execute("SELECT onet_soc_code FROM occupations").fetchall()]
    titles = [r[0] for r in con.execute("SELECT title FROM occupations").fetchall()]
    tasks = [r[0] for r in con.execute("SELECT task FROM onet_tasks LIMIT 400").fetchall()]
    con.close()
    app = create_app(service_settings, ServiceConfig())
    live = LiveServer(app)
    base = f"http://127.0.0.1:{live.port}"

    def one(i: int) -> int:
        with httpx.Client(base_url=base, timeout=120) as c:
            kind = i % 10
            if kind < 4:
                q = titles[i % len(titles)][:6]
                return c.get("/api/occupations", params={"q": q}).status_code
            if kind < 7:
                return c.get(f"/api/occupations/{codes[i % len(codes)]}").status_code
            if kind < 9:
                body = {"tasks": [{"statement": tasks[i % len(tasks)]}]}
                return c.post("/api/score", json=body).status_code
            return c.get("/api/titles/code", params={"title": titles[i % len(titles)]}).status_code

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(one, range(400)))
    finally:
        live.stop()
    assert statuses == [200] * 400
