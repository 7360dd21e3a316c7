"""Safe discovery (issue 13, item 5), through the real CLI: only the plugins a template needs are run;
world-writable or foreign-owned plugin files and folders are refused with the reason and the fix, and
a symlink's target is checked as the file itself."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.cli import run_kiln

FAKE = Path(__file__).parent.parent / "sdk" / "fakes" / "fake_plugin.py"
TEMPLATE = 'source "misbehave-fake" "a" {\n  path = "made.txt"\n}\nbuild {\n  sources = ["source.misbehave-fake.a"]\n}\n'
NULL_TEMPLATE = 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n'


def _plugin(folder: Path, name: str = "misbehave", body: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / f"kiln-plugin-{name}"
    exe.write_text(body or f"#!/bin/sh\nexec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    return exe


def _tripwire(folder: Path, name: str, mark: Path) -> Path:
    """A plugin that records every time it is run (and is no plugin at all)."""
    return _plugin(folder, name, f"#!/bin/sh\necho \"$@\" >> {mark}\nexit 1\n")


def _run(tmp_path: Path, plugins: Path, verb: str = "build", template: str = TEMPLATE) -> tuple[int, str]:
    (tmp_path / "t.pkr.hcl").write_text(template)
    color = ["-color=false"] if verb == "build" else []
    r = run_kiln([verb, *color, "t.pkr.hcl"], tmp_path, env={"KILN_PLUGIN_PATH": str(plugins)})
    return r.code, " ".join((r.out + r.err).split())


def test_only_the_plugins_a_template_needs_are_run(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    _plugin(plugins)
    mark = tmp_path / "ran.txt"
    _tripwire(plugins, "unused", mark)
    _tripwire(plugins / "sub", "other", mark)
    code, out = _run(tmp_path, plugins)
    assert code == 0, out
    assert (tmp_path / "made.txt").exists()
    code, out = _run(tmp_path, plugins, "validate", NULL_TEMPLATE)
    assert code == 0, out
    assert not mark.exists(), mark.read_text()  # neither describe nor serve: never executed
    # a template that names the plugin's component does run it (and gets its error)
    code, out = _run(tmp_path, plugins, "validate", TEMPLATE.replace("misbehave-fake", "unused-thing"))
    assert code == 1 and mark.read_text().split() == ["describe"]
    assert "plugin kiln-plugin-unused failed to describe itself (exit 1)" in out


@pytest.mark.parametrize("what", ["file", "folder", "subfolder"])
def test_a_world_writable_plugin_is_refused(tmp_path: Path, what: str) -> None:
    plugins = tmp_path / "plugins"
    where = plugins / "sub" if what == "subfolder" else plugins
    exe = _plugin(where)
    target = {"file": exe, "folder": plugins, "subfolder": where}[what]
    target.chmod(0o777 if what != "file" else 0o757)
    code, out = _run(tmp_path, plugins)
    assert code == 1
    assert f"refusing to run the plugin {exe}: the plugin {'file' if what == 'file' else 'folder'} {target} is " \
           f"writable by every user (mode {'0757' if what == 'file' else '0777'}); make it writable by its " \
           f"owner only: chmod o-w {target}" in out
    assert "on t.pkr.hcl line 1" in out and not (tmp_path / "made.txt").exists()


def test_a_plugin_owned_by_another_user_is_refused_root_is_not(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("making a file owned by another user needs root")
    plugins = tmp_path / "plugins"
    exe = _plugin(plugins)
    os.chown(exe, 65534, 65534)  # nobody
    code, out = _run(tmp_path, plugins)
    assert code == 1
    assert f"the plugin file {exe} is owned by another user (" in out and "uid 65534), not by you or root" in out
    os.chown(exe, 0, 0)
    code, out = _run(tmp_path, plugins)
    assert code == 0, out


def test_a_symlinks_target_is_checked(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    real = _plugin(tmp_path / "elsewhere")
    (plugins / "kiln-plugin-misbehave").symlink_to(real)
    code, out = _run(tmp_path, plugins)
    assert code == 0, out  # a safe target runs
    (tmp_path / "made.txt").unlink()
    (tmp_path / "elsewhere").chmod(0o777)
    code, out = _run(tmp_path, plugins)
    assert code == 1
    assert (f"refusing to run the plugin {plugins / 'kiln-plugin-misbehave'}: the folder of the symlink's target "
            f"{tmp_path / 'elsewhere'} is writable by every user") in out
    (tmp_path / "elsewhere").chmod(0o755)
    real.chmod(0o777)
    code, out = _run(tmp_path, plugins)
    assert code == 1 and f"the symlink's target {real} is writable by every user (mode 0777)" in out
