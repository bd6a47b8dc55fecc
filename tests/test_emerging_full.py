"""Emerging work, full tier: the classification recomputed from the raw mirror files, and the
built tables of the full pipeline (default models): every emerging statement present, every
rated statement's probabilities summing to 1, the crosswalk check, the CLI columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.db.connection import connect
from laborlens.emerging.change import classify_change, counts_by_status
from laborlens.emerging.crosswalk import map_2010_tasks, mapping_report
from laborlens.emerging.query import TASK_COLUMNS
from laborlens.sources.crosswalks import read_onet_2010_to_2019
from laborlens.sources.onet import (
    read_emerging_tasks,
    read_task_statements,
    read_task_statements_2010,
)

RELEASE_SOURCES = {
    "20.1": "onet20_task_statements",
    "29.3": "onet_task_statements",
    "30.1": "onet30_task_statements",
}


def raw(path: Path) -> list[dict[str, str]]:
    sep = "\t" if path.suffix == ".txt" else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=sep))


def raw_counts(old: Path, new: Path) -> dict[str, int]:
    a = {r["Task ID"]: " ".join(r["Task"].split()) for r in raw(old)}
    b = {r["Task ID"]: " ".join(r["Task"].split()) for r in raw(new)}
    both = a.keys() & b.keys()
    revised = sum(a[i] != b[i] for i in both)
    return {
        "new": len(b.keys() - a.keys()),
        "removed": len(a.keys() - b.keys()),
        "revised": revised,
        "unchanged": len(both) - revised,
    }


@pytest.fixture(scope="module")
def releases(source_path):
    t29 = read_task_statements(source_path("onet_task_statements"))
    xwalk = read_onet_2010_to_2019(source_path("soc_2010_to_2019_onet_crosswalk"))
    t20 = read_task_statements_2010(source_path("onet20_task_statements"))
    return {
        "20.1": map_2010_tasks(t20, xwalk, t29),
        "29.3": t29,
        "30.1": read_task_statements(source_path("onet30_task_statements")),
    }


@pytest.mark.parametrize(("old", "new"), [("20.1", "29.3"), ("29.3", "30.1")])
def test_counts_by_status_are_those_of_the_raw_files(releases, source_path, old, new):
    change = classify_change(releases[old], releases[new], old_release=old, new_release=new)
    expected = raw_counts(source_path(RELEASE_SOURCES[old]), source_path(RELEASE_SOURCES[new]))
    by_id = change.drop_duplicates("task_id")["id_status"].value_counts()
    assert {k: int(by_id.get(k, 0)) for k in expected} == expected
    counts = counts_by_status(change)
    paired = int((change["revision_kind"] == "new_id_same_text").sum()) // 2
    assert counts["new"] + paired == expected["new"]
    assert counts["removed"] + paired == expected["removed"]
    assert counts["unchanged"] == expected["unchanged"]


def test_every_2010_task_is_placed_or_reported(releases, source_path):
    mapped = releases["20.1"]
    raw_rows = raw(source_path("onet20_task_statements"))
    assert len(mapped) == len(raw_rows)
    xwalk_codes = {r["O*NET-SOC 2010 Code"] for r in raw(source_path(
        "soc_2010_to_2019_onet_crosswalk"))}
    missing = [r for r in raw_rows if r["O*NET-SOC Code"] not in xwalk_codes]
    report = mapping_report(mapped).set_index("code_mapping")
    assert report.loc["unmapped", "tasks"] == len(missing)
    assert report["tasks"].sum() == len(raw_rows)
    placed = mapped[mapped["code_mapping"] != "unmapped"]
    assert placed["onet_soc_code"].notna().all()


@pytest.fixture(scope="module")
def built(built_full):
    settings, _ = built_full
    with connect(settings.db_path) as con:
        change = con.execute("SELECT * FROM emerging_task_change").df()
        report = con.execute("SELECT * FROM emerging_crosswalk_report").df()
    return settings, change, report


def test_built_table_counts_match_the_raw_files(built, source_path):
    _, change, _ = built
    for old, new in (("20.1", "29.3"), ("29.3", "30.1")):
        part = change[change["comparison"] == f"{old}->{new}"]
        expected = raw_counts(
            source_path(RELEASE_SOURCES[old]), source_path(RELEASE_SOURCES[new])
        )
        by_id = part.drop_duplicates("task_id")["id_status"].value_counts()
        assert {k: int(by_id.get(k, 0)) for k in expected} == expected
        n_new = len(raw(source_path(RELEASE_SOURCES[new])))
        assert (part["release"] == new).sum() == n_new


def test_every_emerging_task_is_present_and_rated(built, source_path):
    _, change, _ = built
    em = change[change["status"] == "emerging"]
    rows = raw(source_path("onet_emerging_tasks"))
    assert sorted(zip(em["onet_soc_code"], em["task"], strict=True)) == sorted(
        (r["O*NET-SOC Code"], r["Task"].strip()) for r in rows
    )
    parsed = read_emerging_tasks(source_path("onet_emerging_tasks"))
    assert len(parsed) == len(rows)


def test_every_classified_statement_has_probabilities_summing_to_one(built):
    _, change, _ = built
    assert change["p_E0"].notna().all()
    exposure = change[["p_E0", "p_E1", "p_E2"]].sum(axis=1)
    automation = change[["p_T0", "p_T1", "p_T2", "p_T3", "p_T4"]].sum(axis=1)
    assert np.allclose(exposure, 1.0, atol=1e-6)
    assert np.allclose(automation, 1.0, atol=1e-6)
    assert np.allclose(change["beta"], change["p_E1"] + 0.5 * change["p_E2"])
    assert change["beta"].between(0, 1).all()


def test_crosswalk_report_lists_unmapped_codes(built):
    _, change, report = built
    assert "unmapped" in set(report["code_mapping"])
    from20 = change[(change["release"] == "20.1")]
    unmapped = report.set_index("code_mapping").loc["unmapped", "tasks"]
    assert (from20["code_mapping"] == "unmapped").sum() <= unmapped


def test_cli_tasks_summary_and_occupations(built, tmp_path):
    settings, change, _ = built
    runner = CliRunner()
    out = tmp_path / "tasks.csv"
    result = runner.invoke(
        app,
        ["emerging", "tasks", "--from", "20.1", "--to", "29.3", "-o", str(out),
         "--db", str(settings.db_path)],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == TASK_COLUMNS
    assert set(frame["status"]) == {"new", "removed", "revised_old", "revised_new", "emerging"}
    expected = change[
        (change["comparison"].isin(["20.1->29.3", "29.3 emerging"]))
        & (change["status"] != "unchanged")
    ]
    assert len(frame) == len(expected)
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app, ["emerging", "summary", "-o", str(summary), "--db", str(settings.db_path)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(summary.read_text())
    block = doc["20.1->29.3"]
    assert block["counts"]["new"] == int((expected["status"] == "new").sum())
    assert block["delta_ci_low"] <= block["delta_beta"] <= block["delta_ci_high"]
    occ = tmp_path / "occ.csv"
    result = runner.invoke(
        app, ["emerging", "occupations", "-o", str(occ), "--db", str(settings.db_path)]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(occ)["onet_soc_code"].is_unique
    bad = runner.invoke(app, ["emerging", "tasks", "--from", "20.1", "--to", "30.1",
                              "--db", str(settings.db_path)])
    assert bad.exit_code == 1
    assert "no comparison 20.1 -> 30.1" in bad.output


def test_rest_endpoints(built):
    from fastapi.testclient import TestClient

    from laborlens.service import ServiceConfig, create_app

    settings, change, _ = built
    with TestClient(create_app(settings, ServiceConfig(warm=False))) as client:
        doc = client.get("/api/emerging").json()
        assert doc["20.1->29.3"]["counts_by_task_id"]["new"] == int(
            change[change["comparison"] == "20.1->29.3"]
            .drop_duplicates("task_id")["id_status"]
            .eq("new")
            .sum()
        )
        code = change.loc[change["status"] == "emerging", "onet_soc_code"].iloc[0]
        got = client.get(f"/api/emerging/tasks/{code}", params={"from": "20.1"})
        assert got.status_code == 200
        tasks = pd.DataFrame(got.json()["tasks"])
        assert list(tasks.columns) == TASK_COLUMNS
        assert (tasks["onet_soc_code"] == code).all()
        assert "emerging" in set(tasks["status"])
        assert got.json()["to"] == "29.3"
        later = client.get(f"/api/emerging/tasks/{code}", params={"from": "29.3"})
        assert later.status_code == 200
        assert later.json()["to"] == "30.1"
        bad = client.get(f"/api/emerging/tasks/{code}", params={"from": "30.1"})
        assert bad.status_code == 422
        # revisions as pairs of wordings: one per reworded statement, old and new as stored
        pairs = got.json()["revisions"]
        part = change[(change["comparison"] == "20.1->29.3") & (change["onet_soc_code"] == code)]
        old_rows = part[part["status"] == "revised_old"].set_index("task_id")
        new_rows = part[part["status"] == "revised_new"].set_index("task_id")
        assert sorted(p["old_task_id"] for p in pairs) == sorted(old_rows.index)
        assert sorted(p["new_task_id"] for p in pairs) == sorted(new_rows.index)
        for p in pairs:
            assert p["old_task"] == old_rows.loc[p["old_task_id"], "task"]
            assert p["new_task"] == new_rows.loc[p["new_task_id"], "task"]
            assert p["kind"] == old_rows.loc[p["old_task_id"], "revision_kind"]
        # the dashboard's "New work" view
        view = client.get("/api/emerging/overview").json()
        assert view["summary"] == doc
        occ = change[change["comparison"] == "20.1->29.3"]
        top = view["changed_most"]
        assert [r["turnover"] for r in top] == sorted((r["turnover"] for r in top), reverse=True)
        for r in top:
            mine = occ[occ["onet_soc_code"] == r["onet_soc_code"]]
            before = mine["status"].isin(["removed", "revised_old", "unchanged"]).sum()
            assert r["n_before"] == before >= view["min_statements_changed"]
            assert r["n_after"] == (mine["release"] == "29.3").sum() >= view["min_statements_changed"]
        em = change[change["status"] == "emerging"]
        assert len(view["emerging_statements"]) == len(em)
        everything = view["groups"][0]
        assert (everything["comparison"], everything["group"]) == ("20.1->29.3", "all")
        assert everything["delta_beta"] == pytest.approx(doc["20.1->29.3"]["delta_beta"], rel=1e-5)


def test_delta_beta_recomputed_from_the_statements(built):
    settings, change, _ = built
    with connect(settings.db_path) as con:
        occ = con.execute("SELECT * FROM emerging_occupation_change").df()
        groups = con.execute("SELECT * FROM emerging_group_change").df()
    part = change[change["comparison"] == "20.1->29.3"]
    means = part[part["status"].isin(["new", "removed"])].pivot_table(
        index="onet_soc_code", columns="status", values="beta", aggfunc="mean"
    )
    expected = (means["new"] - means["removed"]).dropna()
    got = occ[occ["comparison"] == "20.1->29.3"].set_index("onet_soc_code")["delta_beta"]
    assert np.allclose(got.dropna().sort_index(), expected.sort_index())
    o = occ[(occ["comparison"] == "20.1->29.3") & occ["delta_beta"].notna()]
    o = o[o["employment"] > 0]
    allrow = groups[(groups["comparison"] == "20.1->29.3") & (groups["group"] == "all")].iloc[0]
    assert allrow["occupations_used"] == len(o)
    assert np.isclose(allrow["delta_beta"], np.average(o["delta_beta"], weights=o["employment"]))
    assert np.isclose(allrow["delta_beta_equal"], o["delta_beta"].mean())
    ok = groups.dropna(subset=["delta_beta"])
    assert (ok["delta_ci_low"] <= ok["delta_beta"]).all()
    assert (ok["delta_beta"] <= ok["delta_ci_high"]).all()
    assert (o["delta_ci_low"] <= o["delta_beta"] + 1e-12).all()
