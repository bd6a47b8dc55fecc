"""The REST API over the real built database: answers checked against the raw tables and the
library, bad input (413, 422 naming the field, 401, 503), concurrency, and schemathesis over
the OpenAPI schema with zero server errors."""

from __future__ import annotations

import dataclasses
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi as schemathesis_asgi

from laborlens.config import Settings
from laborlens.measures.analysis import correlation_matrix, pair_counts
from laborlens.models.base import ExposureModel
from laborlens.models.default import default_model_dir
from laborlens.occupations.search import SIMILAR_RATIO
from laborlens.posting.analyze import analyze_posting
from laborlens.service import ServiceConfig, create_app
from laborlens.titles.api import code_titles

pytestmark = pytest.mark.slow

SOFTWARE = "15-1252.00"  # Software Developers: an OEWS detailed code with state rows
NURSES = "29-1141.00"  # Registered Nurses: many alternate titles
POSTING = """Registered Nurse, Medical-Surgical Unit
Riverside Community Hospital is hiring a full-time registered nurse for its 32-bed unit.
Responsibilities:
- Assess patients' conditions and record vital signs, symptoms and progress in the electronic health record.
- Administer medications and intravenous fluids as prescribed by physicians.
- Develop and carry out individualized nursing care plans with the care team.
- Educate patients and their families about treatment, medications and discharge instructions.
- Monitor and adjust patient care equipment such as infusion pumps and telemetry monitors.
- Supervise licensed practical nurses and nursing assistants on the shift.
Requirements: an active state RN license, BLS certification and one year of acute care experience.
"""


