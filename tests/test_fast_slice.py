"""The fast tier: the real readers, the exposure formula, the build, the analyses and the CLI on
the committed slice of the mirror (``tests/fixtures/slice``, 15 occupations), no mirror needed.

Expected values come from the slice files themselves (read here with pandas, independently of
laborlens) or from the paper's published ``occ_level.csv`` rows in the slice.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.capability import capabilities
from laborlens.cli import app
from laborlens.config import get_settings
from laborlens.db.build import build
from laborlens.db.tables import META_TABLES, SOURCE_TABLES
from laborlens.exceptions import (
    BuildError,
    ChecksumError,
    ConfigError,
    LayoutError,
    OccupationNotFoundError,
)
from laborlens.exposure import occupation_exposure
from laborlens.impact import Choices, compute_impact, load
from laborlens.sources import bls, eloundou, onet
from laborlens.sources.fetch import check_all, fetch, sha256_file
from laborlens.sources.registry import get_source, parse_registry, registry

SLICE = Path(__file__).resolve().parent / "fixtures" / "slice"
DATA = SLICE / "data"
REGISTRY = SLICE / "registry.toml"
OCCUPATIONS = {
    "11-1021.00", "13-2011.00", "15-1252.00", "23-1011.00", "25-2021.00", "27-3031.00",
    "29-1141.00", "35-2014.00", "37-2011.00", "41-2011.00", "43-4051.00", "47-2031.00",
    "49-3023.00", "51-2092.00", "53-7062.00",
}  # fmt: skip
SOC = {c[:7] for c in OCCUPATIONS}
runner = CliRunner()


def _oews_codes() -> set[str]:
    """The codes OEWS publishes the slice occupations' employment under (NEM crosswalk, read
    with pandas): their SOC codes, except team assemblers, pooled in 51-2090."""
    nem = pd.read_excel(
        DATA / "gpts-are-gpts" / "nem-onet-to-soc-crosswalk.xlsx", header=4, engine="calamine"
    )
    assert set(nem["O*NET-SOC Code"]) == OCCUPATIONS
    return set(nem["NEM Code"])


def _flat(output: str) -> str:
    """CLI output without Rich's line wrapping."""
    return output.replace("\n", "")


def _build_sources(caps) -> set[str]:
    names = {spec.source for spec in SOURCE_TABLES}
    for cap in caps:
        names |= set(cap.sources)
    return names


