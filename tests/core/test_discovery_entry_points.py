"""Plugin distributions (entry point group ``kiln.plugins``) are listed once per change of the installed
distributions: a run that changed nothing neither imports ``importlib.metadata`` nor reads every
distribution's metadata, and installing or removing one is seen on the next run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys
from kiln.plugins import discovery
catalog = discovery.discover()
print(json.dumps({"metadata": "importlib.metadata" in sys.modules,
                  "plugins": sorted({s.executable.label for s in catalog.components.values()} | set(catalog.broken))}))
"""


def discover_in_subprocess(tmp_path: Path, site: Path) -> dict[str, object]:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "KILN_PLUGIN_PATH": str(tmp_path / "none"),
           "PYTHONPATH": os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120,
                         check=True, stdin=subprocess.DEVNULL)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def install_distribution(site: Path) -> Path:
    """A distribution declaring a ``kiln.plugins`` entry point, as pip would lay it out."""
    pkg = site / "kiln_plugin_extra"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text(
        "from dataclasses import dataclass\n"
        "from kiln_sdk import Builder, serve\n\n\n"
        "@dataclass\nclass Config:\n    pass\n\n\n"
        "class Thing(Builder[Config]):\n    Config = Config\n\n\n"
        "def main() -> None:\n    serve({'builder': {'thing': Thing}}, version='1.0.0')\n")
    meta = site / "kiln_plugin_extra-1.0.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: kiln-plugin-extra\nVersion: 1.0.0\n")
    (meta / "entry_points.txt").write_text("[kiln.plugins]\nextra = kiln_plugin_extra.main:main\n")
    return meta


def test_entry_points_are_cached_until_a_distribution_is_installed_or_removed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    first = discover_in_subprocess(tmp_path, site)
    assert first["metadata"] is True and "kiln-plugin-extra" not in first["plugins"]  # type: ignore[operator]
    again = discover_in_subprocess(tmp_path, site)
    assert again == {**first, "metadata": False}  # nothing changed: the cached list, no metadata read

    meta = install_distribution(site)
    installed = discover_in_subprocess(tmp_path, site)
    assert installed["metadata"] is True and "kiln-plugin-extra" in installed["plugins"]  # type: ignore[operator]
    assert discover_in_subprocess(tmp_path, site)["metadata"] is False

    (meta / "entry_points.txt").write_text("[kiln.plugins]\n")  # an upgrade that drops the entry point
    dropped = discover_in_subprocess(tmp_path, site)
    assert dropped["metadata"] is True and "kiln-plugin-extra" not in dropped["plugins"]  # type: ignore[operator]
