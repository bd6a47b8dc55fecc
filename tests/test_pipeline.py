"""End to end over the full pipeline: build from the real mirror, rebuild, interrupt, report."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.config import get_settings
from laborlens.db.build import build
from laborlens.exceptions import BuildError
from laborlens.sources import eloundou

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def built(built_full):
    return built_full


def _manifest_rows(mirror: Path) -> dict[str, int]:
    """Data rows per text table, from MANIFEST.md's 'N rows x M cols (+header)' column."""
    out = {}
    for line in (mirror / "MANIFEST.md").read_text().splitlines():
        m = re.match(r"\| (\S[^|]*?) \|.*\| (\d+) rows x \d+ cols \(\+header\) \|", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def test_build_loads_every_table_and_records_its_rows(built, mirror):
    settings, result = built
    assert not result.skipped
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        sources = con.execute("SELECT * FROM sources").df()
        tables = con.execute("SELECT * FROM tables").df().set_index("name")
        loaded = sources[sources["table_name"].notna()]
        for row in loaded.itertuples():
            actual = con.execute(f'SELECT count(*) FROM "{row.table_name}"').fetchall()[0][0]
            assert actual == row.loaded_rows == tables.loc[row.table_name, "rows"]
        occupations = con.execute("SELECT * FROM occupations").df()
    # files read by build steps are recorded too (in the fingerprint), with the step that read them
    from laborlens.capability import capabilities

    by_step = sources[sources["table_name"].isna()]
    declared = {(n, f"{c.name} build step") for c in capabilities() for n in c.sources}
    assert set(zip(by_step["name"], by_step["used_by"], strict=True)) == declared
    assert by_step["loaded_rows"].isna().all()
    manifest = _manifest_rows(mirror)
    checked = 0
    for row in loaded.itertuples():
        if row.path in manifest:
            assert row.loaded_rows == manifest[row.path], row.path
            checked += 1
    assert checked >= 10
    assert {"license", "release", "sha256", "attribution"} <= set(sources.columns)
    assert len(occupations) == 1016
    assert occupations["soc_2018_code"].notna().mean() > 0.95


def test_database_exposure_equals_published_file(built, source_path):
    settings, _ = built
    published = eloundou.read_occupation_level(source_path("gpts_occ_level"))
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        ours = con.execute("SELECT * FROM occupation_exposure WHERE weighting = 'paper'").df()
    for who in ("human", "gpt4"):
        got = (
            ours[ours["source"] == who]
            .set_index("onet_soc_code")
            .reindex(published["onet_soc_code"])
        )
        for m in ("alpha", "beta", "gamma"):
            np.testing.assert_allclose(
                got[m].to_numpy(), published[f"{who}_{m}"].to_numpy(), atol=1e-9, rtol=0
            )


def test_second_build_is_skipped_and_force_rebuilds(built):
    settings, first = built
    again = build(settings)
    assert again.skipped
    assert again.seconds < first.seconds


def test_failed_build_leaves_the_old_database(built, mirror, tmp_path):
    settings, _ = built
    before = settings.db_path.read_bytes()
    # A mirror whose labels file is corrupted: the build must stop and keep the old database.
    fake = tmp_path / "mirror"
    for child in mirror.iterdir():
        (fake / child.name).parent.mkdir(parents=True, exist_ok=True)
        if child.name != "gpts-are-gpts":
            os.symlink(child, fake / child.name)
    (fake / "gpts-are-gpts").mkdir()
    for f in (mirror / "gpts-are-gpts").iterdir():
        os.symlink(f, fake / "gpts-are-gpts" / f.name)
    labels = fake / "gpts-are-gpts" / "full_labelset.tsv"
    labels.unlink()
    labels.write_bytes((mirror / "gpts-are-gpts" / "full_labelset.tsv").read_bytes()[:-500])
    bad = get_settings(
        db=settings.db_path,
        mirror=fake,
        cache_dir=tmp_path / "c",
        offline=True,
        models_dir=settings.models_dir,
    )
    with pytest.raises(BuildError, match=r"full_labelset\.tsv.*expected"):
        build(bad, force=True)
    assert settings.db_path.read_bytes() == before
    assert not list(settings.db_path.parent.glob(".*.tmp*"))


def test_interrupted_build_leaves_the_old_database(built):
    settings, _ = built
    before = settings.db_path.read_bytes()
    env = {
        **os.environ,
        "LABORLENS_MIRROR": str(settings.mirror),
        "LABORLENS_OFFLINE": "1",
        "LABORLENS_MODELS": str(settings.models_dir),
        "LABORLENS_CACHE": str(settings.cache_dir),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "laborlens", "build", "--force", "--db", str(settings.db_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    pattern = f".{settings.db_path.name}.build-{proc.pid}.tmp"
    while time.monotonic() < deadline and not (settings.db_path.parent / pattern).exists():
        time.sleep(0.05)
    assert (settings.db_path.parent / pattern).exists(), "the build never started writing"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert settings.db_path.read_bytes() == before
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM onet_tasks").fetchall()[0][0] == 18796
    # The next build clears what the killed one left behind.
    build(settings)
    assert not list(settings.db_path.parent.glob(f"{pattern}*"))


def test_report_end_to_end(built, tmp_path):
    settings, _ = built
    out = tmp_path / "report"
    result = runner.invoke(
        app,
        [
            "report",
            "--out",
            str(out),
            "--db",
            str(settings.db_path),
            "--mirror",
            str(settings.mirror),
            "--offline",
        ],
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert "Plotly.newPlot" in html
    assert not re.search(r"<script[^>]+src=", html), "the report must not load scripts from a CDN"
    assert "O*NET 29.3 Database" in html
    assert "CC BY 4.0" in html
    assert "Microsoft" in html or "GPTs are GPTs" in html
    shares = pd.read_csv(out / "tables" / "share_of_workers_exposed.csv")
    assert len(shares) == 18  # 3 sources x 3 measures x 2 thresholds
    assert shares["share_of_workers"].between(0, 1).all()
    beta = shares[(shares.measure == "beta") & (shares.source == "human")].set_index("threshold")
    assert beta.loc[0.1, "share_of_workers"] > beta.loc[0.5, "share_of_workers"] > 0
    groups = pd.read_parquet(out / "tables" / "exposure_by_major_group.parquet")
    assert groups.groupby("source").size().to_dict() == {"gpt4": 22, "human": 22, "model": 22}
    coverage = pd.read_csv(out / "tables" / "coverage.csv")
    assert (coverage["employment_share"] > 0.9).all()


def test_cli_occupations_exposure(built, tmp_path, source_path):
    settings, _ = built
    target = tmp_path / "occ.csv"
    result = runner.invoke(
        app,
        [
            "occupations",
            "exposure",
            "--source",
            "gpt4",
            "--weighting",
            "paper",
            "--output",
            str(target),
            "--db",
            str(settings.db_path),
        ],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(target)
    assert list(frame.columns) == ["onet_soc_code", "title", "alpha", "beta", "gamma"]
    published = eloundou.read_occupation_level(source_path("gpts_occ_level"))
    merged = frame.merge(published, on="onet_soc_code")
    assert len(merged) == 923
    np.testing.assert_allclose(merged["beta"], merged["gpt4_beta"], atol=1e-9, rtol=0)
    bad = runner.invoke(
        app, ["occupations", "exposure", "--source", "claude", "--db", str(settings.db_path)]
    )
    assert bad.exit_code == 1
    assert "source must be one of human, gpt4, model" in bad.output
    missing = runner.invoke(app, ["occupations", "exposure", "--db", str(tmp_path / "no.duckdb")])
    assert missing.exit_code == 1
    assert "laborlens build" in missing.output


def test_schema_doc_lists_every_table(built):
    settings, _ = built
    result = runner.invoke(app, ["schema", "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT name FROM tables").fetchall()]
    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
    for name in names:
        assert f"## `{name}`" in result.output
        assert f"## `{name}`" in doc, f"docs/schema.md lacks {name}; regenerate it"


def test_model_scores_every_onet_task_and_tracks_the_human_labels(built, tmp_path):
    settings, _ = built
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        n_tasks = con.execute("SELECT count(*) FROM onet_tasks").fetchall()[0][0]
        scored = con.execute("SELECT * FROM task_exposure_model").df()
        automation = con.execute("SELECT * FROM task_automation_model").df()
        occ = con.execute(
            "SELECT m.onet_soc_code, m.beta AS model, h.beta AS human FROM occupation_exposure m "
            "LEFT JOIN occupation_exposure h ON h.onet_soc_code = m.onet_soc_code "
            "AND h.source = 'human' AND h.weighting = 'paper' "
            "WHERE m.source = 'model' AND m.weighting = 'paper'"
        ).df()
        unlabelled = con.execute(
            "SELECT count(*) FROM onet_tasks t ANTI JOIN exposure_labels l "
            "ON l.onet_soc_code = t.onet_soc_code AND l.task_id = t.task_id"
        ).fetchall()[0][0]
    assert len(scored) == len(automation) == n_tasks
    np.testing.assert_allclose(scored[["p_E0", "p_E1", "p_E2"]].sum(axis=1), 1.0, rtol=1e-9)
    assert set(automation.columns) >= {"p_T0", "p_T4", "automation_score", "automation"}
    # Every O*NET 29.3 occupation with tasks is scored, tasks without a human label included.
    assert occ["model"].notna().sum() == occ["human"].notna().sum() == 923
    assert unlabelled == 45  # O*NET 29.3 tasks that the 27.2-based labels do not cover
    both = occ.dropna()
    assert np.corrcoef(both["model"], both["human"])[0, 1] > 0.9
    target = tmp_path / "model.csv"
    result = runner.invoke(
        app,
        [
            "occupations",
            "exposure",
            "--source",
            "model",
            "--output",
            str(target),
            "--db",
            str(settings.db_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(target)) == occ["model"].notna().sum()


def test_cli_titles_and_posting_on_the_built_database(built, tmp_path, monkeypatch):
    settings, _ = built
    # The CLI resolves the models like a user's shell would: point it at the built ones.
    monkeypatch.setenv("LABORLENS_MODELS", str(settings.models_dir))
    monkeypatch.setenv("LABORLENS_OFFLINE", "1")
    db = ["--db", str(settings.db_path)]
    one = runner.invoke(app, ["titles", "code", "Forklift Operator", *db])
    assert one.exit_code == 0, one.output
    assert "53-7051" in one.output  # Industrial Truck and Tractor Operators

    source = tmp_path / "titles.csv"
    pd.DataFrame({"title": ["RN - ICU Night Shift", "", "Barista (Part-Time)"]}).to_csv(
        source, index=False
    )
    target = tmp_path / "coded.csv"
    args = ["titles", "code", "--input", str(source), "--output", str(target), "--top", "2", *db]
    # a blank title is refused with one line naming the file and row, and nothing is written
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "titles.csv, row 3" in refused.output
    assert "blank" in refused.output
    assert not target.exists()
    pd.DataFrame({"title": ["RN - ICU Night Shift", "Barista (Part-Time)"]}).to_csv(
        source, index=False
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(target, dtype=str, keep_default_na=False)
    firsts = coded[coded["rank"] == "1"]
    assert firsts["title"].tolist() == ["RN - ICU Night Shift", "Barista (Part-Time)"]
    assert firsts["soc_2018_code"].tolist() == ["29-1141", "35-3023"]

    posting = Path(__file__).parent / "data" / "posting_rn.html"
    result = runner.invoke(
        app,
        [
            "posting",
            "analyze",
            str(posting),
            "--format",
            "json",
            *db,
            "--mirror",
            str(settings.mirror),
        ],
    )
    assert result.exit_code == 0, result.output
    analysis = json.loads(result.output)
    assert analysis["occupations"][0]["soc_2018_code"] == "29-1141"
    assert 0 <= analysis["beta_ci"][0] <= analysis["beta"] <= analysis["beta_ci"][1] <= 1
    assert all(s["exposure"] in ("E0", "E1", "E2") for s in analysis["statements"])