def _manifest_rows() -> dict[str, int]:
    rows = {}
    for line in (DATA / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[2].isdigit():
            rows[cells[0]] = int(cells[2])
    return rows


def _copy_slice(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the slice: (data folder, registry file)."""
    data = tmp_path / "slice" / "data"
    shutil.copytree(DATA, data)
    reg = tmp_path / "slice" / "registry.toml"
    shutil.copyfile(REGISTRY, reg)
    return data, reg


def _reregister(reg: Path, name: str, path: Path) -> None:
    """Give ``name`` in the registry file ``reg`` the sha256 and size of ``path``."""
    old = next(e for e in tomllib.loads(reg.read_text("utf-8"))["source"] if e["name"] == name)
    text = reg.read_text(encoding="utf-8")
    text = text.replace(f'sha256 = "{old["sha256"]}"', f'sha256 = "{sha256_file(path)}"')
    text = text.replace(f"bytes = {old['bytes']}\n", f"bytes = {path.stat().st_size}\n")
    reg.write_text(text, encoding="utf-8")


# -- the slice and its registry ---------------------------------------------------------------


def test_slice_is_small_and_every_file_is_registered_with_its_bytes(slice_settings):
    total = sum(p.stat().st_size for p in SLICE.rglob("*") if p.is_file())
    assert total < 1_400_000  # 15 occupations, every source of the eight default capabilities
    sources = registry(REGISTRY)
    assert set(sources) == _build_sources(capabilities())
    report = check_all(slice_settings)
    assert report.counts == {"ok": len(sources), "missing": 0, "corrupt": 0}
    assert report.unregistered == ()
    for source in sources.values():
        packaged = get_source(source.name)
        assert source.sha256 != packaged.sha256  # a slice, not the full file
        assert (source.publisher, source.license) == (packaged.publisher, packaged.license)
        assert source.url is None
        assert source.archive_url is None


def test_the_registry_setting_is_explicit(monkeypatch, tmp_path):
    default = get_settings(mirror=DATA, db=tmp_path / "x.duckdb")
    assert default.registry_file is None
    with pytest.raises(ChecksumError, match=r"sha256 mismatch for .*Job Zones\.txt"):
        fetch("onet_job_zones", default)  # the packaged registry has the full file's sha256
    monkeypatch.setenv("LABORLENS_REGISTRY", str(REGISTRY))
    chosen = get_settings(mirror=DATA, db=tmp_path / "x.duckdb")
    assert chosen.registry_file == REGISTRY
    assert fetch("onet_job_zones", chosen) == DATA / "onet-29.3" / "Job Zones.txt"
    monkeypatch.setenv("LABORLENS_REGISTRY", str(tmp_path / "none.toml"))
    with pytest.raises(ConfigError, match=r"^LABORLENS_REGISTRY points at .*none\.toml"):
        get_settings()


def test_bad_registry_files_are_one_line_errors(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[source]\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        registry(broken)
    text = REGISTRY.read_text(encoding="utf-8")
    lacking = text.replace('license = "CC-BY-4.0"\n', "", 1)
    with pytest.raises(ConfigError, match=r"lacks the field 'license'"):
        parse_registry(lacking, origin="lacking.toml")
    typo = "onet_job_zones".removesuffix("s")  # built, so the static registry scan skips it
    with pytest.raises(ConfigError, match=r"Unknown source 'onet_job_zone' in .*registry\.toml"):
        get_source(typo, REGISTRY)


def test_the_no_mirror_guard_blocks_reads_under_the_guarded_folder(no_mirror_guard, tmp_path):
    """What LABORLENS_TEST_NO_MIRROR=1 installs, on a folder of this test's own."""
    guarded = tmp_path / "mirror"
    (guarded / "onet-29.3").mkdir(parents=True)
    (guarded / "onet-29.3" / "Job Zones.txt").write_text("x", encoding="utf-8")
    (tmp_path / "elsewhere.txt").write_text("y", encoding="utf-8")
    no_mirror_guard((str(guarded.resolve()),))
    with pytest.raises(RuntimeError, match=r"a test opened .*Job Zones\.txt \(in the mirror\)"):
        open(guarded / "onet-29.3" / "Job Zones.txt").close()
    with pytest.raises(RuntimeError, match=r"in the mirror"):
        pd.read_csv(guarded / "onet-29.3" / "Job Zones.txt")
    with pytest.raises(RuntimeError, match=r"in the mirror"):
        list(guarded.iterdir())
    assert (tmp_path / "elsewhere.txt").read_text(encoding="utf-8") == "y"


# -- the real readers on the slice files ------------------------------------------------------


@pytest.mark.parametrize("spec", SOURCE_TABLES, ids=lambda s: s.name)
def test_every_reader_parses_its_slice_file(spec, slice_settings):
    frame = spec.reader(fetch(spec.source, slice_settings))
    assert len(frame) > 0
    for column in ("onet_soc_code", "onet_2019_code"):
        if column in frame.columns:
            assert set(frame[column]) <= OCCUPATIONS or spec.source.startswith("aei_")
    if "soc_code" in frame.columns and spec.source.startswith(("bls_oews", "gpts_oews")):
        assert "00-0000" in set(frame["soc_code"])  # the all-occupations total is kept
        assert set(frame["soc_code"]) >= _oews_codes()


def test_reader_row_counts_match_the_slice_manifest(slice_settings):
    rows = _manifest_rows()
    one_row_per_file_row = {
        "onet_occupation_data": onet.read_occupations,
        "onet_job_zones": onet.read_job_zones,
        "onet_task_statements": onet.read_task_statements,
        "gpts_full_labelset": eloundou.read_exposure_labels,
        "gpts_occ_level": eloundou.read_occupation_level,
        "bls_oews_national_m2025": bls.read_oews_national,
        "bls_ep_occupation_xlsx": bls.read_projections,
    }
    for name, reader in one_row_per_file_row.items():
        assert len(reader(fetch(name, slice_settings))) == rows[name], name
    assert rows["onet_occupation_data"] == len(OCCUPATIONS)


def test_oews_areas_keep_the_nation_ten_states_and_six_metros(slice_settings):
    areas = bls.read_oews_geography(fetch("bls_oews_2025_sqlite", slice_settings))
    totals = areas[areas["o_group"] == "total"]
    assert totals["area_type"].value_counts().to_dict() == {"state": 10, "metro": 6, "national": 1}
    national = areas[(areas["area_type"] == "national")].set_index("soc_code")
    oews = bls.read_oews_national(fetch("bls_oews_national_m2025", slice_settings))
    oews = oews.drop_duplicates("soc_code").set_index("soc_code")
    for code in sorted(_oews_codes()):
        assert national.loc[code, "employment"] == oews.loc[code, "employment"], code


def test_a_bad_cell_in_a_slice_file_names_file_row_and_column(tmp_path):
    lines = (DATA / "onet-29.3" / "Job Zones.txt").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split("\t")
    cells[2] = "six"
    lines[3] = "\t".join(cells)
    bad = tmp_path / "Job Zones.txt"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LayoutError) as err:
        onet.read_job_zones(bad)
    message = str(err.value)
    assert "Job Zones.txt" in message
    assert "row 4" in message
    assert "Job Zone" in message
    assert "\n" not in message


# -- the exposure formula against the published occ_level rows of the slice -------------------


@pytest.fixture(scope="module")
def labels(slice_settings):
    return eloundou.read_exposure_labels(fetch("gpts_full_labelset", slice_settings))


@pytest.fixture(scope="module")
def published(slice_settings):
    occ = eloundou.read_occupation_level(fetch("gpts_occ_level", slice_settings))
    return occ.set_index("onet_soc_code")


@pytest.mark.parametrize(("who", "column"), [("human", "human_exposure"), ("gpt4", "gpt4_exposure")])
def test_paper_weighting_reproduces_the_published_alpha_beta_gamma(labels, published, who, column):
    ours = occupation_exposure(labels, label=column, weighting="paper").set_index("onet_soc_code")
    assert set(ours.index) == set(published.index) == OCCUPATIONS
    ours = ours.reindex(published.index)
    for m in ("alpha", "beta", "gamma"):
        np.testing.assert_allclose(ours[m], published[f"{who}_{m}"], rtol=0, atol=1e-9)


def test_equal_and_core_weightings_are_other_numbers(labels, published):
    paper = occupation_exposure(labels, weighting="paper").set_index("onet_soc_code")
    for weighting in ("equal", "core"):
        other = occupation_exposure(labels, weighting=weighting).set_index("onet_soc_code")
        assert (other["beta"] - paper["beta"]).abs().max() > 0.01, weighting
        ok = other.dropna(subset=["beta"])
        assert (ok["alpha"] <= ok["beta"] + 1e-12).all()
        assert (ok["beta"] <= ok["gamma"]).all()
    # equal weighting by hand for one occupation: E1 + E2/2 over its tasks
    rn = labels[labels["onet_soc_code"] == "29-1141.00"]["human_exposure"]
    expected = ((rn == "E1").sum() + 0.5 * (rn == "E2").sum()) / len(rn)
    equal = occupation_exposure(labels, weighting="equal").set_index("onet_soc_code")
    assert equal.loc["29-1141.00", "beta"] == pytest.approx(expected, abs=1e-12)


# -- the build on the slice ---------------------------------------------------------------------


def test_build_writes_every_table_and_records_sources_and_build_info(built_slice):
    settings, result = built_slice
    assert not result.skipped
    expected = {s.name for s in SOURCE_TABLES} | {t.name for t in META_TABLES}
    for cap in capabilities():
        expected |= {t.name for t in cap.tables}
    assert expected == set(result.tables)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        sources = con.execute("SELECT * FROM sources").df()
        info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
        tables = con.execute("SELECT name, rows FROM tables").df().set_index("name")["rows"]
        for name in expected - {t.name for t in META_TABLES}:
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]
            assert n == tables[name] > 0, name
    slice_registry = registry(REGISTRY)
    assert set(sources["name"]) == set(slice_registry)
    for row in sources.itertuples():
        assert row.sha256 == slice_registry[row.name].sha256
    rows = _manifest_rows()
    loaded = sources.dropna(subset=["loaded_rows"]).set_index("name")["loaded_rows"]
    assert loaded["onet_task_statements"] == rows["onet_task_statements"]
    assert info["mirror"] == str(DATA.resolve())
    assert info["registry"] == str(REGISTRY.resolve())
    assert not list(settings.db_path.parent.glob(".*.tmp*"))


