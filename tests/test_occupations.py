"""Occupation profiles: the service's in-memory ProfileIndex gives exactly what the library's
query-per-call ``occupation_profile`` gives, on a database built from the mirror."""

from __future__ import annotations

import json

import duckdb
import pytest

from laborlens.db.connection import query
from laborlens.exceptions import AmbiguousOccupationError, OccupationNotFoundError
from laborlens.occupations import ProfileIndex, occupation_profile


@pytest.fixture(scope="module")
def con(built_db):
    c = duckdb.connect(str(built_db.db_path), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def index(con) -> ProfileIndex:
    return ProfileIndex(con)


def _json(value) -> str:
    # JSON text, not ==: 19 and 19.0 are equal in Python but not in the API's answer
    return json.dumps(value, allow_nan=False)


def test_index_equals_occupation_profile(con, index):
    codes = [
        r[0] for r in con.execute("SELECT onet_soc_code FROM occupations ORDER BY 1").fetchall()
    ]
    assert len(index) == len(codes)
    # every 10th occupation, and those on the less travelled paths: no OEWS row, no measures,
    # or an OEWS code that the national file publishes twice (broad and detailed rows)
    awkward = con.execute(
        """
        SELECT onet_soc_code FROM occupations o WHERE NOT EXISTS (
            SELECT 1 FROM oews_national_2025 n WHERE n.soc_code IN (o.soc_2018_code, o.nem_code))
        UNION SELECT onet_soc_code FROM occupations
            WHERE soc_2018_code NOT IN (SELECT soc_2018_code FROM measures_soc2018)
        UNION SELECT onet_soc_code FROM occupations WHERE nem_code IN (
            SELECT soc_code FROM oews_national_2025 GROUP BY 1 HAVING count(*) > 1)
        """
    ).fetchall()
    assert awkward, "the mirror's data should exercise the fallbacks"
    measures = query(con, "SELECT * FROM measures_soc2018")
    for code in sorted(set(codes[::10]) | {r[0] for r in awkward}):
        expected = _json(occupation_profile(con, code, measures))
        assert _json(index.get(code)) == expected, code
        assert _json(index.profile(con, f" {code} ")) == expected, code


def test_profile_content(con, index):
    p = index.profile(con, "15-1252.00")
    assert p["title"] == "Software Developers"
    assert p["soc_2018_code"] == "15-1252"
    national = con.execute(
        "SELECT employment FROM oews_national_2025 WHERE soc_code = '15-1252'"
    ).fetchone()[0]
    assert p["oews_national_2025"]["employment"] == national
    sources = {(e["source"], e["weighting"]) for e in p["exposure"]}
    assert ("human", "paper") in sources
    assert ("gpt4", "paper") in sources
    assert {m["measure"] for m in p["measures"]} >= {"beta_human", "beta_gpt4"}
    assert all(0 <= m["percentile"] <= 100 for m in p["measures"] if m["value"] is not None)
    assert p["alternate_titles"] == sorted(p["alternate_titles"])
    assert 0 < len(p["alternate_titles"]) <= 50
    # other spellings resolve through the database to the same occupation
    assert index.get("15-1252") is None
    assert _json(index.profile(con, "15-1252")) == _json(p)
    assert _json(index.profile(con, "software developers")) == _json(p)


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        ("99-9999.99", OccupationNotFoundError, "Unknown O*NET-SOC code '99-9999.99'"),
        ("15-9999", OccupationNotFoundError, "Unknown SOC code '15-9999'"),
        ("13-1020", AmbiguousOccupationError, "13-1021.00"),
    ],
)
def test_index_raises_as_occupation_profile(con, index, text, error, words):
    with pytest.raises(error, match=words.replace(".", r"\.").replace("*", r"\*")) as got:
        index.profile(con, text)
    with pytest.raises(error) as expected:
        occupation_profile(con, text)
    assert str(got.value) == str(expected.value)
    assert index.get(text) is None
