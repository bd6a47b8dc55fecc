"""The source registry and verified fetching: mirror, cache, download, and the failures."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.config import get_settings
from laborlens.exceptions import ChecksumError, ConfigError, SourceMissingError
from laborlens.sources.fetch import check_all, fetch, sha256_file
from laborlens.sources.registry import get_source, parse_registry, registry


def test_registry_covers_every_mirror_file_and_the_manifest(mirror: Path):
    on_disk = {p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file()}
    on_disk.discard("MANIFEST.md")
    paths = {s.path for s in registry().values()}
    assert paths == on_disk
    manifest = (mirror / "MANIFEST.md").read_text()
    for s in registry().values():
        row = next(line for line in manifest.splitlines() if line.startswith(f"| {s.path} |"))
        assert s.sha256 in row
        assert f"| {s.bytes} |" in row


def test_every_mirror_file_verifies(settings):
    statuses = check_all(settings)
    assert {st.status for st in statuses} == {"ok"}
    assert all(
        st.location is not None and st.location.is_relative_to(settings.mirror) for st in statuses
    )


def test_registry_entries_name_their_provenance():
    for s in registry().values():
        assert s.url or s.archive_url, s.name
        assert s.license, s.name
        assert s.release, s.name
        assert s.publisher, s.name
    onet = get_source("onet_task_statements")
    assert onet.official_url.startswith("https://www.onetcenter.org/dl_files/database/db_29_3_")
    assert "CC BY 4.0" in onet.attribution
    gpts = get_source("gpts_full_labelset")
    assert "openai/GPTs-are-GPTs" in gpts.url


def _fake_mirror(mirror: Path, tmp: Path, rel: str, content: bytes | None) -> Path:
    root = tmp / "mirror"
    (root / rel).parent.mkdir(parents=True)
    if content is None:
        shutil.copy(mirror / rel, root / rel)
    else:
        (root / rel).write_bytes(content)
    return root


def test_corrupt_mirror_file_is_rejected_and_nothing_is_written(mirror, tmp_path):
    rel = "onet-29.3/Job Zones.txt"
    data = (mirror / rel).read_bytes().replace(b"\t5\t", b"\t4\t", 1)
    root = _fake_mirror(mirror, tmp_path, rel, data)
    settings = get_settings(mirror=root, cache_dir=tmp_path / "cache", offline=True)
    expected = get_source("onet_job_zones").sha256
    with pytest.raises(ChecksumError) as info:
        fetch("onet_job_zones", settings)
    message = str(info.value)
    assert "Job Zones.txt" in message
    assert expected in message
    assert sha256_file(root / rel) in message
    assert not (tmp_path / "cache").exists()
    assert (root / rel).read_bytes() == data


def test_missing_file_offline_names_where_it_looked(tmp_path):
    settings = get_settings(mirror=tmp_path, cache_dir=tmp_path / "cache", offline=True)
    with pytest.raises(SourceMissingError, match=r"Task Statements\.txt.*LABORLENS_MIRROR"):
        fetch("onet_task_statements", settings)


def test_mirror_setting_must_be_a_folder(tmp_path):
    with pytest.raises(ConfigError, match="not a folder"):
        get_settings(mirror=tmp_path / "nope")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[source]]\nname = "x"\n', "lacks the field 'path'"),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_bad_registry_entries_are_named(text, problem):
    with pytest.raises(ConfigError, match=re.escape(problem)):
        parse_registry(text)


def test_bad_sha_in_registry_is_named():
    entry = (
        '[[source]]\nname = "x"\npath = "a/b.txt"\nsha256 = "abc"\nbytes = 1\ngroup = "g"\n'
        'publisher = "p"\nrelease = "r"\nlicense = "l"\n'
    )
    with pytest.raises(ConfigError, match="'x' has sha256 'abc'; expected 64 hex digits"):
        parse_registry(entry)


@pytest.fixture
def http_mirror(mirror: Path, tmp_path: Path):
    """A local HTTP server on 127.0.0.1 serving a copy of two mirror files (one corrupted)."""
    root = tmp_path / "served"
    (root / "onet-29.3").mkdir(parents=True)
    shutil.copy(mirror / "onet-29.3/Job Zones.txt", root / "onet-29.3/Job Zones.txt")
    (root / "onet-29.3/Occupation Data.txt").write_bytes(b"not the real file\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_is_verified_into_the_cache(http_mirror, tmp_path):
    settings = get_settings(cache_dir=tmp_path / "cache", offline=False)
    source = replace(get_source("onet_job_zones"), url=f"{http_mirror}/onet-29.3/Job%20Zones.txt")
    path = fetch(source, settings)
    assert path == tmp_path / "cache" / "onet-29.3" / "Job Zones.txt"
    assert sha256_file(path) == source.sha256
    # A second fetch uses the cache: the server copy is no longer needed.
    assert fetch(replace(source, url="http://127.0.0.1:9/unreachable"), settings) == path


def test_download_with_wrong_bytes_is_discarded(http_mirror, tmp_path):
    settings = get_settings(cache_dir=tmp_path / "cache", offline=False)
    url = f"{http_mirror}/onet-29.3/Occupation%20Data.txt"
    source = replace(get_source("onet_occupation_data"), url=url)
    with pytest.raises(ChecksumError, match=source.sha256):
        fetch(source, settings)
    cached = tmp_path / "cache" / "onet-29.3"
    assert not any(cached.glob("*")) if cached.exists() else True


runner = CliRunner()


def test_cli_sources_verify_and_list(mirror):
    result = runner.invoke(app, ["sources", "verify", "--mirror", str(mirror)])
    assert result.exit_code == 0, result.output
    assert f"{len(registry())} ok, 0 missing, 0 corrupt" in result.output
    listing = runner.invoke(
        app, ["sources", "list", "--mirror", str(mirror)], env={"COLUMNS": "250"}
    )
    assert listing.exit_code == 0
    assert "onet_task_statements" in listing.output


def test_cli_sources_verify_reports_corrupt_and_missing(mirror, tmp_path):
    rel = "onet-29.3/Job Zones.txt"
    root = _fake_mirror(mirror, tmp_path, rel, b"garbage")
    result = runner.invoke(
        app,
        ["sources", "verify", "--mirror", str(root)],
        env={"COLUMNS": "300", "LABORLENS_CACHE": str(tmp_path / "c")},
    )
    assert result.exit_code == 1
    assert "corrupt" in result.output
    assert get_source("onet_job_zones").sha256 in result.output
    assert f"0 ok, {len(registry()) - 1} missing, 1 corrupt" in result.output
