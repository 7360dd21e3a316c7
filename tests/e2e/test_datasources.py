"""Data sources run in their plugin's process while the template loads; their output is a value."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import run_kiln
from tests.e2e.test_faults import flat, plugin_dir

TEMPLATE = """
data "misbehave-greet" "x" {
  name = "kiln"
  fail = %s
}
locals {
  greeting = upper(data.misbehave-greet.x.greeting)
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${local.greeting} ${data.misbehave-greet.x.length}"]
  }
}
"""


def test_data_source_output_feeds_locals_and_builds(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE % "false")
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path, env=plugin_dir(tmp_path))
    assert r.code == 0, r.out + r.err
    assert "    null.a: HELLO KILN 4" in r.out


def test_failing_data_source_is_an_error_at_its_block(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE % "true")
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path, env=plugin_dir(tmp_path))
    assert r.code == 1
    assert "Failed to execute data source misbehave-greet.x" in r.out and "on t.pkr.hcl line 2" in r.out
    assert "no greeting for kiln" in flat(r.out)


def test_unknown_data_source(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE.replace("misbehave-greet", "nope-greet") % "false")
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path)
    assert r.code == 1
    assert 'Unknown data source type "nope-greet"' in r.out
