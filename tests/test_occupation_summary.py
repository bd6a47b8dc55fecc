"""`laborlens occupations show`: the one-page summary of an occupation, checked against the raw
tables of a database built from the real mirror."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from laborlens.careers.recommend import recommend_careers
from laborlens.cli import app
from laborlens.occupations.summary import occupation_summary, ordinal

CASHIERS = "41-2011.00"
runner = CliRunner()


@pytest.fixture(scope="module")
def con(built_db):
    c = duckdb.connect(str(built_db.db_path), read_only=True)
    yield c
    c.close()


def test_ordinal():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 92, 101.4)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "92nd", "101st"
    ]


def check_summary(con, s: dict) -> None:
    """Every figure of a summary against the database it came from."""
    code = s["onet_soc_code"]
    stored = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT source, alpha, beta, gamma FROM occupation_exposure "
            "WHERE onet_soc_code = ? AND weighting = 'paper'",
            [code],
        ).fetchall()
    }
    assert {e["source"] for e in s["exposure"]} == set(stored)
    for e in s["exposure"]:
        assert (e["alpha"], e["beta"], e["gamma"]) == pytest.approx(stored[e["source"]])
        assert e["source_name"] != e["source"]  # named in words
    most, least = s["tasks_most_exposed"], s["tasks_least_exposed"]
    assert most
    assert least
    assert min(t["score"] for t in most) >= max(t["score"] for t in least)
    assert not {t["task"] for t in most} & {t["task"] for t in least}
    if s["tasks_scored_by"] == "human":
        score = {"E0": 0.0, "E1": 1.0, "E2": 0.5}
        assert all(t["score"] == score[t["human_exposure"]] for t in most + least)
    emp = con.execute(
        "SELECT w.employment, w.a_median FROM occupations o JOIN oews_national_2025 w "
        "ON w.soc_code = coalesce(o.soc_2018_code, o.nem_code) WHERE o.onet_soc_code = ? "
        "AND w.o_group = 'detailed'",
        [code],
    ).fetchone()
    if emp is not None:
        assert s["employment"]["employment"] == emp[0]
        assert s["employment"]["median_wage"] == emp[1]
    rec = recommend_careers(code, top=len(s["career_moves"]), con=con)
    assert [m["onet_soc_code"] for m in s["career_moves"]] == [
        i["onet_soc_code"] for i in rec.items
    ]
    agreement = s["agreement"]
    pct = [m["percentile"] for m in s["public_measures"] if m["percentile"] is not None]
    if len(pct) >= 2:
        assert agreement["measures_agree"] == (max(pct) - min(pct) <= 25)
        assert ordinal(max(pct)) in agreement["verdict"]
    trends = s["trends"]
    if trends["available"] and "years" in trends:
        last = con.execute(
            "SELECT employment FROM outcomes_panel WHERE soc_2018_code = ? AND year = ?",
            [trends["soc_2018_code"], trends["years"][-1]],
        ).fetchone()
        assert trends["employment"][-1] == last[0]
        assert "pools three years" in trends["summary"]
    elif not trends["available"]:
        assert "not available" in trends["note"] or "fewer than 2 years" in trends["note"]
    assert "not job loss" in s["caveat"]


@pytest.mark.parametrize("who", ["cashier", "43-4051.00", "Bus Drivers, Transit and Intercity"])
def test_summary_figures_come_from_the_database(con, who):
    s = occupation_summary(con, who, n_tasks=4, n_moves=3)
    assert len(s["tasks_most_exposed"]) == 4
    assert len(s["career_moves"]) == 3
    check_summary(con, s)


def check_cli(db: str) -> None:
    text = runner.invoke(app, ["occupations", "show", "cashier", "--db", db])
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert out.startswith(f"Cashiers ({CASHIERS})")
    for part in (
        "Exposure: share of tasks",
        "Human raters",
        "Exposure is not job loss",
        "Tasks most exposed",
        "Tasks least exposed",
        "Employment and wages",
        "Trends:",
        "Best career moves",
        "Agreement:",
    ):
        assert part in out, part
    assert "automation_human" not in out
    js = runner.invoke(app, ["occupations", "show", CASHIERS, "--format", "json", "--db", db])
    assert js.exit_code == 0, js.output
    assert json.loads(js.stdout)["onet_soc_code"] == CASHIERS
    bad = runner.invoke(app, ["occupations", "show", "bus driver", "--db", db])
    assert bad.exit_code == 1
    assert "53-3051.00" in bad.output
    assert "53-3052.00" in bad.output
    fmt = runner.invoke(app, ["occupations", "show", CASHIERS, "--format", "xml", "--db", db])
    assert fmt.exit_code == 1
    assert "text or json" in fmt.output


def test_cli_show(built_db):
    check_cli(str(built_db.db_path))
