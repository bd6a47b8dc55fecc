"""Stored impact aggregates (built into the database) against a fresh run of the engine."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from laborlens.capability import BuildContext
from laborlens.db.connection import connect, table_names
from laborlens.exceptions import ConfigError, DatabaseError, LaborlensError
from laborlens.impact import Choices, compute_impact, load
from laborlens.impact.capability import CAPABILITY as IMPACT
from laborlens.impact.store import (
    BREAKDOWNS,
    N_DRAWS,
    SEED,
    STATISTICS,
    derive_impact_aggregates,
    stored_headline,
    stored_impact,
    stored_sources,
    stored_units,
)
from laborlens.sources import bls

_COVERAGE = ["employment_total", "employment_covered", "employment_unscored"]
_COVERAGE += ["employment_unpublished", "employment_share_covered", "units_total", "units_covered"]


@pytest.fixture(scope="module")
def con(built_db):
    with connect(built_db.db_path) as c:
        yield c


@pytest.fixture(scope="module")
def fresh(built_db):
    """The engine run the build stored, repeated on the finished database (the label sources)."""
    data = load(built_db)
    return {
        s: compute_impact(data, Choices(source=s), n_draws=N_DRAWS, seed=SEED)
        for s in ("human", "gpt4")
    }


@pytest.mark.parametrize("source", ["human", "gpt4"])
def test_stored_aggregates_equal_a_fresh_run(con, fresh, source):
    stored = stored_impact(con, source)
    assert set(stored["breakdown"]) == set(BREAKDOWNS)
    assert (stored["n_draws"] == 1000).all()
    assert (stored["seed"] == 0).all()
    choices = stored[["weighting", "measure", "vintage", "link"]].drop_duplicates()
    assert choices.to_numpy().tolist() == [["paper", "beta", 2025, "crosswalk"]]
    for breakdown, (code_col, label_col) in BREAKDOWNS.items():
        table = fresh[source].tables[breakdown]
        rows = stored[stored["breakdown"] == breakdown]
        assert len(rows) == len(table) * len(STATISTICS), breakdown
        for statistic in STATISTICS:
            r = rows[rows["statistic"] == statistic]
            assert r["group_label"].tolist() == table[label_col].astype(str).tolist()
            if code_col:
                assert r["group_code"].tolist() == table[code_col].astype(str).tolist()
            # bit for bit: same data, same seed, same draws (NaN where no group is covered)
            for col, suffix in (("point", ""), ("lower", "_lo"), ("upper", "_hi")):
                np.testing.assert_array_equal(
                    r[col].to_numpy(), table[statistic + suffix].to_numpy(), err_msg=breakdown
                )
            for col in _COVERAGE:
                np.testing.assert_array_equal(r[col].to_numpy(), table[col].to_numpy())


def test_stored_units_equal_a_fresh_run(con, fresh):
    for source, result in fresh.items():
        units = stored_units(con, source)
        engine = result.tables["units"].sort_values("soc_code", ignore_index=True)
        assert units["soc_code"].tolist() == engine["soc_code"].tolist()
        for col in ("employment", "annual_wage", "a_median", "score", "n_onet_occupations"):
            np.testing.assert_array_equal(units[col].to_numpy(), engine[col].to_numpy())
        assert units["soc_major_title"].notna().all()
        # the scatter's unscored points are exactly the units the engine leaves uncovered
        head = result.headline()
        assert units["score"].isna().sum() == head["units_total"] - head["units_covered"]


def test_coverage_adds_up_to_the_published_totals(con, source_path):
    oews = bls.read_oews_national(source_path("bls_oews_national_m2025"))
    total = oews.loc[oews["o_group"] == "total", "employment"].iloc[0]
    for source in stored_sources(con):
        s = stored_impact(con, source)
        parts = s["employment_covered"] + s["employment_unscored"] + s["employment_unpublished"]
        np.testing.assert_allclose(parts, s["employment_total"], rtol=1e-12)
        one = s[s["statistic"] == "mean_exposure"]
        everyone = one[one["breakdown"] == "all_workers"].iloc[0]
        assert everyone["employment_total"] == total
        # every worker in a published detailed cell falls in exactly one group of each breakdown
        detailed = everyone["employment_total"] - everyone["employment_unpublished"]
        for breakdown in ("major_group", "wage_decile", "job_zone"):
            assert one.loc[one["breakdown"] == breakdown, "employment_total"].sum() == (
                pytest.approx(detailed, rel=1e-12)
            )
        states = one[one["breakdown"] == "state"]
        assert len(states) == 54
        assert (states["employment_unpublished"] > 0).sum() > 40
        assert len(one[one["breakdown"] == "metro"]) == 393
        assert set(one.loc[one["breakdown"] == "wage_bill", "weight_unit"]) == {"dollars"}


def test_headline_is_the_all_workers_row_as_json(con):
    h = stored_headline(con, "gpt4")
    json.dumps(h, allow_nan=False)  # a web client gets plain numbers, no NaN
    row = stored_impact(con, "gpt4", "all_workers")
    for statistic in STATISTICS:
        r = row[row["statistic"] == statistic].iloc[0]
        assert h["all_workers"][statistic] == {
            "point": r["point"],
            "lower": r["lower"],
            "upper": r["upper"],
        }
    assert (h["source"], h["n_draws"], h["seed"]) == ("gpt4", N_DRAWS, SEED)
    assert h["wage_bill"]["weight_unit"] == "dollars"
    assert h["all_workers"]["employment_total"] == row["employment_total"].iloc[0]


def test_a_database_with_models_stores_every_source(con):
    assert stored_sources(con) == ["human", "gpt4", "model"]
    rows = dict(
        con.execute(
            "SELECT name, rows FROM tables WHERE name IN ('impact_aggregates', 'impact_units')"
        ).fetchall()
    )
    n = con.execute("SELECT count(*) FROM impact_units").fetchone()[0]
    assert rows["impact_units"] == n == 3 * 830
    groups = 1 + 1 + 23 + 11 + 6 + 54 + 393
    assert rows["impact_aggregates"] == 3 * groups * len(STATISTICS)


def test_bad_requests_name_what_is_allowed(con):
    with pytest.raises(ConfigError, match=r"human, gpt4, model; got 'claude'"):
        stored_impact(con, "claude")
    with pytest.raises(ConfigError, match=r"all_workers, wage_bill, major_group.*got 'county'"):
        stored_impact(con, "human", "county")


def test_a_database_built_before_the_step_says_rebuild(built_db):
    old = duckdb.connect()  # an empty database: no impact tables, no inputs
    with pytest.raises(DatabaseError, match=r"no impact_aggregates table.*laborlens build"):
        stored_impact(old)
    with pytest.raises(DatabaseError, match=r"no impact_units table.*laborlens build"):
        stored_units(old)
    # the derivation itself refuses a database without its inputs, and writes nothing
    with pytest.raises(DatabaseError, match="lacks exposure_labels"):
        derive_impact_aggregates(
            old, BuildContext.fetching(built_db, IMPACT)
        )
    assert table_names(old) == []


def test_a_statistic_the_store_does_not_know_is_refused(fresh):
    from laborlens.impact.store import _check_complete

    tables = dict(fresh["human"].tables)
    _check_complete(tables)  # the engine's default output is stored whole
    tables["major_group"] = tables["major_group"].assign(**{"share_ge_0.3": 0.5})
    tables["county"] = tables["state"]
    with pytest.raises(LaborlensError, match=r"county, major_group\.share_ge_0\.3, which"):
        _check_complete(tables)


def test_the_report_headline_is_the_stored_aggregate(built_db, con):
    """One engine for every headline: the report's shares, major-group means and coverage are
    the stored impact aggregates of the same choices (paper weighting, β, OEWS May 2025,
    crosswalk link), to the last bit."""
    from laborlens.report.main import compute_tables

    tables, coverage = compute_tables(built_db)
    stored = con.execute(
        "SELECT source, breakdown, group_code, statistic, point, employment_covered, "
        "employment_total, units_covered FROM impact_aggregates WHERE weighting = 'paper' "
        "AND measure = 'beta' AND vintage = 2025 AND link = 'crosswalk'"
    ).df()
    shares = tables["share_of_workers_exposed"]
    beta = shares[shares["measure"] == "beta"]
    assert sorted(beta["source"].unique()) == sorted(stored["source"].unique())
    for row in beta.itertuples():
        hit = stored[
            (stored["source"] == row.source)
            & (stored["breakdown"] == "all_workers")
            & (stored["statistic"] == f"share_ge_{row.threshold:g}")
        ]
        assert len(hit) == 1
        assert row.share_of_workers == hit["point"].iloc[0]
        assert coverage[row.source].employment_scored == hit["employment_covered"].iloc[0]
        assert coverage[row.source].employment_total == hit["employment_total"].iloc[0]
        assert coverage[row.source].occupations_scored == hit["units_covered"].iloc[0]
    groups = tables["exposure_by_major_group"]
    means = stored[(stored["breakdown"] == "major_group") & (stored["statistic"] == "mean_exposure")]
    merged = groups.merge(
        means, left_on=["source", "soc_major_code"], right_on=["source", "group_code"]
    )
    assert len(merged) == len(groups) > 0
    np.testing.assert_array_equal(merged["beta"], merged["point"])
    # the other measures differ from β, so the table does not repeat one column three times
    assert (groups["gamma"] >= groups["beta"]).all()
    assert (groups["beta"] >= groups["alpha"]).all()
    assert (groups["gamma"] > groups["alpha"]).any()
