"""The import contract (tools/import_contract.py, run by ``make lint`` and so by ``make test``) is kept by
the tree, and each rule breaks ``make import-contract`` when a scratch copy of the tree breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent


def _copy(dst: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache")
    for part in ("core", "sdk", "plugins", "tools"):
        shutil.copytree(ROOT / part, dst / part, ignore=ignore)
    shutil.copy(ROOT / "Makefile", dst / "Makefile")


def _contract(tree: Path) -> subprocess.CompletedProcess[str]:
    # VENV= points make at this venv; import-contract does not depend on install, so nothing is installed
    return subprocess.run(["make", "-s", "-C", str(tree), "import-contract", f"VENV={VENV}"],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    _copy(tree)
    return tree


@pytest.fixture
def scratch(pristine: Path, tmp_path: Path) -> Iterator[Path]:
    tree = tmp_path / "tree"
    shutil.copytree(pristine, tree, symlinks=True)
    yield tree


def test_the_tree_keeps_the_contract() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "import_contract.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_a_scratch_copy_is_checked_as_it_is(scratch: Path) -> None:
    result = _contract(scratch)
    assert result.returncode == 0, result.stdout + result.stderr


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + "\n" + line + "\n")


@pytest.mark.parametrize(
    ("file", "line", "contract"),
    [
        ("core/kiln/cli/main.py", "import kiln_plugins.main  # noqa", "the core never imports a plugin"),
        ("plugins/kiln_plugins/main.py", "from kiln.cli import main as _m  # noqa", "a plugin never imports the core"),
        ("sdk/kiln_sdk/artifact.py", "import kiln.cli  # noqa", "the SDK imports neither the core nor a plugin"),
        ("sdk/kiln_sdk/ui.py", "import kiln_plugins  # noqa", "the SDK imports neither the core nor a plugin"),
        ("plugins/kiln_plugins/local_process.py", "from kiln_sdk.config import setting as _s  # noqa",
         "a plugin imports only the top-level kiln_sdk"),
        ("plugins/kiln_plugins/local_process.py", "import kiln_sdk.communicator.tarstream  # noqa",
         "a plugin imports only the top-level kiln_sdk"),
    ],
)
def test_a_bad_import_fails_make(scratch: Path, file: str, line: str, contract: str) -> None:
    _append(scratch / file, line)
    result = _contract(scratch)
    assert result.returncode != 0, result.stdout
    assert f"{contract} BROKEN" in result.stdout


def test_a_new_plugin_distribution_is_covered(scratch: Path) -> None:
    pkg = scratch / "plugins" / "hello" / "kiln_plugin_hello"
    pkg.mkdir(parents=True)
    (scratch / "plugins" / "hello" / "pyproject.toml").write_text("[project]\nname = 'kiln-plugin-hello'\n")
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text("from kiln_sdk import serve\n")
    assert _contract(scratch).returncode == 0
    (pkg / "bad.py").write_text("from kiln.engine import build  # noqa\n")
    result = _contract(scratch)
    assert result.returncode != 0
    assert "kiln_plugin_hello is not allowed to import kiln" in result.stdout


def test_make_test_runs_lint_and_lint_runs_the_contract() -> None:
    dry = subprocess.run(["make", "-n", "-C", str(ROOT), "test", "lint"], capture_output=True, text=True,
                         timeout=60).stdout
    assert "ruff check" in dry and "mypy" in dry and "import-contract" in dry
    makefile = (ROOT / "Makefile").read_text()
    assert any(line.startswith("test:") and " lint" in line for line in makefile.splitlines())
