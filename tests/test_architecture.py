"""The shape of the package (issue 12): no import cycles, layers that only point down, a cheap
``import laborlens``, one declared list of settings, every capability registered the same way."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import laborlens
from laborlens.capability import DEFAULT_CAPABILITIES, capabilities, report_sections
from laborlens.config import SETTINGS

SRC = Path(__file__).resolve().parents[1] / "src"
REPO = SRC.parent


def _modules() -> dict[str, Path]:
    mods = {}
    for path in (SRC / "laborlens").rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    return mods


def _import_graph() -> dict[str, set[str]]:
    """Module -> laborlens modules it imports (anywhere in the file, lazy imports included)."""
    mods = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if not node.module.startswith("laborlens"):
                    continue
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    graph[name].add(sub if sub in mods else node.module)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in mods)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w == v:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_among_laborlens_modules():
    graph = _import_graph()
    # a package's __init__ re-exporting its own submodules is not a cycle of concerns
    pruned = {
        m: {t for t in targets if not (t.startswith(m + ".") and m in _modules())}
        for m, targets in graph.items()
    }
    assert _cycles(pruned) == []


@pytest.mark.parametrize("upper", ["laborlens.report", "laborlens.cli", "laborlens.service"])
def test_analysis_packages_never_import_the_layers_above(upper):
    offenders = [
        (m, t)
        for m, targets in _import_graph().items()
        if not m.startswith(upper) and not m.startswith(("laborlens.cli", "laborlens.service"))
        and m not in ("laborlens", "laborlens.__main__")
        for t in targets
        if t == upper or t.startswith(upper + ".")
    ]
    assert offenders == []


def test_import_laborlens_is_cheap():
    code = (
        "import sys, laborlens; "
        "heavy = [m for m in ('pandas', 'duckdb', 'torch', 'sklearn', 'plotly', 'scipy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_resolve_and_match_all():
    for name in laborlens.__all__:
        assert getattr(laborlens, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = laborlens.nope


def test_every_default_capability_is_declared_the_same_way():
    caps = capabilities()
    assert [importlib.import_module(m).CAPABILITY for m in DEFAULT_CAPABILITIES] == list(caps)
    for cap in caps:
        assert cap.tables, cap.name
        for table in cap.tables:
            assert table.description.strip(), (cap.name, table.name)
        for ref in (cap.build, cap.section):
            if ref is not None:
                module, _, attr = ref.partition(":")
                assert callable(getattr(importlib.import_module(module), attr)), ref
    assert [c.name for c in report_sections()][:1] == ["impact"]


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.env in readme, setting.env
        assert f"`{setting.name}`" in readme, setting.name
