"""The source registry and verified fetching: mirror, cache, download, and the failures."""

from __future__ import annotations

import ast
import functools
import http.server
import importlib.util
import os
import re
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from laborlens.capability import DEFAULT_CAPABILITIES, capabilities
from laborlens.cli import app
from laborlens.config import get_settings
from laborlens.exceptions import ChecksumError, ConfigError, SourceMissingError
from laborlens.sources.fetch import NOT_SOURCES, check_all, fetch, sha256_file, unregistered_files
from laborlens.sources.registry import get_source, parse_registry, registry

REPO = Path(__file__).resolve().parents[1]


def _mirror_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_every_registered_file_is_in_the_mirror_and_the_manifest(mirror: Path):
    on_disk = _mirror_files(mirror)
    missing = sorted(s.path for s in registry().values() if s.path not in on_disk)
    assert missing == [], f"registered but not in the mirror: {missing}"
    manifest = (mirror / "MANIFEST.md").read_text()
    for s in registry().values():
        row = next(line for line in manifest.splitlines() if line.startswith(f"| {s.path} |"))
        assert s.sha256 in row, s.name
        assert f"| {s.bytes} |" in row, s.name


def test_every_mirror_file_verifies(settings):
    report = check_all(settings)
    assert report.counts == {"ok": len(registry()), "missing": 0, "corrupt": 0}
    assert report.ok
    assert report.exit_code == 0
    assert all(
        st.location is not None and st.location.is_relative_to(settings.mirror) for st in report
    )
    # Extra files of the mirror are listed, never an error.
    assert list(report.unregistered) == unregistered_files(settings.mirror)
    assert report.summary().startswith(f"{len(registry())} ok, 0 missing, 0 corrupt of ")


def test_unregistered_mirror_files_are_listed(mirror: Path):
    registered = {s.path for s in registry().values()}
    expected = sorted(_mirror_files(mirror) - registered - NOT_SOURCES)
    assert unregistered_files(mirror) == expected
    assert "MANIFEST.md" not in unregistered_files(mirror)


def _linked_mirror(mirror: Path, root: Path, skip: str | None = None) -> Path:
    """A mirror of symbolic links to every real mirror file (except ``skip``)."""
    for rel in _mirror_files(mirror):
        if rel != skip:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(mirror / rel, root / rel)
    return root


def test_extra_files_are_reported_not_an_error(mirror, tmp_path):
    root = _linked_mirror(mirror, tmp_path / "mirror")
    # A sibling of a registered file (the publisher's GenAI series) and a whole new folder.
    sibling = Path(get_source("indeed_ai_posting").path).with_name("GenAI_posting.csv")
    extras = {sibling.as_posix(), "new-source/table.csv"}
    for rel in extras:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("date,value\n2026-01-01,1\n")
    settings = get_settings(mirror=root, cache_dir=tmp_path / "cache", offline=True)
    report = check_all(settings)
    assert report.ok
    assert report.exit_code == 0
    assert set(report.unregistered) - set(unregistered_files(mirror)) == extras
    n = len(report.unregistered)
    assert report.summary().endswith(f"; {n} unregistered files in the mirror")


def test_a_missing_registered_file_fails_verification(mirror, tmp_path):
    gone = get_source("indeed_ai_posting")
    root = _linked_mirror(mirror, tmp_path / "mirror", skip=gone.path)
    settings = get_settings(mirror=root, cache_dir=tmp_path / "cache", offline=True)
    report = check_all(settings)
    assert [st.source.name for st in report.missing] == ["indeed_ai_posting"]
    assert report.corrupt == []
    assert not report.ok
    assert report.exit_code == 1
    assert report.summary().startswith(
        f"{len(registry()) - 1} ok, 1 missing, 0 corrupt of {len(registry())} registered files"
    )


def test_a_corrupt_registered_file_fails_verification(mirror, tmp_path):
    bad = get_source("bls_oews_national_m2017")
    root = _linked_mirror(mirror, tmp_path / "mirror", skip=bad.path)
    (root / bad.path).write_bytes((mirror / bad.path).read_bytes()[:-1])
    report = check_all(get_settings(mirror=root, cache_dir=tmp_path / "cache", offline=True))
    assert [(st.source.name, st.location) for st in report.corrupt] == [
        ("bls_oews_national_m2017", root / bad.path)
    ]
    assert report.corrupt[0].found_sha256 == sha256_file(root / bad.path) != bad.sha256
    assert report.counts["missing"] == 0
    assert report.exit_code == 1