def test_database_exposure_equals_the_published_rows(built_slice, published):
    settings, _ = built_slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        ours = con.execute(
            "SELECT * FROM occupation_exposure WHERE weighting = 'paper' AND source = 'human'"
        ).df()
    ours = ours.set_index("onet_soc_code").reindex(published.index)
    np.testing.assert_allclose(ours["beta"], published["human_beta"], atol=1e-9, rtol=0)


def test_second_build_is_skipped(built_slice):
    settings, _ = built_slice
    before = settings.db_path.stat().st_mtime_ns
    assert build(settings).skipped
    assert settings.db_path.stat().st_mtime_ns == before


def test_a_corrupt_slice_file_stops_the_build_before_writing(built_slice, tmp_path):
    settings, _ = built_slice
    data, reg = _copy_slice(tmp_path)
    labels = data / "gpts-are-gpts" / "full_labelset.tsv"
    labels.write_bytes(labels.read_bytes()[:-200])
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(settings.db_path, db)
    before = db.read_bytes()
    bad = dataclasses.replace(settings, db_path=db, mirror=data, registry_file=reg)
    with pytest.raises(BuildError, match=r"^Build stopped before writing anything: .*full_labelset"):
        build(bad, force=True)
    assert db.read_bytes() == before


def test_a_failing_step_leaves_the_previous_database(built_slice, tmp_path):
    """A labels file with a bad label, registered with its own sha256: the checks pass, the
    reader fails mid-build, and the old database stays as it was, with no temporary file."""
    settings, _ = built_slice
    data, reg = _copy_slice(tmp_path)
    labels = data / "gpts-are-gpts" / "full_labelset.tsv"
    text = labels.read_text(encoding="utf-8").splitlines(keepends=True)
    text[5] = text[5].replace("\tE1\t", "\tE7\t", 1).replace("\tE0\t", "\tE7\t", 1)
    labels.write_text("".join(text), encoding="utf-8")
    _reregister(reg, "gpts_full_labelset", labels)
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(settings.db_path, db)
    before = db.read_bytes()
    bad = dataclasses.replace(settings, db_path=db, mirror=data, registry_file=reg)
    with pytest.raises(BuildError) as err:
        build(bad, models=False, force=True)  # without models the labels are read mid-build
    message = str(err.value)
    assert message.startswith("Build failed while loading exposure_labels")
    assert "E7" in message
    assert message.endswith("The previous database is unchanged.")
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp*"))


