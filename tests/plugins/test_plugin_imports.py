"""Every plugin package under plugins/ imports the SDK through its top level only (``from kiln_sdk
import X`` with X in ``kiln_sdk.__all__``), and never the core: the SDK's submodules are its own layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kiln_sdk
import pytest

ROOT = Path(__file__).resolve().parents[2]


def plugin_packages(root: Path = ROOT) -> list[Path]:
    """Every top-level package under plugins/: plugins/kiln_plugins and plugins/NAME/kiln_plugin_NAME."""
    plugins = root / "plugins"
    found = [p.parent for p in plugins.glob("*/__init__.py")]
    found += [p.parent for p in plugins.glob("*/kiln_plugin_*/__init__.py")]
    return sorted(found)


def violations(package: Path) -> list[str]:
    """The imports in ``package`` that break the rule, as ``file:line: what``."""
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno}" \
                if isinstance(node, (ast.Import, ast.ImportFrom)) else ""
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("kiln_sdk."):
                        problems.append(f"{where}: import {alias.name} (use: from kiln_sdk import ...)")
                    elif alias.name == "kiln" or alias.name.startswith("kiln."):
                        problems.append(f"{where}: import {alias.name} (a plugin never imports the core)")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.startswith("kiln_sdk."):
                    problems.append(f"{where}: from {node.module} import ... (use: from kiln_sdk import ...)")
                elif node.module == "kiln_sdk":
                    for alias in node.names:
                        if alias.name not in kiln_sdk.__all__:
                            problems.append(f"{where}: from kiln_sdk import {alias.name} (not a public name)")
                elif node.module == "kiln" or node.module.startswith("kiln."):
                    problems.append(f"{where}: from {node.module} import ... (a plugin never imports the core)")
    return problems


def test_there_are_plugin_packages() -> None:
    assert ROOT / "plugins" / "kiln_plugins" in plugin_packages()


@pytest.mark.parametrize("package", plugin_packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugin_imports_only_the_top_level_sdk(package: Path) -> None:
    assert violations(package) == []


def test_the_check_catches_each_kind_of_bad_import(tmp_path: Path) -> None:
    pkg = tmp_path / "plugins" / "kiln_plugins"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text(
        "import kiln_sdk.config\n"
        "from kiln_sdk.components import Builder\n"
        "from kiln_sdk import components\n"
        "from kiln import engine\n"
        "def f():\n"
        "    import kiln.cli\n"
        "from kiln_sdk import Builder, setting\n"
        "from . import sibling\n"
    )
    assert plugin_packages(tmp_path) == [pkg]
    found = violations(pkg)
    assert [v.split(": ", 1)[0].rsplit(":", 1)[1] for v in found] == ["1", "2", "3", "4", "6"]
