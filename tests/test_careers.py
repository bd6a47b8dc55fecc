"""Career similarity, recommendations and reskilling on a database built from the real mirror.

The database is built once (without the exposure models, so β comes from the human labels);
every check compares what the careers code reports with the raw O*NET, OEWS and exposure rows.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from laborlens import recommend_careers, reskilling_priorities, resolve_occupation
from laborlens.careers import similarity as sim
from laborlens.careers.evaluate import ranking_metrics, relevance
from laborlens.careers.features import load_features
from laborlens.careers.precompute import TOP_K
from laborlens.cli import app
from laborlens.exceptions import (
    AmbiguousOccupationError,
    ConfigError,
    DatabaseError,
    OccupationNotFoundError,
)

CSR = "43-4051.00"  # Customer Service Representatives (job zone 2)
NURSE = "29-1141.00"  # Registered Nurses (job zone 3)


@pytest.fixture(scope="session")
def careers_settings(built_db):
    return built_db


@pytest.fixture(scope="module")
def con(careers_settings):
    c = duckdb.connect(str(careers_settings.db_path), read_only=True)
    yield c
    c.close()


def ratings(con, code):
    """{element_id: (importance, level)} from the raw onet_skills/onet_knowledge tables (skill
    and knowledge names can coincide, e.g. Mathematics, so ids are the key)."""
    rows = con.execute(
        """
        SELECT element_id, scale_id, data_value FROM onet_skills WHERE onet_soc_code = ?
        UNION ALL
        SELECT element_id, scale_id, data_value FROM onet_knowledge WHERE onet_soc_code = ?
        """,
        [code, code],
    ).fetchall()
    out: dict[str, dict[str, float]] = {}
    for name, scale, value in rows:
        out.setdefault(name, {})[scale] = value
    return {k: (v["IM"], v["LV"]) for k, v in out.items()}


def test_similarity_table_covers_every_occupation(con):
    n_occ = con.execute("SELECT count(*) FROM occupations").fetchone()[0]
    stats = con.execute(
        """
        SELECT count(DISTINCT onet_soc_code), count(*), min(similarity), max(similarity),
               count(*) FILTER (WHERE onet_soc_code = related_code)
        FROM occupation_similarity
        """
    ).fetchone()
    assert stats[0] == n_occ  # "All Other" codes without ratings or tasks included
    assert stats[1] == n_occ * TOP_K
    assert 0.0 <= stats[2] <= stats[3] <= 1.0
    assert stats[4] == 0
    # Destinations are described occupations (they have DWAs to explain the move).
    undescribed = con.execute(
        "SELECT count(*) FROM occupation_similarity WHERE related_code NOT IN "
        "(SELECT onet_soc_code FROM onet_tasks_to_dwas)"
    ).fetchone()[0]
    assert undescribed == 0
    ranks_sorted = con.execute(
        "SELECT bool_and(ok) FROM (SELECT similarity >= lead(similarity) OVER "
        "(PARTITION BY onet_soc_code ORDER BY rank) OR lead(similarity) OVER "
        "(PARTITION BY onet_soc_code ORDER BY rank) IS NULL AS ok FROM occupation_similarity)"
    ).fetchone()[0]
    assert ranks_sorted


def test_level_shortfall_and_zone_step_match_the_ratings(con):
    row = con.execute(
        "SELECT level_shortfall, job_zone_step, max_level_gap FROM occupation_similarity "
        "WHERE onet_soc_code = ? AND related_code = ?",
        ["29-1141.01", NURSE],
    ).fetchone()
    assert row is not None
    a, b = ratings(con, "29-1141.01"), ratings(con, NURSE)
    num = sum(imp * max(b[e][1] - a[e][1], 0.0) for e, (imp, _) in b.items())
    den = sum(imp for imp, _ in b.values())
    assert row[0] == pytest.approx(num / den / 7.0, abs=1e-5)
    zones = dict(con.execute("SELECT onet_soc_code, job_zone FROM occupations").fetchall())
    assert row[1] == zones[NURSE] - zones["29-1141.01"]
    gaps = [b[e][1] - a[e][1] for e, (imp, _) in b.items() if imp >= 3]
    assert row[2] == pytest.approx(max(gaps), abs=1e-5)


def test_transitions_are_asymmetric_and_a_step_up_costs_more(con):
    both = con.execute(
        """
        SELECT u.similarity, d.similarity, u.symmetric_similarity, d.symmetric_similarity,
               u.level_shortfall, d.level_shortfall, u.job_zone_step
        FROM occupation_similarity u JOIN occupation_similarity d
          ON u.onet_soc_code = d.related_code AND u.related_code = d.onet_soc_code
        WHERE u.job_zone_step > 0
        """
    ).fetchnumpy()
    assert len(both["similarity"]) > 100
    up, down = both["similarity"], both["similarity_1"]
    np.testing.assert_allclose(both["symmetric_similarity"], both["symmetric_similarity_1"])
    assert (up != down).all()  # a zone step makes every such pair asymmetric
    # The penalty is exactly the documented one: zone step up and the level shortfall.
    expected = (
        -sim.ZONE_PENALTY * both["job_zone_step"]
        - sim.LEVEL_PENALTY * (np.nan_to_num(both["level_shortfall"]))
        + sim.LEVEL_PENALTY * np.nan_to_num(both["level_shortfall_1"])
    )
    np.testing.assert_allclose(up - down, expected, atol=1e-5)
    same_levels = np.nan_to_num(both["level_shortfall"]) >= np.nan_to_num(both["level_shortfall_1"])
    assert (up[same_levels] < down[same_levels]).all()
    # Most moves up require more than the reverse move, so stepping up is usually harder.
    assert (up < down).mean() > 0.8


def test_combined_similarity_beats_each_component_at_recovering_soc_groups(con, careers_settings):
    f = load_features(con)
    comps = sim.components(f, sim.text_vectors(f, careers_settings.cache_dir))
    gain = relevance(f)
    combined = ranking_metrics(sim.combine(comps, sim.DEFAULT_WEIGHTS), gain)["ndcg@10"]
    singles = {k: ranking_metrics(np.nan_to_num(v), gain)["ndcg@10"] for k, v in comps.items()}
    assert combined > max(singles.values())
    rng = np.random.default_rng(0)
    baseline = ranking_metrics(rng.random(gain.shape).astype(np.float32), gain)["ndcg@10"]
    assert combined > 4 * baseline


def test_ranking_metrics_on_a_hand_made_example():
    gain = np.array([[0, 2, 1, 0], [2, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]], dtype=np.int8)
    perfect = np.array([[9, 3, 2, 1], [3, 9, 1, 2], [2, 1, 9, 0], [0, 0, 0, 9]], dtype=float)
    m = ranking_metrics(perfect, gain, k=2)
    assert m["ndcg@10"] == pytest.approx(1.0)
    assert m["map_broad"] == pytest.approx(1.0)
    assert m["queries"] == 3  # occupation 3 has nothing relevant
    worst = ranking_metrics(-perfect + 20 * np.eye(4), gain, k=2)
    assert worst["ndcg@10"] < 0.5


def test_explanations_match_the_underlying_data(con):
    rec = recommend_careers(CSR, top=8, con=con)
    assert rec.beta_source == "model"  # the default models rate every task
    assert len(rec.items) == 8
    a = ratings(con, CSR)
    dwas = con.execute(
        "SELECT DISTINCT t.onet_soc_code, d.dwa_title FROM onet_tasks_to_dwas t "
        "JOIN onet_dwas d USING (dwa_id)"
    ).fetchall()
    dwa_sets: dict[str, set] = {}
    for code, title in dwas:
        dwa_sets.setdefault(code, set()).add(title)
    tech = con.execute(
        "SELECT onet_soc_code, example, hot_technology FROM onet_technology_skills"
    ).fetchall()
    tech_sets: dict[str, dict] = {}
    for code, example, hot in tech:
        tech_sets.setdefault(code, {})[example] = tech_sets.get(code, {}).get(example, 0) or hot
    facts = {
        code: (wage, beta)
        for code, wage, beta in con.execute(
            """
            SELECT o.onet_soc_code, coalesce(w.a_median, w.h_median * 2080), e.beta
            FROM occupations o
            LEFT JOIN oews_national_2025 w ON w.soc_code = o.nem_code AND w.o_group = 'detailed'
            LEFT JOIN occupation_exposure e ON e.onet_soc_code = o.onet_soc_code
                 AND e.source = 'model' AND e.weighting = 'paper'
            """
        ).fetchall()
    }
    checked_gaps = 0
    for item in rec.items:
        code = item["onet_soc_code"]
        b = ratings(con, code)
        for g in item["level_gaps"]:
            imp_b, lv_b = b[g["element_id"]]
            assert g["level_to"] == lv_b
            assert g["level_from"] == a[g["element_id"]][1]
            assert g["gap"] == pytest.approx(lv_b - a[g["element_id"]][1], abs=1e-4)
            assert g["importance_to"] == imp_b >= 3
            checked_gaps += 1
        assert item["ratings_compared"] == bool(a and b)
        if b and a:
            all_gaps = [lv - a[e][1] for e, (imp, lv) in b.items() if imp >= 3 and lv > a[e][1]]
            if all_gaps:
                assert item["level_gaps"][0]["gap"] == pytest.approx(max(all_gaps), abs=1e-4)
        shared = dwa_sets[CSR] & dwa_sets.get(code, set())
        assert item["shared_activities"]["count"] == len(shared)
        assert set(item["shared_activities"]["top"]) <= shared
        learn = set(tech_sets.get(code, {})) - set(tech_sets[CSR])
        assert item["technology_to_learn"]["count"] == len(learn)
        listed = item["technology_to_learn"]["top"]
        assert {t["name"] for t in listed} <= learn
        weights = [t["weight"] for t in listed]
        assert weights == sorted(weights, reverse=True)  # the most worth learning first
        assert all(bool(tech_sets[code][t["name"]]) == t["hot"] for t in listed)
        tl = item["technology_to_learn"]
        assert tl["worth_learning"] + tl["not_current"] + tl["uncommon"] == tl["count"]
        wage_a, beta_a = facts[CSR]
        wage_b, beta_b = facts[code]
        if wage_a is not None and wage_b is not None:
            assert item["deltas"]["median_wage"] == pytest.approx(wage_b - wage_a)
        if beta_a is not None and beta_b is not None:
            assert item["deltas"]["beta"] == pytest.approx(beta_b - beta_a, abs=1e-4)
        assert item["feasibility"] in ("close", "stretch", "major retraining")
    assert checked_gaps > 0


def test_occupations_without_data_get_recommendations_with_missing_terms(con):
    code = "55-3019.00"  # an "All Other" military code: no tasks, ratings, wage or β
    rec = recommend_careers(code, top=3, con=con)
    assert rec.origin["beta"] is None
    assert rec.origin["typical_education"] is None
    assert len(rec.items) == 3
    for item in rec.items:
        assert {"exposure", "wage", "education"} <= set(item["missing"])
        assert item["components"]["dwa"] is None  # only the description is comparable
        assert item["components"]["description"] is not None
        assert item["ratings_compared"] is False
        assert item["level_gaps"] == []
    json.loads(rec.to_json())


def test_objective_similarity_ranks_by_the_precomputed_transition_score(con):
    rec = recommend_careers(NURSE, top=10, objective="similarity", con=con)
    stored = con.execute(
        "SELECT related_code FROM occupation_similarity WHERE onet_soc_code = ? AND rank <= 10 "
        "ORDER BY rank",
        [NURSE],
    ).fetchall()
    assert [i["onet_soc_code"] for i in rec.items] == [r[0] for r in stored]
    assert all(i["score"] == i["similarity"] for i in rec.items)


def test_objective_weights_combine_the_reported_terms(con):
    rec = recommend_careers(CSR, top=10, objective="safer", weights={"wage": 1.5}, con=con)
    assert rec.weights["wage"] == 1.5
    assert rec.weights["exposure"] == 3.0
    scores = []
    for item in rec.items:
        expected = sum(rec.weights[k] * (v or 0.0) for k, v in item["terms"].items())
        assert item["score"] == pytest.approx(expected, abs=1e-3)
        scores.append(item["score"])
    assert scores == sorted(scores, reverse=True)
    safer = np.mean([i["deltas"]["beta"] for i in rec.items if i["deltas"]["beta"] is not None])
    plain = recommend_careers(CSR, top=10, objective="similarity", con=con)
    similar = np.mean([i["deltas"]["beta"] for i in plain.items if i["deltas"]["beta"] is not None])
    assert safer < similar  # emphasising exposure reduction finds less exposed destinations
    with pytest.raises(ConfigError, match="salary"):
        recommend_careers(CSR, weights={"salary": 1.0}, con=con)
    with pytest.raises(ConfigError, match="objective"):
        recommend_careers(CSR, objective="fastest", con=con)


def test_resolver_codes_titles_and_errors(con):
    assert resolve_occupation(con, "15-1252.00") == "15-1252.00"
    assert resolve_occupation(con, " 15-1252 ") == "15-1252.00"
    assert resolve_occupation(con, "software DEVELOPERS") == "15-1252.00"
    with pytest.raises(OccupationNotFoundError, match=r"99-9999\.00"):
        resolve_occupation(con, "99-9999.00")
    with pytest.raises(OccupationNotFoundError, match="99-9999"):
        resolve_occupation(con, "99-9999")
    with pytest.raises(OccupationNotFoundError, match="not a valid occupation code"):
        resolve_occupation(con, "15-12")
    with pytest.raises(OccupationNotFoundError, match="qwertyuiop"):
        resolve_occupation(con, "qwertyuiop")
    with pytest.raises(AmbiguousOccupationError) as info:
        resolve_occupation(con, "11-1011")  # Chief Executives and Chief Sustainability Officers
    assert {c for c, _ in info.value.candidates} == {"11-1011.00", "11-1011.03"}
    with pytest.raises(AmbiguousOccupationError) as info:
        resolve_occupation(con, "Managers")
    assert len(info.value.candidates) > 5
    assert all("managers" in t.lower() for _, t in info.value.candidates)


def test_free_text_titles_go_through_the_title_coder(con):
    from pathlib import Path

    from laborlens.careers.resolve import CANDIDATE_PROBABILITY, RESOLVE_PROBABILITY
    from laborlens.titles.api import _coder

    # No O*NET title is spelled like this; the coder reads the acronym and drops the noise.
    assert resolve_occupation(con, "Bank Teller - part time").startswith("43-3071")
    text = "Sr. Financial Analyst - FP&A"
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    coded = _coder(Path(path), Path(path).stat().st_mtime).code_one(text, top=5)
    if coded["probability"].iloc[0] >= RESOLVE_PROBABILITY:
        assert resolve_occupation(con, text) == coded["onet_soc_code"].iloc[0]
    else:
        # Not confident: the candidates are exactly the coder's codes above the floor.
        with pytest.raises(AmbiguousOccupationError) as info:
            resolve_occupation(con, text)
        expected = coded[coded["probability"] >= CANDIDATE_PROBABILITY]["onet_soc_code"]
        assert [c for c, _ in info.value.candidates] == expected.tolist()


def test_missing_career_tables_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with duckdb.connect(str(path), read_only=True) as c, pytest.raises(DatabaseError):
        recommend_careers("15-1252.00", con=c)


runner = CliRunner()


def test_cli_json_and_errors(careers_settings):
    db = str(careers_settings.db_path)
    result = runner.invoke(
        app,
        [
            "careers",
            "recommend",
            "15-1252.00",
            "--format",
            "json",
            "--objective",
            "similarity",
            "--top",
            "5",
            "--db",
            db,
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["origin"]["onet_soc_code"] == "15-1252.00"
    assert len(payload["recommendations"]) == 5
    for item in payload["recommendations"]:
        for key in ("onet_soc_code", "title", "similarity", "score", "level_gaps"):
            assert key in item
        assert "technology_to_learn" in item
        assert "shared_activities" in item
    table = runner.invoke(app, ["careers", "recommend", "Software Developers", "--db", db])
    assert table.exit_code == 0
    assert "Software Developers" in table.stdout
    bad = runner.invoke(app, ["careers", "recommend", "99-9999.00", "--db", db])
    assert bad.exit_code == 1
    assert "99-9999.00" in bad.output
    ambiguous = runner.invoke(app, ["careers", "recommend", "11-1011", "--db", db])
    assert ambiguous.exit_code == 1
    assert "11-1011.03" in ambiguous.output
    weight = runner.invoke(
        app, ["careers", "recommend", "15-1252.00", "--weight", "exposure", "--db", db]
    )
    assert weight.exit_code == 1
    assert "TERM=NUMBER" in weight.output


def test_reskilling_opened_moves_are_blocked_only_by_that_element(con):
    res = reskilling_priorities(beta_above=0.5, beta_below=0.35, min_similarity=0.5, con=con)
    t = res.table
    assert res.summary["beta_source"] == "model"
    assert res.summary["exposed_occupations"] > 0
    assert (t["pairs_opened"] <= t["pairs_blocked"]).all()
    assert t["jobs_per_worker"].is_monotonic_decreasing
    assert (
        len(t)
        == con.execute("SELECT count(DISTINCT element_id) FROM career_elements").fetchone()[0]
    )
    top = t.iloc[0]
    assert top["pairs_opened"] > 0
    # Brute force from the raw tables: moves the top element alone blocks.
    beta = f"beta_{res.summary['beta_source']}"
    pairs = con.execute(
        f"""
        SELECT s.onet_soc_code, s.related_code FROM occupation_similarity s
        JOIN career_facts a ON a.onet_soc_code = s.onet_soc_code
        JOIN career_facts b ON b.onet_soc_code = s.related_code
        WHERE s.similarity >= 0.5 AND a.{beta} >= 0.5 AND b.{beta} <= 0.35
        """
    ).fetchall()
    rows = con.execute(
        "SELECT onet_soc_code, element_id, scale_id, data_value FROM onet_skills UNION ALL "
        "SELECT onet_soc_code, element_id, scale_id, data_value FROM onet_knowledge"
    ).fetchall()
    raw: dict[str, dict] = {}
    for code, element, scale, value in rows:
        raw.setdefault(code, {}).setdefault(element, {})[scale] = value
    opened = 0
    for a_code, b_code in pairs:
        a = {e: (v["IM"], v["LV"]) for e, v in raw.get(a_code, {}).items()}
        b = {e: (v["IM"], v["LV"]) for e, v in raw.get(b_code, {}).items()}
        if not a or not b:
            continue
        blockers = [e for e, (imp, lv) in b.items() if imp >= 3 and lv - a[e][1] > 1.0]
        opened += blockers == [top["element_id"]]
    assert opened == top["pairs_opened"]
    with pytest.raises(ConfigError, match="beta_above"):
        reskilling_priorities(beta_above=1.5, con=con)


def test_report_section_lists_exposed_origins_and_the_reskilling_ranking(careers_settings, con):
    from laborlens.capability import report_sections
    from laborlens.careers.report import careers_section

    assert "laborlens.careers.report:careers_section" in [c.section for c in report_sections()]
    section = careers_section(careers_settings)
    assert section.id == "careers"
    recs = section.tables["careers_recommendations"]
    betas = dict(
        con.execute(
            "SELECT onet_soc_code, beta FROM occupation_exposure "
            "WHERE source = 'human' AND weighting = 'paper'"
        ).fetchall()
    )
    assert recs["origin_code"].nunique() == 5
    assert all(betas[c] >= 0.5 for c in recs["origin_code"])
    assert len(section.tables["careers_reskilling"]) > 60
    assert "plotly" in section.html.lower()


CASHIERS = "41-2011.00"
STOCKERS = "53-7065.00"
TRANSIT_BUS = "53-3052.00"
SCHOOL_BUS = "53-3051.00"
FORKLIFT = "53-7051.00"  # Industrial Truck and Tractor Operators
VEHICLE_CLEANERS = "53-7061.00"  # Cleaners of Vehicles and Equipment


def test_an_exact_title_resolves_without_asking(con):
    """Issue 18: "cashier" is the O*NET title Cashiers, though alternate titles name others."""
    alternates = con.execute(
        "SELECT count(DISTINCT onet_soc_code) FROM onet_alternate_titles "
        "WHERE lower(alternate_title) = 'cashier' OR lower(short_title) = 'cashier'"
    ).fetchone()[0]
    reported = con.execute(
        "SELECT count(DISTINCT onet_soc_code) FROM onet_reported_titles "
        "WHERE lower(reported_title) = 'cashier'"
    ).fetchone()[0]
    assert max(alternates, reported) >= 1  # the alternate titles alone would not settle it
    for text in ("cashier", "Cashiers", " CASHIERS "):
        assert resolve_occupation(con, text) == CASHIERS
    assert resolve_occupation(con, "customer service representative") == CSR
    # two O*NET titles begin "Bus Drivers": still a question, with both offered
    with pytest.raises(AmbiguousOccupationError) as info:
        resolve_occupation(con, "bus drivers")
    assert {SCHOOL_BUS, TRANSIT_BUS} <= {c for c, _ in info.value.candidates}


def _raw_technology(con):
    rows = con.execute(
        "SELECT onet_soc_code, example, bool_or(hot_technology), bool_or(coalesce(in_demand, "
        "false)) FROM onet_technology_skills GROUP BY ALL"
    ).fetchall()
    uses: dict[str, set] = {}
    current: dict[str, bool] = {}
    for code, example, hot, demand in rows:
        uses.setdefault(code, set()).add(example)
        current[example] = current.get(example, False) or bool(hot) or bool(demand)
    return uses, current


def test_technology_to_learn_is_current_and_what_the_destination_uses(con):
    """Issue 18: no "AOL MapQuest, Microsoft MapPoint" for a cashier moving to bus driving, no
    Microsoft Access for a cashier moving to stocking; warehouse tools instead."""
    from laborlens.careers.recommend import _technology_to_learn

    uses, current = _raw_technology(con)
    tech = _technology_to_learn(con, CASHIERS, [STOCKERS, TRANSIT_BUS])
    bus = tech[TRANSIT_BUS]
    bus_new = uses[TRANSIT_BUS] - uses[CASHIERS]
    assert {"AOL MapQuest", "Microsoft MapPoint"} <= bus_new  # O*NET lists them for bus drivers
    assert not current["AOL MapQuest"]
    assert not current["Microsoft MapPoint"]
    names = {t["name"] for t in bus["top"]}
    assert not names & {"AOL MapQuest", "Microsoft MapPoint"}
    assert bus["not_current"] >= 2  # left out, and counted
    assert bus["count"] == len(bus_new)
    stock = tech[STOCKERS]
    names = [t["name"] for t in stock["top"]]
    assert "Microsoft Access" in uses[STOCKERS] - uses[CASHIERS]
    assert "Microsoft Access" not in names  # an office database stockers' peers rarely list
    assert "Warehouse management system WMS" in names
    for entry in tech.values():
        assert all(current[t["name"]] for t in entry["top"])  # obsolete products out
        weights = [t["weight"] for t in entry["top"]]
        assert weights == sorted(weights, reverse=True)


def _expected_tier(step: float, gap: float) -> str:
    step = 0.0 if np.isnan(step) else step
    gap = 0.0 if np.isnan(gap) else gap
    if step <= 0 and gap <= 1.0:
        return "close"
    if step <= 1 and gap <= 2.0:
        return "stretch"
    return "major retraining"


@pytest.mark.parametrize("origin", [CSR, CASHIERS, TRANSIT_BUS, FORKLIFT])
def test_feasibility_agrees_with_the_evidence_shown(con, origin):
    """Issue 18: no "major retraining" beside "no gap" in the same job zone; the tier follows
    the job-zone step and the largest gap shown, and its reason says them in words."""
    zones = dict(con.execute("SELECT onet_soc_code, job_zone FROM occupations").fetchall())
    for objective in ("balanced", "safer"):
        rec = recommend_careers(origin, top=15, objective=objective, con=con)
        for item in rec.items:
            step = zones[item["onet_soc_code"]] - zones[origin]
            gaps = item["level_gaps"]
            largest = gaps[0]["gap"] if gaps else (0.0 if item["ratings_compared"] else np.nan)
            assert item["feasibility"] == _expected_tier(step, largest), item
            reason = item["feasibility_reason"]
            if step == 0:
                assert reason.startswith("same job zone")
            if gaps:
                assert f"largest gap {largest:.1f} level points ({gaps[0]['element']})" in reason
            elif item["ratings_compared"]:
                assert "no skill or knowledge gap" in reason
                assert item["feasibility"] != "major retraining" or step >= 2
    row = con.execute(
        "SELECT job_zone_step, max_level_gap FROM occupation_similarity "
        "WHERE onet_soc_code = ? AND related_code = ?",
        [FORKLIFT, VEHICLE_CLEANERS],
    ).fetchone()
    assert row is not None
    from laborlens.careers.recommend import feasibility

    assert feasibility(*row) == "close"  # Industrial Truck Operators -> Cleaners of Vehicles


def test_plural_words():
    from laborlens.careers.recommend import plural

    assert plural(1, "shared activity") == "1 shared activity"
    assert plural(0, "shared activity") == "0 shared activities"
    assert plural(3, "job zone") == "3 job zones"
    assert plural(2, "box") == "2 boxes"
    assert plural(2, "day") == "2 days"
    assert plural(1200, "worker") == "1,200 workers"


def test_cli_explanations_read_as_sentences(careers_settings):
    db = str(careers_settings.db_path)
    for who in ("cashier", "customer service representative", TRANSIT_BUS):
        result = runner.invoke(app, ["careers", "recommend", who, "--db", db])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert " 1 shared activities" not in out
        assert "0 activities" not in out
        assert "e.g. –" not in out
        assert "AOL MapQuest" not in out
        assert "largest gap: none" not in out
        assert "level points" in out or "no skill or knowledge gap" in out