# -- measures and impact on the slice -----------------------------------------------------------


def test_measures_carry_the_source_values(built_slice, slice_settings):
    settings, _ = built_slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        wide = con.execute("SELECT * FROM measures_soc2018").df().set_index("soc_2018_code")
        cov = con.execute("SELECT * FROM measure_coverage").df().set_index("measure")
    assert set(wide.index) == SOC
    # lawyers and cashiers keep their SOC 2010 code: the AIOE and Frey & Osborne values pass
    # through unchanged
    aioe = pd.read_excel(DATA / "aioe" / "AIOE_DataAppendix.xlsx", sheet_name="Appendix A", engine="calamine")
    fo = pd.read_csv(DATA / "frey-osborne" / "frey_osborne_automation_risk_index_clean.csv")
    for code in ("23-1011", "41-2011"):
        assert wide.loc[code, "aioe"] == pytest.approx(
            aioe.set_index("SOC Code").loc[code, "AIOE"], abs=1e-12
        )
        assert wide.loc[code, "frey_osborne"] == pytest.approx(
            fo.set_index("SOC code").loc[code, "Probability"], abs=1e-12
        )
    oews = pd.read_excel(DATA / "bls" / "oews" / "national_M2025_dl.xlsx", engine="calamine")
    detailed = oews[(oews["O_GROUP"] == "detailed") & oews["OCC_CODE"].isin(_oews_codes())]
    assert wide["employment"].sum() == pytest.approx(detailed["TOT_EMP"].astype(float).sum())
    parts = cov["employment_covered"] + cov["employment_uncovered"]
    np.testing.assert_allclose(parts, cov["employment_total"], rtol=1e-12)
    assert cov.loc["beta_human", "codes_covered"] == len(SOC)
    assert cov.loc["beta_model", "codes_covered"] == len(SOC)  # models trained on the slice


