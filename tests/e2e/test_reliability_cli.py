"""CLI rough edges, crash reports and secret masking (issue 13, items 2, 3 and 7), on the real CLI."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.e2e.cli import run_kiln, run_packer

SECRET = "Hunter2-s3cr3t-VALUE"

SENSITIVE_TEMPLATE = """
variable "secret" {
  type      = string
  sensitive = true
}
locals { f = file(var.secret) }
source "null" "a" { communicator = "none" }
build { sources = ["source.null.a"] }
"""


@pytest.mark.parametrize("args", [["build", "-h"], ["validate", "-help"], ["console", "--help"],
                                  ["build", "t.json", "-h"], ["-h", "build"], ["version", "-h"]])
def test_help_prints_the_usage_and_exits_0_as_packer(tmp_path: Path, packer: str, args: list[str]) -> None:
    ours, theirs = run_kiln(args, tmp_path), run_packer(args, tmp_path)
    assert theirs.code == 0
    assert ours.code == 0, ours.out
    first = theirs.out.split("\n", 1)[0].replace("packer", "kiln").replace("Packer", "kiln")
    assert ours.out.split("\n", 1)[0] == first.replace(", and checks for new release.", ".")  # kiln checks no release
    assert "Traceback" not in ours.out + ours.err


def test_version_flags_as_packer(tmp_path: Path, packer: str) -> None:
    assert run_packer(["-v"], tmp_path).out.strip() == "1.6.6"  # the bare number
    assert run_kiln(["-v"], tmp_path).out.strip().count(".") == 2
    assert run_kiln(["version", "-v"], tmp_path).out == run_kiln(["version"], tmp_path).out
    assert run_packer(["version", "-v"], tmp_path).out == run_packer(["version"], tmp_path).out


@pytest.mark.parametrize("verb", ["build", "validate", "console"])
def test_a_var_without_equals_is_a_usage_error(tmp_path: Path, verb: str) -> None:
    r = run_kiln([verb, "-var=x", "t.pkr.hcl"], tmp_path)
    assert r.code == 1
    assert "Traceback" not in r.out + r.err
    assert r.out.strip().endswith('invalid value "x" for flag -var: Variable value should be in the form key=value')


def _console(tmp_path: Path, args: list[str], line: str, packer: bool = False) -> tuple[int, str]:
    import subprocess

    cmd = ["packer"] if packer else [sys.executable, "-m", "kiln"]
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "HOME": str(tmp_path / ".home")}
    p = subprocess.run([*cmd, "console", *args], input=line + "\n", capture_output=True, text=True, cwd=tmp_path,
                       env=env, timeout=60)
    return p.returncode, p.stdout.replace("packer", "kiln")


def test_console_vars_without_a_template_json_mode(tmp_path: Path, packer: str) -> None:
    (tmp_path / "v.json").write_text('{"x": "7", "y": "1"}')
    args = ["-var-file=v.json", "-var", "y=2"]
    line = "{{user `x`}} {{user `y`}}"
    assert _console(tmp_path, args, line) == _console(tmp_path, args, line, packer=True) == (0, "7 2\n")
    missing = ["-var-file=nope.json"]
    assert _console(tmp_path, missing, line) == _console(tmp_path, missing, line, packer=True)


@pytest.mark.parametrize("args", [["-var", "x=1"], ["-var-file=v.pkrvars.hcl"], ["-var-file=v.txt"]])
def test_console_vars_without_a_template_hcl2_mode(tmp_path: Path, packer: str, args: list[str]) -> None:
    (tmp_path / "v.pkrvars.hcl").write_text('x = "5"\n')
    args = ["-config-type=hcl2", *args]
    ours = _console(tmp_path, args, "var.x")
    assert ours == _console(tmp_path, args, "var.x", packer=True)
    assert ours[0] == 1 and "Traceback" not in ours[1]


def test_sensitive_value_is_masked_in_errors_and_the_log_file(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(SENSITIVE_TEMPLATE)
    log = tmp_path / "kiln.log"
    r = run_kiln(["validate", "-var", f"secret={SECRET}", "t.pkr.hcl"], tmp_path,
                 env={"KILN_LOG": "1", "KILN_LOG_PATH": str(log)})
    assert r.code == 1
    assert "no file exists at <sensitive>" in r.out
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    for text in (r.out, r.err, log.read_text()):
        assert SECRET not in text


def test_an_internal_error_is_one_line_and_a_private_masked_crash_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiln import secrets
    from kiln.cli import main as cli_main

    secrets.add(SECRET)

    def broken(argv: object) -> int:
        raise RuntimeError(f"a bug that mentions {SECRET}")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_main, "run", broken)
    monkeypatch.setattr(sys, "argv", ["kiln", "build", "x.pkr.hcl"])
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main()
    out, err = capsys.readouterr()
    assert exit_info.value.code == 1
    assert out.count("\n") == 1 and out.startswith("kiln crashed: internal error (RuntimeError: ")
    assert "kiln-crash.log" in out and err == ""
    crash = tmp_path / "kiln-crash.log"
    assert stat.S_IMODE(crash.stat().st_mode) == 0o600
    report = crash.read_text()
    assert "Traceback (most recent call last)" in report and "RuntimeError: a bug that mentions <sensitive>" in report
    assert SECRET not in out + report


def test_sockets_work_under_a_long_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from kiln_sdk._wire.callback_server import CallbackServer

    long_dir = tmp_path / ("d" * 90)
    long_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long_dir))
    with CallbackServer() as server:
        path = server.address.removeprefix("unix:")
        assert len(path) <= 107 and os.path.exists(path)
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert not os.path.exists(os.path.dirname(path))
