"""The SDK reference (docs/sdk-reference.md) is generated from the public API's docstrings by
tools/sdk_reference.py: it must be up to date, and every public class, function, method and property
must have a docstring of its own (a dataclass's generated one does not count)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
TOOL = ROOT / "tools" / "sdk_reference.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sdk_reference", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_sdk_reference_is_up_to_date() -> None:
    out = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr + "\n(run 'make docs' and commit docs/sdk-reference.md)"


def test_the_reference_covers_every_public_name() -> None:
    import kiln_sdk
    import kiln_sdk.testing

    text = (ROOT / "docs" / "sdk-reference.md").read_text()
    for module in (kiln_sdk, kiln_sdk.testing):
        for name in module.__all__:
            assert f"`{name}`" in text, name


def test_every_public_class_and_function_has_a_docstring() -> None:
    assert _tool().missing_docstrings() == []


def test_the_check_fails_on_a_stale_reference(tmp_path: Path) -> None:
    tool: Any = _tool()
    tool.OUT = tmp_path / "sdk-reference.md"
    tool.ROOT = tmp_path
    assert tool.main([]) == 0 and tool.main(["--check"]) == 0
    tool.OUT.write_text(tool.OUT.read_text().replace("### class `Builder`", "### class `Bulder`"))
    assert tool.main(["--check"]) == 1