@pytest.fixture(scope="module")
def impact_data(built_slice):
    return load(built_slice[0])


def test_impact_headline_and_coverage_add_up(impact_data, published):
    result = compute_impact(impact_data, Choices(), n_draws=50, seed=1)
    head = result.headline()
    parts = head["employment_covered"] + head["employment_unscored"]
    parts += head["employment_unpublished"]
    assert parts == pytest.approx(head["employment_total"], rel=1e-12)
    oews = pd.read_excel(DATA / "bls" / "oews" / "national_M2025_dl.xlsx", engine="calamine")
    total = float(oews.loc[oews["O_GROUP"] == "total", "TOT_EMP"].iloc[0])
    assert head["employment_total"] == total
    detailed = oews[(oews["O_GROUP"] == "detailed") & oews["OCC_CODE"].isin(_oews_codes())]
    employment = detailed.set_index("OCC_CODE")["TOT_EMP"].astype(float)
    assert head["employment_covered"] == pytest.approx(employment.sum())
    # the headline share, from the published β and the OEWS file with pandas only
    beta = published["human_beta"].rename(index=lambda c: "51-2090" if c == "51-2092.00" else c[:7])
    exposed = employment[beta.reindex(employment.index) >= 0.5].sum()
    assert head["share_ge_0.5"] == pytest.approx(exposed / employment.sum(), abs=1e-12)
    assert 0 < head["share_ge_0.5"] < head["share_ge_0.1"] <= 1
    states = result.tables["state"]
    assert len(states) == 10
    assert len(result.tables["metro"]) == 6
    cols = ["employment_covered", "employment_unscored", "employment_unpublished"]
    np.testing.assert_allclose(states[cols].sum(axis=1), states["employment_total"], rtol=1e-12)


def test_impact_intervals_are_deterministic_and_contain_the_point(impact_data):
    a = compute_impact(impact_data, Choices(), n_draws=50, seed=3).tables["all_workers"]
    b = compute_impact(impact_data, Choices(), n_draws=50, seed=3).tables["all_workers"]
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    for stat in ("mean_beta", "share_ge_0.5"):
        lower, upper = row.get(f"{stat}_lower"), row.get(f"{stat}_upper")
        if lower is not None and upper is not None:
            assert lower <= row[stat] + 1e-12
            assert row[stat] <= upper + 1e-12


def test_impact_on_the_model_scores_covers_what_the_human_labels_cover(impact_data):
    """The slice's models rate every task, so the model headline covers the same workers."""
    human = compute_impact(impact_data, Choices(), n_draws=0).headline()
    model = compute_impact(impact_data, Choices(source="model"), n_draws=0).headline()
    assert model["employment_covered"] == pytest.approx(human["employment_covered"], rel=1e-12)
    assert 0 < model["share_ge_0.5"] < model["share_ge_0.1"] <= 1


@pytest.fixture(scope="module")
def slice_without_models(built_slice, tmp_path_factory) -> Path:
    """The slice built with ``--no-models`` (the label sources only)."""
    settings, _ = built_slice
    own = dataclasses.replace(
        settings, db_path=tmp_path_factory.mktemp("slice-no-models") / "slice.duckdb"
    )
    build(own, models=False)
    return own


def test_a_database_built_without_models_says_so_where_model_scores_are_asked(
    slice_without_models,
):
    from laborlens import recommend_careers
    from laborlens.db.connection import connect
    from laborlens.impact.store import stored_headline, stored_sources, stored_units

    with pytest.raises(ConfigError, match=r"source 'model' has no task scores"):
        compute_impact(load(slice_without_models), Choices(source="model"), n_draws=0)
    with connect(slice_without_models.db_path) as con:
        assert stored_sources(con) == ["human", "gpt4"]
        with pytest.raises(ConfigError, match=r"built without models.*--models"):
            stored_headline(con, "model")
        with pytest.raises(ConfigError, match="built without models"):
            stored_units(con, "model")
        cov = con.execute("SELECT * FROM measure_coverage").df().set_index("measure")
        assert cov.loc["beta_model", "codes_covered"] == 0  # empty, not absent
        assert recommend_careers("43-4051.00", top=3, con=con).beta_source == "human"
        tables = {r[0] for r in con.execute("SELECT name FROM tables").fetchall()}
    for cap in capabilities():
        if cap.needs_models:
            assert not {t.name for t in cap.tables} & tables, cap.name


