"""Discovery with installs: the newest install of each source, or the one a template's requirement chose
(under its local name); install environments and hidden folders are not searched for loose plugins."""

from __future__ import annotations

import json
from pathlib import Path

from kiln.plugins import discovery

from tests.core.plugins.test_installed import make


def plugin(folder: Path, builder: str) -> Path:
    """Turn the install's executable into a real plugin that describes one builder."""
    exe = folder / "venv" / "bin" / "kiln-plugin-hello"
    description = {"version": "x", "protocol_version": 1, "builders": [builder], "provisioners": [],
                   "post_processors": [], "datasources": []}
    exe.write_text(f"#!/bin/sh\necho '{json.dumps(description)}'\n")
    return exe


def env_for(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), "KILN_PLUGIN_PATH": str(tmp_path / "p")}


def builders(catalog: discovery.Catalog) -> set[str]:
    return {name for kind, name in catalog.components if kind == "builder" and "-" in name
            and not name.startswith(("amazon", "docker"))}


def test_newest_install_or_the_required_one(tmp_path: Path) -> None:
    old = plugin(make(tmp_path / "p", version="0.1.0"), "old")
    plugin(make(tmp_path / "p", version="0.2.0"), "new")
    env = env_for(tmp_path)
    assert builders(discovery.discover(env)) == {"hello-new"}
    assert builders(discovery.discover(env, required={"hello": old})) == {"hello-old"}
    assert builders(discovery.discover(env, required={"hi": old})) == {"hi-old"}


def test_a_required_bundled_distribution_is_named_by_its_local_name(tmp_path: Path) -> None:
    catalog = discovery.discover(env_for(tmp_path), required={"aws": "amazon"})
    assert ("builder", "aws-ebs") in catalog.components and ("builder", "amazon-ebs") in catalog.components


def test_loose_plugins_outside_installs_and_hidden_folders(tmp_path: Path) -> None:
    plugin(make(tmp_path / "p", version="0.1.0"), "installed")
    hidden = make(tmp_path / "p", version="0.2.0")
    plugin(hidden, "half-written")
    hidden.rename(hidden.with_name(".0.2.0.tmp"))
    loose = tmp_path / "p" / "extra" / "kiln-plugin-loose"
    loose.parent.mkdir()
    loose.write_text('#!/bin/sh\necho \'{"version": "1", "protocol_version": 1, "builders": ["b"], '
                     '"provisioners": [], "post_processors": [], "datasources": []}\'\n')
    loose.chmod(0o755)
    catalog = discovery.discover(env_for(tmp_path))
    assert builders(catalog) == {"hello-installed"}  # a loose executable is described only when needed
    assert catalog.find("builder", "loose-b") is not None
    assert builders(catalog) == {"hello-installed", "loose-b"}
