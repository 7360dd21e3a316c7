"""Config schemas come from the plugin's cached description (keyed by content): a template is decoded
without starting the plugin's process, and an edit of the plugin is seen on the next run."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.e2e.cli import run_kiln

PLUGIN = '''#!{python}
import os, sys
from dataclasses import dataclass

from kiln_sdk import Builder, BuildInfo, setting, serve

if sys.argv[1:] == ["serve"]:
    with open({served!r}, "a") as f:
        f.write("served\\n")


@dataclass
class Config:
    path: str = setting(required=True)
    {extra}


class ThingBuilder(Builder[Config]):
    Config = Config

    def prepare(self, config: Config, info: BuildInfo) -> list[str]:
        return []

    def run(self, ctx):
        return None


serve({{"builder": {{"thing": ThingBuilder}}}}, version="1.0.0")
'''

TEMPLATE = 'source "edit-thing" "a" {\n  path = "x"\n  colour = "blue"\n}\nbuild {\n  sources = ["source.edit-thing.a"]\n}\n'


def write_plugin(tmp_path: Path, extra: str) -> Path:
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    exe = d / "kiln-plugin-edit"
    exe.write_text(PLUGIN.format(python=sys.executable, served=str(tmp_path / "served.txt"), extra=extra))
    exe.chmod(0o755)
    return exe


def served(tmp_path: Path) -> int:
    marker = tmp_path / "served.txt"
    return len(marker.read_text().splitlines()) if marker.exists() else 0


def test_a_block_that_does_not_decode_starts_no_plugin_process_and_an_edit_is_seen(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    env = {"KILN_PLUGIN_PATH": str(tmp_path / "plugins"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "KILN_PLUGIN_STANDBY": "0"}
    write_plugin(tmp_path, extra="")
    for _ in range(2):  # cold describe cache, then warm: the schema says "colour" is not expected
        r = run_kiln(["validate", "t.pkr.hcl"], tmp_path, env=env)
        assert r.code == 1, r.out + r.err
        assert 'An argument named "colour" is not expected here.' in r.out, r.out
        assert "t.pkr.hcl line 3" in r.out
    assert served(tmp_path) == 0  # decoded from the cached schema: the plugin never served

    write_plugin(tmp_path, extra='colour: str = setting(default="red")')  # the plugin learns "colour"
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path, env=env)
    assert r.code == 0, r.out + r.err
    assert served(tmp_path) == 1  # the block decoded, so the plugin's own Prepare ran in its process

    write_plugin(tmp_path, extra='color: str = setting(default="red")')  # renamed again: the cache follows
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path, env=env)
    assert r.code == 1 and 'An argument named "colour" is not expected here.' in r.out, r.out
    assert served(tmp_path) == 1


def test_a_description_without_schemas_falls_back_to_asking_the_process(tmp_path: Path) -> None:
    # a plugin built against an SDK whose describe lists names only: its process gives the schema
    exe = write_plugin(tmp_path, extra='colour: str = setting(default="red")')
    exe.write_text(exe.read_text().replace(
        'serve({"builder"',
        'import json\nif sys.argv[1:] == ["describe"]:\n'
        '    print(json.dumps({"version": "1.0.0", "protocol_version": 1, "builders": ["thing"],'
        ' "provisioners": [], "post_processors": [], "datasources": []}))\n    sys.exit(0)\n'
        'serve({"builder"'))
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE.replace('colour = "blue"', 'colour = "blue"\n  size = 3'))
    env = {"KILN_PLUGIN_PATH": str(tmp_path / "plugins"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path, env=env)
    assert r.code == 1, r.out + r.err
    assert 'An argument named "size" is not expected here.' in r.out and "colour" not in r.out, r.out
    assert served(tmp_path) == 1