# -- outcomes, vulnerability and emerging work on the slice ------------------------------------


def _raw_rows(path: Path) -> list[dict[str, str]]:
    """A text file's rows by the csv module alone (no laborlens code)."""
    sep = "\t" if path.suffix in {".txt", ".tsv"} else ","
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=sep))


def test_emerging_classifies_every_statement_of_the_slice_files(built_slice):
    settings, _ = built_slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        change = con.execute("SELECT * FROM emerging_task_change").df()
    t20 = _raw_rows(DATA / "onet-20.1-converted" / "task_statements_v20.1.csv")
    t29 = _raw_rows(DATA / "onet-29.3" / "Task Statements.txt")
    t30 = _raw_rows(DATA / "onet-30.1-converted" / "task_statements_v30.1.csv")
    for old, new, name in ((t20, t29, "20.1->29.3"), (t29, t30, "29.3->30.1")):
        part = change[change["comparison"] == name]
        unchanged = (part["status"] == "unchanged").sum()
        # every earlier statement is classified once (an unchanged one under the later release)
        assert (part["release"] == name[:4]).sum() + unchanged == len(old), name
        assert (part["release"] == name[-4:]).sum() == len(new), name
    later = change[change["comparison"] == "29.3->30.1"]
    a = {r["Task ID"]: " ".join(r["Task"].split()) for r in t29}
    b = {r["Task ID"]: " ".join(r["Task"].split()) for r in t30}
    by_id = later.drop_duplicates("task_id")["id_status"].value_counts()
    assert by_id.get("removed", 0) == len(a.keys() - b.keys())
    assert by_id.get("new", 0) == len(b.keys() - a.keys())
    emerging = change[change["status"] == "emerging"]
    assert len(emerging) == len(_raw_rows(DATA / "onet-29.3" / "Emerging Tasks.txt"))
    rated = change.dropna(subset=["p_E0"])
    assert len(rated) > 0
    np.testing.assert_allclose(rated[["p_E0", "p_E1", "p_E2"]].sum(axis=1), 1, atol=1e-9)


def test_emerging_tasks_of_an_unknown_occupation_are_a_404_naming_it(built_slice):
    """Like every occupation query and endpoint: an occupation the database does not have is an
    OccupationNotFoundError (404) naming it, not an empty answer; a malformed code too, and an
    over-long one is a 422 naming the path parameter. A SOC code resolves as elsewhere."""
    from fastapi.testclient import TestClient

    from laborlens.emerging.query import revision_pairs, task_rows
    from laborlens.service import ServiceConfig, create_app

    settings, _ = built_slice
    carpenters = "47-2031.00"  # has an emerging statement in the slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows = task_rows(con, code=carpenters)
        assert set(rows["onet_soc_code"]) == {carpenters}
        assert "emerging" in set(rows["status"])
        assert task_rows(con, code=carpenters[:7]).equals(rows)
        for code in ("99-9999.00", "99-9999", "15-12"):
            with pytest.raises(OccupationNotFoundError, match=re.escape(repr(code))):
                task_rows(con, code=code)
            with pytest.raises(OccupationNotFoundError, match=re.escape(repr(code))):
                revision_pairs(con, code=code)
    with TestClient(create_app(settings, ServiceConfig(warm=False))) as client:
        ok = client.get(f"/api/emerging/tasks/{carpenters[:7]}")
        assert ok.status_code == 200
        assert ok.json()["code"] == carpenters
        assert {t["onet_soc_code"] for t in ok.json()["tasks"]} == {carpenters}
        for code in ("99-9999.00", "99-9999", "15-12"):
            r = client.get(f"/api/emerging/tasks/{code}")
            other = client.get(f"/api/occupations/{code}/tasks")
            assert r.status_code == other.status_code == 404, code
            assert r.json()["error"] == "OccupationNotFoundError"
            assert r.json()["detail"] == other.json()["detail"]
            assert code in r.json()["detail"]
        r = client.get(f"/api/emerging/tasks/{'1' * 201}")
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["path", "code"]