def _fold(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _close(a, b) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None and (b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def service_settings(built_full):
    return built_full[0]


@pytest.fixture(scope="module")
def served(service_settings):
    """(app, client) over the built database, its lifespan running for the whole module."""
    app = create_app(service_settings, ServiceConfig())
    with TestClient(app) as client:
        yield app, client


@pytest.fixture(scope="module")
def client(served):
    return served[1]


@pytest.fixture(scope="module")
def raw(service_settings):
    """The raw tables, read directly (read-only) for the expected values."""
    con = duckdb.connect(str(service_settings.db_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def small(service_settings):
    """A second app with small limits and no warm-up (its models load on first use)."""
    app = create_app(service_settings, ServiceConfig(max_body_bytes=1000, max_batch=3, warm=False))
    with TestClient(app) as c:
        yield c


def test_health_names_the_database_and_its_capabilities(client, raw, service_settings):
    body = client.get("/api/health").json()
    info = dict(raw.execute("SELECT key, value FROM build_info").fetchall())
    assert body["database"] == str(service_settings.db_path)
    assert (body["schema_version"], body["built_at"]) == (info["schema_version"], info["built_at"])
    tables = {r[0] for r in raw.execute("SELECT name FROM tables").fetchall()}
    assert body["models"] is True
    assert body["title_coder"] is ("title_index" in tables)
    assert body["impact_aggregates"] is ("impact_aggregates" in tables)


# -- search -------------------------------------------------------------------------------------
def test_search_by_exact_title_ranks_the_occupation_first(client, raw):
    title = raw.execute("SELECT title FROM occupations WHERE onet_soc_code = ?", [SOFTWARE])
    title = title.fetchone()[0]
    hits = client.get("/api/occupations", params={"q": title}).json()
    assert hits[0] == {
        "onet_soc_code": SOFTWARE,
        "title": title,
        "matched": title,
        "match": "title",
        "score": 90.0,
    }


def test_search_by_alternate_title(client, raw):
    title = raw.execute("SELECT title FROM occupations WHERE onet_soc_code = ?", [NURSES])
    title_words = _fold(title.fetchone()[0])
    alternates = [
        r[0]
        for r in raw.execute(
            "SELECT alternate_title FROM onet_alternate_titles WHERE onet_soc_code = ? "
            "ORDER BY alternate_title",
            [NURSES],
        ).fetchall()
    ]
    # an alternate title that the occupation's own title does not also match word by word
    alt = next(
        a
        for a in alternates
        if len(_fold(a)) >= 2
        and not all(any(t.startswith(w) for t in title_words) for w in _fold(a))
    )
    hits = client.get("/api/occupations", params={"q": alt, "limit": 50}).json()
    mine = [h for h in hits if h["onet_soc_code"] == NURSES]
    assert len(mine) == 1
    assert mine[0]["match"] == "alternate"
    assert _fold(mine[0]["matched"]) == _fold(alt)
    assert mine[0]["score"] == 60.0  # an exact alternate title
    # literal matches come first; the coder's similar titles only fill the rest of the limit
    kinds = [h["match"] == "similar" for h in hits]
    assert kinds == sorted(kinds)


def test_search_by_code_prefix_returns_every_code_under_it(client, raw):
    expected = {
        r[0]
        for r in raw.execute(
            "SELECT onet_soc_code FROM occupations WHERE onet_soc_code LIKE '15-12%'"
        ).fetchall()
    }
    assert 0 < len(expected) <= 50
    hits = client.get("/api/occupations", params={"q": "15-12", "limit": 50}).json()
    assert {h["onet_soc_code"] for h in hits} == expected
    assert all(h["match"] == "code" and h["matched"] == h["onet_soc_code"] for h in hits)


def test_search_typo_falls_back_to_similar_titles_from_the_coder(client, service_settings):
    q = "sofware develper"
    hits = client.get("/api/occupations", params={"q": q}).json()
    coded = code_titles(q, top=5, settings=service_settings).dropna(subset=["onet_soc_code"])
    # only the coder's codes at least SIMILAR_RATIO as probable as its best are suggested
    near = coded[coded["probability"] >= SIMILAR_RATIO * coded["probability"].max()]
    assert 0 < len(near) < len(coded)
    assert [h["onet_soc_code"] for h in hits] == near["onet_soc_code"].tolist()
    assert all(h["match"] == "similar" and h["matched"] == q for h in hits)
    assert SOFTWARE in [h["onet_soc_code"] for h in hits[:2]]


# -- one occupation -----------------------------------------------------------------------------
def test_occupation_detail_equals_the_tables(client, raw):
    body = client.get(f"/api/occupations/{SOFTWARE}").json()
    occ = raw.execute(
        "SELECT title, description, job_zone, soc_2018_code FROM occupations "
        "WHERE onet_soc_code = ?",
        [SOFTWARE],
    ).fetchone()
    assert (body["title"], body["description"], body["job_zone"], body["soc_2018_code"]) == occ
    oews = raw.execute(
        "SELECT employment, a_median, a_mean FROM oews_national_2025 WHERE soc_code = ?", [occ[3]]
    ).fetchone()
    national = body["oews_national_2025"]
    assert national["soc_code"] == occ[3]
    assert (national["employment"], national["a_median"], national["a_mean"]) == oews
    exposure = raw.execute(
        "SELECT source, weighting, alpha, beta, gamma FROM occupation_exposure "
        "WHERE onet_soc_code = ? ORDER BY source, weighting",
        [SOFTWARE],
    ).fetchall()
    assert len(body["exposure"]) == len(exposure) >= 3
    for got, want in zip(body["exposure"], exposure, strict=True):
        assert (got["source"], got["weighting"]) == want[:2]
        assert all(
            _close(got[k], v) for k, v in zip(("alpha", "beta", "gamma"), want[2:], strict=True)
        )
    # a SOC 2018 code resolves to the same occupation when only one O*NET code lies under it
    assert client.get(f"/api/occupations/{occ[3]}").json()["onet_soc_code"] == SOFTWARE


def test_occupation_tasks_equal_onet_tasks_and_human_labels(client, raw):
    body = client.get(f"/api/occupations/{SOFTWARE}/tasks").json()
    n = raw.execute("SELECT count(*) FROM onet_tasks WHERE onet_soc_code = ?", [SOFTWARE])
    assert body["n_tasks"] == len(body["tasks"]) == n.fetchone()[0]
    labels = dict(
        raw.execute(
            "SELECT task_id, human_exposure FROM exposure_labels WHERE onet_soc_code = ?",
            [SOFTWARE],
        ).fetchall()
    )
    assert labels, "the occupation has human labels"
    for task in body["tasks"]:
        assert task["human_exposure"] == labels.get(task["task_id"])
        assert math.isclose(task["p_E0"] + task["p_E1"] + task["p_E2"], 1.0, abs_tol=1e-9)
    assert sum(t["human_exposure"] is not None for t in body["tasks"]) == len(
        {t["task_id"] for t in body["tasks"]} & set(labels)
    )


def test_occupation_geography_equals_oews_state_rows(client, raw):
    body = client.get(f"/api/occupations/{SOFTWARE}/geography").json()
    soc = raw.execute("SELECT soc_2018_code FROM occupations WHERE onet_soc_code = ?", [SOFTWARE])
    soc = soc.fetchone()[0]
    assert (body["level"], body["oews_soc_code"]) == ("state", soc)
    rows = raw.execute(
        "SELECT area_code, employment, a_median FROM oews_areas_2025 "
        "WHERE area_type = 'state' AND soc_code = ?",
        [soc],
    ).fetchall()
    assert len(rows) >= 50
    got = [(a["area_code"], a["employment"], a["a_median"]) for a in body["areas"]]
    assert sorted(got, key=str) == sorted(rows, key=str)
    employment = [a["employment"] for a in body["areas"] if a["employment"] is not None]
    assert employment == sorted(employment, reverse=True)


def test_occupation_summary_equals_the_library(client, raw):
    """The dashboard's occupation page and `laborlens occupations show` share one function."""
    import json

    from laborlens.jsonutil import clean_json
    from laborlens.occupations.summary import occupation_summary

    got = client.get(f"/api/occupations/{NURSES}/summary", params={"tasks": 3, "moves": 4})
    assert got.status_code == 200
    body = got.json()
    want = json.loads(json.dumps(clean_json(occupation_summary(raw, NURSES, n_tasks=3, n_moves=4))))
    assert body == want
    assert len(body["tasks_most_exposed"]) == 3
    assert len(body["career_moves"]) == 4
    # an exact title resolves like a code
    cashiers = client.get("/api/occupations/Cashiers/summary").json()
    assert cashiers["onet_soc_code"] == "41-2011.00"
    assert len(cashiers["career_moves"]) == 5  # the defaults: 5 tasks each way, 5 moves


@pytest.mark.parametrize(
    ("code", "status", "named"),
    [
        ("99-9999.00", 404, "'99-9999.00'"),
        ("zzqqxx vvbbnn", 404, "zzqqxx vvbbnn"),
        ("bus driver", 422, "53-3052.00"),  # two occupations: the answer lists both
    ],
)
def test_occupation_summary_of_a_bad_code_names_it(client, code, status, named):
    r = client.get(f"/api/occupations/{code}/summary")
    assert r.status_code == status
    assert named in r.json()["detail"]


def test_occupation_summary_limits_are_422_naming_the_parameter(client):
    for params in ({"tasks": 0}, {"moves": 21}, {"tasks": "many"}):
        r = client.get(f"/api/occupations/{NURSES}/summary", params=params)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", next(iter(params))]


# -- careers --------------------------------------------------------------------------------------
def test_careers_resolve_free_text_title(client, raw):
    text = "software developer"
    codes = {
        r[0]
        for r in raw.execute(
            "SELECT onet_soc_code FROM onet_alternate_titles WHERE lower(alternate_title) = ? "
            "UNION SELECT onet_soc_code FROM onet_reported_titles WHERE lower(reported_title) = ?",
            [text, text],
        ).fetchall()
    }
    assert codes == {SOFTWARE}
    body = client.get("/api/careers/recommend", params={"occupation": text, "top": 5}).json()
    assert body["origin"]["onet_soc_code"] == SOFTWARE
    recs = body["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3, 4, 5]
    assert SOFTWARE not in {r["onet_soc_code"] for r in recs}
    same = client.get(f"/api/occupations/{SOFTWARE}/transitions", params={"top": 5}).json()
    assert [r["onet_soc_code"] for r in same["recommendations"]] == [
        r["onet_soc_code"] for r in recs
    ]


def test_careers_ambiguous_title_is_422_with_candidates(client, raw):
    text = "nurse"
    expected = raw.execute(
        """
        SELECT DISTINCT o.onet_soc_code FROM occupations o JOIN (
            SELECT onet_soc_code, alternate_title AS t FROM onet_alternate_titles
            UNION ALL SELECT onet_soc_code, short_title FROM onet_alternate_titles
            UNION ALL SELECT onet_soc_code, reported_title FROM onet_reported_titles
        ) a USING (onet_soc_code) WHERE lower(a.t) = ?
        """,
        [text],
    ).fetchall()
    assert len(expected) > 1
    r = client.get("/api/careers/recommend", params={"occupation": text})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "AmbiguousOccupationError"
    assert {c["onet_soc_code"] for c in body["candidates"]} == {e[0] for e in expected}
    assert client.get(f"/api/occupations/{text}").status_code == 422


@pytest.mark.parametrize("unknown", ["zzqqxx vvbbnn", "99-9999.00", "99-9999"])
def test_unknown_occupation_is_404(client, unknown):
    for url in (
        f"/api/occupations/{unknown}",
        f"/api/occupations/{unknown}/tasks",
        f"/api/occupations/{unknown}/geography",
        f"/api/occupations/{unknown}/summary",
        f"/api/emerging/tasks/{unknown}",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.json()["error"] == "OccupationNotFoundError"
    r = client.get("/api/careers/recommend", params={"occupation": unknown})
    assert r.status_code == 404


# -- scoring, titles, postings --------------------------------------------------------------------
STATEMENTS = [
    {"statement": "Write and test computer programs to meet user requirements."},
    {"statement": "Drive a truck to deliver goods to customers.", "title": "Truck Drivers"},
    {"statement": "Prepare financial statements and reconcile accounts.", "title": None},
]


def test_score_equals_the_default_models(client, service_settings):
    r = client.post("/api/score", json={"tasks": STATEMENTS})
    assert r.status_code == 200
    scores = pd.DataFrame(r.json()["scores"])
    assert scores["statement"].tolist() == [t["statement"] for t in STATEMENTS]
    X = pd.DataFrame(
        {
            "task": [t["statement"] for t in STATEMENTS],
            "title": [t.get("title") for t in STATEMENTS],
        }
    )
    for target, cols in (
        ("exposure", ["p_E0", "p_E1", "p_E2"]),
        ("automation", ["p_T0", "p_T1", "p_T2", "p_T3", "p_T4"]),
    ):
        model = ExposureModel.load(default_model_dir(service_settings, target))
        p = scores[cols].to_numpy()
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
        np.testing.assert_allclose(p, model.predict_proba(X), rtol=1e-9, atol=1e-12)
    e = scores[["p_E0", "p_E1", "p_E2"]].to_numpy()
    np.testing.assert_allclose(scores["beta"], e[:, 1] + 0.5 * e[:, 2], atol=1e-12)


def test_score_batch_equals_single_requests(client):
    batch = client.post("/api/score", json={"tasks": STATEMENTS}).json()["scores"]
    single = [
        client.post("/api/score", json={"tasks": [t]}).json()["scores"][0] for t in STATEMENTS
    ]
    assert len(batch) == len(single) == len(STATEMENTS)
    for b, s in zip(batch, single, strict=True):
        assert b.keys() == s.keys()
        for k, v in b.items():
            assert v == s[k] if isinstance(v, str) else _close(v, s[k]), k


def _expected_titles(frame: pd.DataFrame) -> list[dict]:
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def test_titles_post_and_get_agree_with_code_titles(client, service_settings):
    titles = ["registered nurse", "senior python developer", "forklift operator"]
    r = client.post("/api/titles/code", json={"titles": titles, "top": 3})
    assert r.status_code == 200
    got = r.json()["results"]
    want = _expected_titles(code_titles(titles, top=3, settings=service_settings))
    assert len(got) == len(want) == 9
    for g, w in zip(got, want, strict=True):
        assert {k: g[k] for k in ("title", "rank", "onet_soc_code", "soc_2018_code")} == {
            k: w[k] for k in ("title", "rank", "onet_soc_code", "soc_2018_code")
        }
        assert _close(g["probability"], w["probability"])
    one = client.get("/api/titles/code", params={"title": titles[0], "top": 3}).json()["results"]
    assert one == got[:3]
    # a title below min_probability comes back with empty fields, not dropped
    none = client.get("/api/titles/code", params={"title": titles[0], "min_probability": 1.0})
    assert none.json()["results"] == [
        {
            "title": titles[0],
            "rank": None,
            "onet_soc_code": None,
            "soc_2018_code": None,
            "occupation_title": None,
            "probability": None,
        }
    ]


def test_posting_analysis_equals_the_library(client, served, service_settings):
    r = client.post("/api/postings/analyze", json={"text": POSTING, "top": 3})
    assert r.status_code == 200
    body = r.json()
    first_line = POSTING.splitlines()[0]
    assert body["title"] == first_line
    assert body["occupations"][0]["onet_soc_code"] == NURSES
    assert len(body["statements"]) >= 5
    assert body["beta_ci"][0] <= body["beta"] <= body["beta_ci"][1]
    models = served[0].state.served.current.models()
    direct = analyze_posting(
        POSTING.encode(), settings=service_settings, top=3, models=models
    ).to_dict()
    assert [s["statement"] for s in body["statements"]] == [
        s["statement"] for s in direct["statements"]
    ]
    assert [o["onet_soc_code"] for o in body["occupations"]] == [
        o["onet_soc_code"] for o in direct["occupations"]
    ]
    assert _close(body["beta"], direct["beta"])
    assert all(_close(a, b) for a, b in zip(body["beta_ci"], direct["beta_ci"], strict=True))


def test_posting_text_that_is_a_file_path_is_not_read(client, tmp_path):
    path = tmp_path / "posting.txt"
    path.write_text(POSTING, encoding="utf-8")
    r = client.post("/api/postings/analyze", json={"text": str(path)})
    assert r.status_code == 200
    body = r.json()
    # analysed as the text it is: the file's title and statements never appear
    assert body["title"] == str(path)
    assert body["statements"] == []
    assert body["beta"] is None
    assert body["confidence"] == "low"


# -- measures -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["pearson", "spearman", "weighted_pearson"])
def test_measures_correlation_equals_the_library(client, raw, method):
    wide = raw.execute("SELECT * FROM measures_soc2018 ORDER BY soc_2018_code").df()
    corr = correlation_matrix(wide, method)
    n = pair_counts(wide, list(corr.columns))
    body = client.get("/api/measures/correlation", params={"method": method}).json()
    assert body["measures"] == list(corr.columns)
    got = np.array(body["matrix"], dtype=float)  # None → nan
    np.testing.assert_allclose(got, corr.to_numpy(dtype=float), rtol=1e-12, equal_nan=True)
    assert body["pairs"] == n.to_numpy().tolist()


def test_measures_table_and_list(client, raw):
    rows = client.get("/api/measures/table").json()["rows"]
    assert len(rows) == raw.execute("SELECT count(*) FROM measures_soc2018").fetchone()[0]
    coverage = dict(raw.execute("SELECT measure, codes_covered FROM measure_coverage").fetchall())
    listed = client.get("/api/measures").json()["measures"]
    assert {m["name"] for m in listed} >= set(coverage)
    for m in listed:
        if m["name"] in coverage:
            assert m["codes_covered"] == coverage[m["name"]]


# -- bad input ------------------------------------------------------------------------------------
def _chunks(total: int, size: int = 256):
    sent = 0
    yield b'{"tasks": ['
    while sent < total:
        yield b'{"statement": "' + b"x" * size + b'"},'
        sent += size
    yield b'{"statement": "end"}]}'


def test_body_over_the_limit_is_413(small):
    big = {"tasks": [{"statement": "x" * 600}, {"statement": "y" * 600}]}
    r = small.post("/api/score", json=big)
    assert r.status_code == 413
    assert r.json()["error"] == "PayloadTooLarge"
    # no Content-Length: the body arrives in chunks and is counted as it comes
    r = small.post(
        "/api/score", content=_chunks(5000), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413
    # under the limit, the same app answers
    assert small.post("/api/score", json={"tasks": [{"statement": "x"}]}).status_code == 200


def test_batch_over_max_batch_is_413(small):
    tasks = [{"statement": f"Task {i}"} for i in range(4)]
    r = small.post("/api/score", json={"tasks": tasks})
    assert r.status_code == 413
    assert "at most 3" in r.json()["detail"]
    r = small.post("/api/titles/code", json={"titles": ["a", "b", "c", "d"]})
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("body", "loc", "kind"),
    [
        ({"tasks": []}, ["body", "tasks"], "too_short"),
        (
            {"tasks": [{"statement": "x" * 2001}]},
            ["body", "tasks", 0, "statement"],
            "string_too_long",
        ),
        ({"tasks": [{"statement": ""}]}, ["body", "tasks", 0, "statement"], "string_too_short"),
        ({"tasks": [{"statement": 5}]}, ["body", "tasks", 0, "statement"], "string_type"),
        ({"tasks": "Write code"}, ["body", "tasks"], "list_type"),
        ({"tasks": [{"statement": "ok"}], "model": "x"}, ["body", "model"], "extra_forbidden"),
        (
            {"tasks": [{"statement": "ok", "weight": 1}]},
            ["body", "tasks", 0, "weight"],
            "extra_forbidden",
        ),
        ({}, ["body", "tasks"], "missing"),
        (
            {"tasks": [{"statement": "ok", "title": "t" * 301}]},
            ["body", "tasks", 0, "title"],
            "string_too_long",
        ),
    ],
)
def test_invalid_score_body_is_422_naming_the_field(client, body, loc, kind):
    r = client.post("/api/score", json=body)
    assert r.status_code == 422
    errors = r.json()["detail"]
    assert [(e["loc"], e["type"]) for e in errors] == [(loc, kind)]


def test_invalid_query_and_json_are_422(client):
    r = client.get("/api/occupations", params={"q": "nurse", "limit": 0})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "limit"]
    r = client.get("/api/occupations")
    assert r.json()["detail"][0]["loc"] == ["query", "q"]
    r = client.post(
        "/api/score", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"
    r = client.post("/api/titles/code", json={"titles": ["nurse"], "top": 51})
    assert r.json()["detail"][0]["loc"] == ["body", "top"]
    r = client.post("/api/titles/code", json={"titles": ["nurse", "n" * 301]})
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "titles", 1]]
    # JSON types are not coerced: false is not a number, "3" is not an integer
    r = client.post("/api/titles/code", json={"titles": ["nurse"], "min_probability": False})
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "min_probability"]]
    r = client.post("/api/titles/code", json={"titles": ["nurse"], "top": "3"})
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "top"]]
    assert (
        client.post("/api/titles/code", json={"titles": ["nurse"], "top": 3.0}).status_code == 200
    )
    # blank text (any of Python's whitespace) is refused by the schema, naming the field
    r = client.post("/api/postings/analyze", json={"text": " \u0085\u3000\n"})
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "text"]]
    assert client.get("/api/occupations", params={"q": " \t"}).json()["detail"][0]["loc"] == [
        "query",
        "q",
    ]
    # bytes that are not UTF-8 cannot be parsed at all: 400, as documented
    latin1 = '{"tasks": [{"statement": "Café"}]}'.encode("latin-1")
    r = client.post("/api/score", content=latin1, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"]


def test_method_not_allowed_lists_every_method_of_the_path(client):
    r = client.delete("/api/titles/code")  # served by two routes, GET and POST
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
    r = client.post("/api/health")
    assert (r.status_code, r.headers["allow"]) == (405, "GET")


def test_api_key_is_required_when_set_and_health_is_exempt(service_settings):
    app = create_app(service_settings, ServiceConfig(api_key="s3cret-key", warm=False))
    with TestClient(app) as c:
        url = f"/api/occupations/{SOFTWARE}"
        assert c.get(url).status_code == 401
        r = c.get(url, headers={"X-API-Key": "wrong"})
        assert r.status_code == 401
        assert r.json()["error"] == "Unauthorized"
        assert c.post("/api/score", json={"tasks": [{"statement": "x"}]}).status_code == 401
        ok = c.get(url, headers={"X-API-Key": "s3cret-key"})
        assert ok.status_code == 200
        assert ok.json()["onet_soc_code"] == SOFTWARE
        assert c.get("/api/health").status_code == 200
        assert c.get("/").status_code == 200  # the dashboard page itself is public


def test_scoring_without_models_is_503(service_settings, tmp_path):
    bare = dataclasses.replace(service_settings, models_dir=tmp_path / "no-models")
    (tmp_path / "no-models").mkdir()
    app = create_app(bare, ServiceConfig(warm=False))
    with TestClient(app) as c:
        assert c.get("/api/health").json()["models"] is False
        r = c.post("/api/score", json={"tasks": [{"statement": "Write code."}]})
        assert r.status_code == 503
        assert r.json()["error"] == "ModelUnavailableError"
        assert str(tmp_path / "no-models") in r.json()["detail"]
        assert c.post("/api/postings/analyze", json={"text": POSTING}).status_code == 503
        # what does not need the models still answers
        assert c.get(f"/api/occupations/{SOFTWARE}/tasks").status_code == 200


# -- concurrency and read-only --------------------------------------------------------------------
def test_concurrent_requests_equal_sequential_ones(client):
    requests = [
        ("GET", f"/api/occupations/{SOFTWARE}", None),
        ("GET", f"/api/occupations/{NURSES}/tasks", None),
        ("GET", "/api/occupations", {"q": "nurse"}),
        ("GET", "/api/occupations", {"q": "welder"}),
        ("POST", "/api/score", {"tasks": STATEMENTS}),
        ("POST", "/api/titles/code", {"titles": ["registered nurse", "data scientist"]}),
        ("GET", "/api/titles/code", {"title": "forklift operator"}),
        ("GET", "/api/careers/recommend", {"occupation": "software developer", "top": 3}),
    ] * 4

    def send(req):
        method, url, data = req
        r = client.get(url, params=data) if method == "GET" else client.post(url, json=data)
        return r.status_code, r.json()

    sequential = [send(r) for r in requests]
    with ThreadPoolExecutor(max_workers=32) as pool:
        concurrent = list(pool.map(send, requests))
    assert len(concurrent) == 32
    assert all(status == 200 for status, _ in concurrent)
    assert concurrent == sequential


def test_database_is_opened_read_only(served):
    store = served[0].state.served.current
    with store.cursor() as cur, pytest.raises(duckdb.Error, match="read-only"):
        cur.execute("CREATE TABLE written_by_the_service (a INTEGER)")


# -- schemathesis ---------------------------------------------------------------------------------
# The OpenAPI document of an app that is never started (the document needs no database); the
# requests go in-process, through `asgi_session`, to the module's running app.
_UNSTARTED = Settings(
    db_path=Path("never-opened.duckdb"),
    cache_dir=Path("never-used"),
    mirror=None,
    offline=True,
    models_dir=Path("never-used"),
)
CHECKS = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                # an occupation given as text can be ambiguous: 422 with the candidates, by design
                "include-path-regex": r"^/api/(occupations/\{code\}|careers/|emerging/tasks/)",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "404", "422"]}
                },
            }
        ]
    }
)
SCHEMA = schemathesis.openapi.from_dict(create_app(_UNSTARTED).openapi(), config=CHECKS)
FUZZ = settings(
    deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def asgi_session(served):
    # not entered as a context manager: entering would start a second lifespan of the app
    return schemathesis_asgi.get_client(served[0])


@SCHEMA.exclude(path="/api/postings/analyze").parametrize()
@settings(FUZZ, max_examples=50)
def test_api_conforms_to_its_schema(case, asgi_session):
    """Every check of schemathesis (no server error, documented status codes, response
    schemas, negative data rejected, positive data accepted, Allow headers...)."""
    case.call_and_validate(session=asgi_session)


# (`include` would lose the CHECKS operations in schemathesis 4.32: exclude everything else)
@SCHEMA.exclude(path_regex=r"^(?!/api/postings/analyze$)").parametrize()
@settings(FUZZ, max_examples=15)
def test_posting_endpoint_conforms_to_its_schema(case, asgi_session):
    case.call_and_validate(session=asgi_session)
