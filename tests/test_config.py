"""Settings that stick: one declared list, argument > environment > config file > default, and
the mirror a database was built from (fast tier: no data mirror needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from laborlens.cli import app
from laborlens.config import (
    SETTINGS,
    config_path,
    get_settings,
    read_config,
    set_config_value,
    unset_config_value,
)
from laborlens.exceptions import ConfigError

runner = CliRunner()


def _mirror_like(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "MANIFEST.md").write_text("# a mirror\n", encoding="utf-8")
    return root


def test_config_file_is_isolated_per_test_session():
    # conftest points LABORLENS_CONFIG at an empty file of the test session, never ~/.config
    assert "pytest" in str(config_path()) or "config" in config_path().parent.name
    assert read_config() == {}


def test_precedence_argument_environment_config_default(tmp_path, monkeypatch):
    a, b, c = (_mirror_like(tmp_path / n) for n in ("arg", "env", "cfg"))
    assert get_settings().mirror is None  # default: no mirror
    set_config_value("mirror", str(c))
    assert get_settings().mirror == c.resolve()
    monkeypatch.setenv("LABORLENS_MIRROR", str(b))
    assert get_settings().mirror == b
    assert get_settings(mirror=a).mirror == a
    set_config_value("offline", "yes")
    assert get_settings().offline is True
    monkeypatch.setenv("LABORLENS_OFFLINE", "0")
    assert get_settings().offline is False
    assert get_settings(offline=True).offline is True


def test_config_set_stores_absolute_paths_and_unset_removes(tmp_path, monkeypatch):
    mirror = _mirror_like(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    path, stored = set_config_value("mirror", "data")
    assert stored == str(mirror.resolve())
    assert read_config(path) == {"mirror": str(mirror.resolve())}
    set_config_value("db", "my.duckdb")
    assert get_settings().db_path == (tmp_path / "my.duckdb").resolve()
    unset_config_value("mirror")
    assert "mirror" not in read_config()
    assert read_config()["db"] == str((tmp_path / "my.duckdb").resolve())


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("mirrors", "/tmp", "unknown setting 'mirrors'"),
        ("api_key", "secret", "unknown setting 'api_key'"),  # never stored in a file
        ("offline", "maybe", "offline must be true or false"),
        ("mirror", "/no/such/folder", "is not a folder"),
    ],
)
def test_bad_config_values_are_refused_and_nothing_is_written(name, value, problem):
    with pytest.raises(ConfigError, match=problem):
        set_config_value(name, value)
    assert not config_path().exists()


def test_a_broken_config_file_names_itself():
    config_path().write_text("mirror = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml: not a valid laborlens config file"):
        get_settings()
    config_path().write_text('mirorr = "/tmp"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'mirorr'"):
        get_settings()


def test_mirror_falls_back_to_the_one_the_database_was_built_from(tmp_path):
    mirror = _mirror_like(tmp_path / "data")
    db = tmp_path / "ll.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE build_info (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO build_info VALUES ('mirror', ?)", [str(mirror)])
    assert get_settings(db=db).mirror == mirror
    # an explicit setting still wins; a database without the record gives no mirror
    other = _mirror_like(tmp_path / "other")
    assert get_settings(db=db, mirror=other).mirror == other
    assert get_settings(db=tmp_path / "none.duckdb").mirror is None


def test_cli_config_set_show_unset(tmp_path):
    mirror = _mirror_like(tmp_path / "data")
    result = runner.invoke(app, ["config", "set", "mirror", str(mirror)])
    assert result.exit_code == 0, result.output
    assert f"mirror = {mirror.resolve()}" in result.output
    shown = runner.invoke(app, ["config", "show"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "config file" in shown.output
    assert str(mirror.resolve()) in shown.output
    bad = runner.invoke(app, ["config", "set", "nope", "1"])
    assert bad.exit_code == 1
    assert bad.output.strip().count("\n") == 0  # one line
    assert "unknown setting 'nope'" in bad.output
    assert runner.invoke(app, ["config", "unset", "mirror"]).exit_code == 0
    assert read_config() == {}


def test_every_declared_setting_has_an_environment_variable_and_help():
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    for s in SETTINGS:
        assert s.env.startswith("LABORLENS_")
        assert len(s.help) > 20


def test_cli_help_is_fast_to_import_and_every_command_has_an_example():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    from laborlens.cli import COMMANDS, GROUPS

    commands = [fn for _, fn in COMMANDS]
    for _, group in GROUPS:
        commands += [c.callback for c in group.registered_commands]
    for fn in commands:
        doc = fn.__doc__ or ""
        assert "Example" in doc, fn.__name__