def test_the_new_work_report_section_shows_the_overview_figures(built_slice):
    """The report's "New work" section reads emerging.query.overview, as the API and the
    dashboard do: its difference with the interval, its counts and its tables are the
    overview's, row for row."""
    from laborlens.emerging.query import overview
    from laborlens.emerging.section import emerging_section

    settings, _ = built_slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        o = overview(con)
    page = emerging_section(settings).html
    b = o["summary"]["20.1->29.3"]  # (29.3 -> 30.1 has too few occupations in the slice)
    assert b["delta_ci_low"] <= b["delta_beta"] <= b["delta_ci_high"]
    assert (
        f"Δβ = {b['delta_beta']:.3f} (95 % interval {b['delta_ci_low']:.3f} to "
        f"{b['delta_ci_high']:.3f})"
    ) in page
    for comp in ("20.1->29.3", "29.3->30.1"):
        ids = o["summary"][comp]["counts_by_task_id"]
        assert f"by task ID {ids['new']:,} new, {ids['removed']:,} removed" in page, comp
    em = o["summary"]["29.3 emerging"]
    assert f"{em['statements']} in {em['occupations']} occupations" in page

    def first_column(heading: str) -> list[str]:
        table = page.split(heading, 1)[1].split("</table>", 1)[0]
        return [html.unescape(t) for t in re.findall(r"<tr><td>([^<]*)</td>", table)]

    assert o["changed_most"]
    assert first_column("changed most") == [r["title"] for r in o["changed_most"]]
    assert first_column("Fastest-growing") == [r["title"] for r in o["growing_occupations"]]
    assert first_column("AI work in the task statements") == [r["release"] for r in o["ai_share"]]
    assert f"new since SOC 2010 ({o['new_occupations_total']}; " in page


def test_outcomes_panel_totals_are_the_raw_all_occupations_rows(built_slice):
    """Each year's all-occupations employment in the panel coverage is the 00-0000 row of that
    year's OEWS file (seven layouts: SOC 2010, hybrid and 2018 codes, upper and lower case)."""
    settings, _ = built_slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        cov = con.execute("SELECT year, oews_total FROM outcomes_panel_coverage").df()
    totals = cov.set_index("year")["oews_total"]
    assert sorted(totals.index) == [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
    for year in (2017, 2018, 2019, 2020, 2022, 2023, 2024):
        raw = pd.read_excel(DATA / "bls" / "oews" / f"national_M{year}_dl.xlsx", engine="calamine")
        raw.columns = [str(c).upper() for c in raw.columns]
        code = raw.iloc[:, list(raw.columns).index("OCC_CODE")]
        total = raw.loc[code == "00-0000", "TOT_EMP"].astype(float)
        assert totals[year] == pytest.approx(total.iloc[0], rel=1e-12), year


def test_vulnerability_covers_every_slice_occupation_with_its_cps_line(built_slice):
    settings, _ = built_slice
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        occ = con.execute("SELECT * FROM vulnerability_occupations").df()
    assert set(occ["soc_2018_code"]) == SOC
    assert occ["covered"].all()
    cps = pd.read_excel(DATA / "bls" / "cps" / "cpsaat11b.xlsx", header=None, engine="calamine")
    titles = {str(t).strip().lower() for t in cps[0].dropna()}
    assert set(occ["census_title"].str.lower()) <= titles
    assert occ[["share_women", "share_55_plus"]].notna().all().all()


# -- the CLI on the slice -----------------------------------------------------------------------


def test_cli_config_set_show_and_sources_verify_on_the_slice():
    shown = runner.invoke(app, ["config", "show"])
    assert shown.exit_code == 0, shown.output
    assert "registry" in shown.output
    assert "LABORLENS_REGISTRY" in shown.output
    for name, value in (("mirror", DATA), ("registry", REGISTRY)):
        saved = runner.invoke(app, ["config", "set", name, str(value)])
        assert saved.exit_code == 0, saved.output
        assert str(value.resolve()) in saved.output
    verified = runner.invoke(app, ["sources", "verify"])
    n = len(registry(REGISTRY))
    assert verified.exit_code == 0, verified.output
    assert f"{n} ok, 0 missing, 0 corrupt of {n} registered files" in _flat(verified.output)
    assert "0 unregistered files in the mirror" in _flat(verified.output)
    bad = runner.invoke(app, ["config", "set", "registry", "no-such-registry.toml"])
    assert bad.exit_code == 1
    assert "is not a file" in bad.output
    assert "Traceback" not in bad.output


def test_cli_sources_verify_reports_a_corrupt_slice_file(tmp_path, monkeypatch):
    data, reg = _copy_slice(tmp_path)
    zones = data / "onet-29.3" / "Job Zones.txt"
    zones.write_bytes(zones.read_bytes() + b"\n")
    monkeypatch.setenv("LABORLENS_REGISTRY", str(reg))
    result = runner.invoke(app, ["sources", "verify", "--mirror", str(data)])
    assert result.exit_code == 1
    assert f"corrupt {zones}" in _flat(result.output)
    assert "1 corrupt" in _flat(result.output)


def test_cli_occupations_exposure_formats(built_slice, published, tmp_path):
    settings, _ = built_slice
    db = ["--db", str(settings.db_path)]
    base = ["occupations", "exposure", "--source", "gpt4", "--weighting", "paper"]
    as_json = runner.invoke(app, [*base, "--format", "json", *db])
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)
    assert {r["onet_soc_code"] for r in records} == OCCUPATIONS
    for r in records:
        assert r["beta"] == pytest.approx(published.loc[r["onet_soc_code"], "gpt4_beta"], abs=1e-9)
    as_csv = runner.invoke(app, [*base, "--format", "csv", *db])
    assert as_csv.exit_code == 0, as_csv.output
    from io import StringIO

    frame = pd.read_csv(StringIO(as_csv.stdout))
    assert list(frame.columns) == ["onet_soc_code", "title", "alpha", "beta", "gamma"]
    assert len(frame) == len(OCCUPATIONS)
    target = tmp_path / "occ.csv"
    written = runner.invoke(app, [*base, "-o", str(target), *db])
    assert written.exit_code == 0, written.output
    pd.testing.assert_frame_equal(pd.read_csv(target), frame)


