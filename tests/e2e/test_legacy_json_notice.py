"""``kiln validate`` and ``kiln build`` of a legacy JSON template print a notice that points at ``kiln
hcl2_upgrade``, on stderr only: stdout (human or ``-machine-readable``) stays byte for byte what Packer
1.6.6 prints, which has no such notice (no released Packer enables it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kiln.cli.legacy import notice

from tests.e2e.cli import run_kiln, run_packer

NULL = {"type": "null", "communicator": "none"}
TEMPLATE = {"variables": {"greeting": "hi"}, "builders": [NULL],
            "provisioners": [{"type": "shell-local", "inline": ["echo {{user `greeting`}}"]}]}
EXPECTED = """Legacy JSON Configuration Will Be Used.
The template will be parsed in the legacy configuration style. This style
will continue to work but users are encouraged to move to the new style.
Convert it with: kiln hcl2_upgrade t.json
See: https://packer.io/guides/hcl

"""


def test_notice_text() -> None:
    assert notice("t.json") == EXPECTED
    assert "kiln hcl2_upgrade 'my templates/base.json'\n" in notice("my templates/base.json")


@pytest.mark.parametrize("args", [["validate"], ["validate", "-syntax-only"], ["-machine-readable", "validate"]])
def test_validate_notice_on_stderr_and_stdout_as_packer(tmp_path: Path, packer: str, args: list[str]) -> None:
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    ours, theirs = run_kiln([*args, "t.json"], tmp_path), run_packer([*args, "t.json"], tmp_path)
    assert (ours.code, ours.out) == (theirs.code, theirs.out)
    assert theirs.err == "" and ours.err == EXPECTED


def test_validate_of_a_broken_json_template_still_says_it(tmp_path: Path, packer: str) -> None:
    (tmp_path / "t.json").write_text('{"builders": [')
    ours, theirs = run_kiln(["validate", "t.json"], tmp_path), run_packer(["validate", "t.json"], tmp_path)
    assert (ours.code, ours.out) == (theirs.code, theirs.out) == (1, theirs.out)
    assert ours.err == EXPECTED


def test_build_notice_once_and_machine_readable_data_clean(tmp_path: Path, packer: str) -> None:
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    human = run_kiln(["build", "-color=false", "t.json"], tmp_path)
    assert human.code == 0 and human.err == EXPECTED
    assert "null: hi" in human.out and "Legacy JSON" not in human.out
    machine = run_kiln(["-machine-readable", "build", "t.json"], tmp_path)
    assert machine.code == 0 and machine.err == EXPECTED
    assert machine.out and all(line.split(",", 1)[0].isdigit() for line in machine.out.splitlines())
    assert "hcl2_upgrade" not in machine.out


def test_no_notice_for_hcl2_templates_nor_for_inspect(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text('source "null" "a" {\n  communicator = "none"\n}\n'
                                        'build {\n  sources = ["source.null.a"]\n}\n')
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    for args in (["validate", "t.pkr.hcl"], ["build", "t.pkr.hcl"], ["inspect", "t.json"]):
        r = run_kiln(args, tmp_path)
        assert r.code == 0 and r.err == "", args


def test_the_notice_follows_the_template_loaders_rule() -> None:
    """kiln.cli.legacy keeps its own copy of which paths are HCL2 (importing the template package there
    would load the front ends before the bundled plugin starts): it must agree with the loader's."""
    from kiln.cli import legacy
    from kiln.template import files

    assert set(legacy._HCL2_SUFFIXES) == {files.HCL_EXT, files.JSON_EXT}
