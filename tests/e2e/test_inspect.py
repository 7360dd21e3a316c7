"""The real ``kiln inspect`` CLI next to Packer 1.6.6's ``packer inspect``: output, exit codes, both ways of
asking for machine-readable output, usage, and no plugin process started."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.e2e.cli import run_kiln, run_packer

JSON_TEMPLATE = {
    "description": "e2e",
    "variables": {"region": "eu-west-1", "ami": None, "pw": "s3cr3t"},
    "sensitive-variables": ["pw"],
    "builders": [{"type": "null", "communicator": "none", "name": "alpha"}, {"type": "null", "communicator": "none"}],
    "provisioners": [{"type": "shell-local", "inline": ["echo"], "only": ["alpha"]}],
    "post-processors": [["checksum", "manifest"]],
}
HCL_TEMPLATE = '''
variable "region" {
  default = "eu-west-1"
}
source "null" "a" {
  communicator = "none"
}
build {
  name    = "b"
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${var.region}"]
  }
  post-processor "manifest" {}
}
'''


def _stamps_dropped(text: str) -> list[str]:
    return [line.split(",", 1)[1] for line in text.splitlines()]


def test_json_template_like_packer(tmp_path: Path, packer: str) -> None:
    (tmp_path / "t.json").write_text(json.dumps(JSON_TEMPLATE, indent=2))
    ours, theirs = run_kiln(["inspect", "t.json"], tmp_path), run_packer(["inspect", "t.json"], tmp_path)
    assert (ours.code, ours.out) == (theirs.code, theirs.out) == (0, theirs.out)
    assert "  alpha (null)\n  null \n" in ours.out and "s3cr3t" not in ours.out  # names padded, as Go pads
    for args in (["-machine-readable", "inspect", "t.json"], ["inspect", "-machine-readable", "t.json"]):
        ours, theirs = run_kiln(args, tmp_path), run_packer(args, tmp_path)
        assert ours.code == theirs.code == 0
        assert _stamps_dropped(ours.out) == _stamps_dropped(theirs.out)
        assert ",template-builder,alpha,null" in ours.out


def test_hcl2_template_like_packer(tmp_path: Path, packer: str) -> None:
    (tmp_path / "t.pkr.hcl").write_text(HCL_TEMPLATE)
    ours, theirs = run_kiln(["inspect", "t.pkr.hcl"], tmp_path), run_packer(["inspect", "t.pkr.hcl"], tmp_path)
    assert (ours.code, ours.out, ours.err) == (theirs.code, theirs.out, "")
    assert "\n  > b:\n" in ours.out and "      manifest\n" in ours.out


def test_syntax_errors_like_packer(tmp_path: Path, packer: str) -> None:
    (tmp_path / "bad.json").write_text('{"builders": [{"type": "null",}]}')
    (tmp_path / "bad.pkr.hcl").write_text('source "null" "a" {\n  communicator = \n}\n')
    for name in ("bad.json", "bad.pkr.hcl"):
        ours, theirs = run_kiln(["inspect", name], tmp_path), run_packer(["inspect", name], tmp_path)
        assert (ours.code, ours.out) == (theirs.code, theirs.out)
        assert ours.code == 1 and "line" in ours.out and "Traceback" not in ours.out + ours.err


def test_usage_and_flag_errors(tmp_path: Path, packer: str) -> None:
    help_ = run_kiln(["inspect", "-h"], tmp_path)
    assert help_.code == 0
    assert help_.out == run_packer(["inspect", "-h"], tmp_path).out.replace("packer inspect", "kiln inspect")
    bogus = run_kiln(["inspect", "-bogus", "t.json"], tmp_path)
    assert bogus.code == run_packer(["inspect", "-bogus", "t.json"], tmp_path).code == 1
    assert bogus.out.startswith("Usage: kiln inspect TEMPLATE") and bogus.out.endswith("-bogus\n")
    # Packer inspects a built-in one-builder template when given no template (or two); kiln says how to call it
    for args in ([], ["a.json", "b.json"]):
        r = run_kiln(["inspect", *args], tmp_path)
        assert (r.code, r.out) == (1, help_.out)


def test_inspect_starts_no_plugin_process(tmp_path: Path) -> None:
    """A plugin executable on the plugin path records every start; validate (the control) starts it to
    describe it, inspect never does."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    marker = tmp_path / "started"
    spy = plugins / "kiln-plugin-spy"
    spy.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit 1\n")
    spy.chmod(spy.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "t.pkr.hcl").write_text(HCL_TEMPLATE)
    (tmp_path / "t.json").write_text(json.dumps(JSON_TEMPLATE))
    env = {"KILN_PLUGIN_PATH": str(plugins), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name in ("t.pkr.hcl", "t.json"):
        assert run_kiln(["inspect", name], tmp_path, env=env).code == 0
        assert not marker.exists()
    # the control: validate describes only the plugins a template needs (docs/reliability.md), so it is
    # given a template that needs the spy
    (tmp_path / "spy").mkdir()
    (tmp_path / "spy" / "t.pkr.hcl").write_text('source "spy" "x" {}\nbuild {\n  sources = ["source.spy.x"]\n}\n')
    run_kiln(["validate", "spy/t.pkr.hcl"], tmp_path, env=env)
    assert marker.exists()