def test_cli_refuses_an_unsupported_output_before_any_work(tmp_path):
    target = tmp_path / "occ.docx"
    missing_db = tmp_path / "no.duckdb"
    result = runner.invoke(
        app, ["occupations", "exposure", "-o", str(target), "--db", str(missing_db)]
    )
    assert result.exit_code == 1
    assert "unsupported output type '.docx'" in result.output
    assert "laborlens build" not in result.output  # refused before opening the database
    assert not target.exists()
    assert not missing_db.exists()
    fmt = runner.invoke(app, ["occupations", "exposure", "--format", "xml", "--db", str(missing_db)])
    assert fmt.exit_code == 1
    assert "--format 'xml'" in fmt.output


def test_cli_bad_choices_are_one_line_errors(built_slice):
    settings, _ = built_slice
    result = runner.invoke(
        app, ["occupations", "exposure", "--source", "claude", "--db", str(settings.db_path)]
    )
    assert result.exit_code == 1
    assert "source must be one of human, gpt4, model" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_registry_toml_matches_the_slice_files():
    """The committed registry.toml is what make_slice.py wrote: every entry's sha256 and bytes
    are those of the committed file (a regenerated slice must be committed with its registry)."""
    doc = tomllib.loads(REGISTRY.read_text(encoding="utf-8"))
    for entry in doc["source"]:
        path = DATA / entry["path"]
        assert path.stat().st_size == entry["bytes"], entry["name"]
        assert sha256_file(path) == entry["sha256"], entry["name"]


# -- full tier: the committed slice is what the script makes from the mirror --------------------


def test_make_slice_reproduces_the_committed_slice(mirror, tmp_path, monkeypatch):
    """make_slice.py is deterministic: run on the mirror it writes the committed files, byte for
    byte (so the slice is real data, and a change of the script shows here)."""
    import importlib.util

    script = SLICE.parent / "make_slice.py"
    spec = importlib.util.spec_from_file_location("make_slice", script)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_slice", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    out = tmp_path / "slice"
    assert module.main(["--mirror", str(mirror), "--out", str(out)]) == 0
    made = {p.relative_to(out).as_posix(): sha256_file(p) for p in out.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(SLICE).as_posix(): sha256_file(p) for p in SLICE.rglob("*") if p.is_file()
    }
    assert made == committed