def test_verification_without_a_mirror_lists_no_extras(tmp_path):
    report = check_all(get_settings(cache_dir=tmp_path / "cache", offline=True))
    assert report.mirror is None
    assert report.unregistered == ()
    assert report.counts["missing"] == len(registry())
    assert report.exit_code == 1
    assert "unregistered" not in report.summary()


# -- Every file the code reads is registered ------------------------------------------------------

_READERS = {"fetch", "source", "source_path", "get_source"}


def _module_strings(tree: ast.Module) -> dict[str, list[str]]:
    """Module-level names bound to a string, or to a dict/tuple/list of strings."""
    out: dict[str, list[str]] = {}
    for node in tree.body:
        target = value = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if not isinstance(target, ast.Name) or value is None:
            continue
        if isinstance(value, ast.Dict):
            items = value.values
        elif isinstance(value, ast.Tuple | ast.List):
            items = value.elts
        else:
            items = [value]
        strings = [
            v.value for v in items if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
        if strings and len(strings) == len(items):
            out[target.id] = strings
    return out


def _parameter_defaults(tree: ast.Module) -> dict[str, list[ast.expr]]:
    out: dict[str, list[ast.expr]] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            args = fn.args.posonlyargs + fn.args.args
            defaulted = args[len(args) - len(fn.args.defaults) :]
            for arg, default in zip(defaulted, fn.args.defaults, strict=True):
                out.setdefault(arg.arg, []).append(default)
            for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
                if default is not None:
                    out.setdefault(arg.arg, []).append(default)
    return out


def _names_read(tree: ast.Module) -> list[tuple[int, str]]:
    """Source names this module passes to fetch()/ctx.source()/source_path()/get_source(), declares
    in a Capability(sources=...) or loads in a TableSpec(...), where they can be resolved
    statically (a literal, a module constant, a parameter's default, a module dict)."""
    consts = _module_strings(tree)
    defaults = _parameter_defaults(tree)

    def resolve(expr: ast.expr) -> list[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.Tuple | ast.List):
            return [s for e in expr.elts for s in resolve(e)]
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            return consts.get(expr.value.id, [])
        if isinstance(expr, ast.Name):
            if expr.id in consts:
                return consts[expr.id]
            return [s for d in defaults.get(expr.id, []) for s in resolve(d)]
        return []

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
        exprs: list[ast.expr] = []
        if called in _READERS and node.args:
            exprs.append(node.args[0])
        elif called == "TableSpec":
            exprs += node.args[1:2] + [k.value for k in node.keywords if k.arg == "source"]
        elif called == "Capability":
            exprs += [k.value for k in node.keywords if k.arg == "sources"]
        found += [(node.lineno, name) for e in exprs for name in resolve(e)]
    return found


def _python_files():
    for folder in ("src/laborlens", "bench", "tests"):
        yield from sorted((REPO / folder).rglob("*.py"))


def test_the_code_reads_only_registered_sources():
    names = set(registry())
    paths = {s.path for s in registry().values()}
    folders = {p.split("/", 1)[0] for p in paths}
    unknown, checked = [], 0
    for file in _python_files():
        tree = ast.parse(file.read_text("utf-8"), filename=str(file))
        where = file.relative_to(REPO)
        for line, name in _names_read(tree):
            checked += 1
            if name not in names:
                unknown.append(f"{where}:{line}: source {name!r} is not registered")
        # A mirror path written in the code must be a registered file: nothing bypasses the registry.
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if "/" in text and text.split("/", 1)[0] in folders and text not in paths:
                    unknown.append(f"{where}:{node.lineno}: mirror path {text!r} is not registered")
    assert unknown == []
    assert checked >= 5  # the scan does see the code's reads (fetch("gpts_occ_level"), ...)


def test_the_scan_catches_an_unregistered_read():
    code = (
        'RELEASE = "aei_task_pct_v9"\n'
        "def f(ctx, settings, which=RELEASE):\n"
        '    fetch("gpts_occ_level", settings)\n'
        "    return ctx.source(which)\n"
        'SPEC = TableSpec("t", "indeed_genai_posting", reader, "d")\n'
    )
    found = {name for _, name in _names_read(ast.parse(code))}
    assert found == {"gpts_occ_level", "aei_task_pct_v9", "indeed_genai_posting"}
    assert found - set(registry()) == {"aei_task_pct_v9", "indeed_genai_posting"}


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package does not exist (yet)
        return False


def test_declared_capability_sources_are_registered():
    present = tuple(m for m in DEFAULT_CAPABILITIES if _importable(m))
    for cap in capabilities(present):
        unknown = sorted(set(cap.sources) - set(registry()))
        assert unknown == [], f"capability {cap.name!r} declares unregistered sources {unknown}"


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
