"""Reading the install layout: ``<dir>/<host>/<ns>/<name>/<version>/kiln-install.json`` + ``venv/``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kiln.plugins.constraints import parse_constraints
from kiln.plugins.installed import (
    InstallError,
    install_dir,
    list_installs,
    newest_install,
    plugin_dir,
    read_install,
)

HEX = "ab" * 32


def make(root: Path, source: str = "example.com/example/hello", version: str = "0.1.0",
         meta: dict[str, object] | None = None) -> Path:
    folder = install_dir(root, source, version)
    exe = folder / "venv" / "bin" / "kiln-plugin-hello"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    data: dict[str, object] = {"source": source, "version": version, "archive_sha256": HEX,
                               "hashes": [f"sha256:{HEX}"], "executable": "venv/bin/kiln-plugin-hello"}
    data.update(meta or {})
    (folder / "kiln-install.json").write_text(json.dumps(data))
    return folder


def test_read_and_list(tmp_path: Path) -> None:
    make(tmp_path, version="0.1.0")
    make(tmp_path, version="0.10.0")
    make(tmp_path, version="0.2.0")
    make(tmp_path, source="example.com/example/other")
    listing = list_installs([tmp_path])
    assert listing.problems == []
    assert [(i.source, i.version) for i in listing.installs] == [
        ("example.com/example/hello", "0.1.0"), ("example.com/example/hello", "0.2.0"),
        ("example.com/example/hello", "0.10.0"), ("example.com/example/other", "0.1.0")]
    hello = list_installs([tmp_path], "example.com/example/hello").installs
    assert newest_install(hello).version == "0.10.0"  # type: ignore[union-attr]
    assert newest_install(hello, parse_constraints("< 0.10")).version == "0.2.0"  # type: ignore[union-attr]
    assert newest_install(hello, parse_constraints(">= 1")) is None
    inst = hello[0]
    assert inst.executable == tmp_path / "example.com/example/hello/0.1.0/venv/bin/kiln-plugin-hello"
    assert inst.all_hashes() == {f"sha256:{HEX}"} and inst.name == "hello"


def test_hidden_folders_are_not_installs(tmp_path: Path) -> None:
    folder = make(tmp_path)
    folder.rename(folder.parent / ".0.1.0.removing")
    assert list_installs([tmp_path]).installs == []


@pytest.mark.parametrize(("meta", "message"), [
    ({"source": "nope"}, '"source": The "source" attribute must be in the format'),
    ({"source": "example.com/example/other"}, "describes example.com/example/other 0.1.0, but the folder is not"),
    ({"version": "x"}, '"version": Malformed version: x'),
    ({"version": 1}, '"version" must be a non-empty string'),
    ({"archive_sha256": "AB"}, '"archive_sha256" must be 64 lower-case hex digits'),
    ({"hashes": ["md5:00"]}, '"hashes" must be a list of "sha256:<64 hex digits>" strings'),
    ({"executable": "../../x/kiln-plugin-hello"}, '"executable" must be a path inside the install'),
    ({"executable": "/bin/kiln-plugin-sh"}, '"executable" must be a path inside the install'),
    ({"executable": "venv/bin/kiln-plugin-gone"}, "is missing or not executable"),
])
def test_bad_metadata(tmp_path: Path, meta: dict[str, object], message: str) -> None:
    folder = make(tmp_path, meta=meta)
    with pytest.raises(InstallError, match="kiln-install.json: ") as info:
        read_install(folder)
    assert message in str(info.value)
    listing = list_installs([tmp_path])
    assert listing.installs == [] and message in listing.problems[0]


def test_unreadable_metadata(tmp_path: Path) -> None:
    folder = make(tmp_path)
    (folder / "kiln-install.json").write_text("{")
    with pytest.raises(InstallError, match="unreadable"):
        read_install(folder)
    (folder / "kiln-install.json").unlink()
    with pytest.raises(InstallError, match="missing"):
        read_install(folder)


def test_plugin_dir(tmp_path: Path) -> None:
    assert plugin_dir({"KILN_PLUGIN_PATH": f"{tmp_path}/a:{tmp_path}/b", "PACKER_PLUGIN_PATH": "/x"}) == tmp_path / "a"
    assert plugin_dir({"PACKER_PLUGIN_PATH": f"{tmp_path}/p"}) == tmp_path / "p"
    assert plugin_dir({"HOME": str(tmp_path)}) == tmp_path / ".config/kiln/plugins"
    assert plugin_dir({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "kiln/plugins"
