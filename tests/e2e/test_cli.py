"""The CLI's own behaviour next to Packer 1.6.6: flags, usage, exit codes, masking, load errors."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import run_kiln, run_packer

SENSITIVE = """
variable "pw" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo pw=${var.pw}", "echo again $PW", "echo done"]
    environment_vars = ["PW=${var.pw}"]
  }
}
"""


def test_sensitive_values_are_masked(tmp_path: Path, packer: str) -> None:
    (tmp_path / "t.pkr.hcl").write_text(SENSITIVE)
    ours = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path)
    theirs = run_packer(["build", "-color=false", "t.pkr.hcl"], tmp_path)
    assert ours.code == theirs.code == 0
    assert "hunter2" not in ours.out + ours.err
    assert "    null.a: pw=<sensitive>" in ours.out and "    null.a: again <sensitive>" in ours.out
    machine = run_kiln(["build", "-machine-readable", "t.pkr.hcl"], tmp_path)
    assert "hunter2" not in machine.out + machine.err


def test_legacy_json_syntax_error_is_packers(tmp_path: Path, packer: str) -> None:
    (tmp_path / "bad.json").write_text('{"builders":[{"type":"null","communicator":"none",}]}')
    ours = run_kiln(["validate", "bad.json"], tmp_path)
    theirs = run_packer(["validate", "bad.json"], tmp_path)
    assert (ours.code, ours.out) == (theirs.code, theirs.out)
    assert "At line 1, column 51" in ours.out


def test_unknown_flag_prints_usage_and_fails(tmp_path: Path, packer: str) -> None:
    ours = run_kiln(["build", "-bogus", "t.pkr.hcl"], tmp_path)
    theirs = run_packer(["build", "-bogus", "t.pkr.hcl"], tmp_path)
    assert ours.code == theirs.code == 1
    assert ours.out.startswith("Usage: kiln build [options] TEMPLATE")
    assert ours.out.strip().endswith("flag provided but not defined: -bogus")
    # Packer writes the flag error through a second, unsynchronised writer: under load it was seen
    # missing from Packer's output (and elsewhere before the usage). kiln prints it once, last.
    error = "flag provided but not defined: -bogus\n"
    assert ours.out.count(error) == 1 and theirs.out.count(error) <= 1
    assert ours.out.replace("kiln", "packer").replace(error, "") == theirs.out.replace(error, "")


def test_no_verb_exits_127(tmp_path: Path) -> None:
    r = run_kiln([], tmp_path)
    assert r.code == 127 and "Available commands are:" in r.out + r.err


def test_version(tmp_path: Path) -> None:
    r = run_kiln(["version"], tmp_path)
    assert r.code == 0 and r.out.startswith("kiln v") and "Packer v1.6.6 compatible" in r.out


ISOTIME = r"""
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo year={{isotime \"2006\"}} also={{strftime \"%Y\"}} name={{build_name}}"]
  }
}
"""


def test_go_template_time_functions_inside_plugin_settings(tmp_path: Path, packer: str) -> None:
    import datetime

    (tmp_path / "t.pkr.hcl").write_text(ISOTIME)
    ours = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path)
    theirs = run_packer(["build", "-color=false", "t.pkr.hcl"], tmp_path)
    assert ours.code == theirs.code == 0, ours.out
    year = datetime.datetime.now(datetime.UTC).year
    line = f"    null.a: year={year} also={year} name=a"
    assert line in ours.out.splitlines() and line in theirs.out.splitlines()
