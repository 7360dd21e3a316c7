"""Bad templates and misbehaving plugins through the real CLI: one clear error each, cleanups run,
other builds go on, no process left behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.cli import KILN, run_kiln

FAKE = Path(__file__).parent.parent / "sdk" / "fakes" / "fake_plugin.py"


def flat(text: str) -> str:
    """Diagnostics wrap their detail text as Packer does: compare with single spaces."""
    return " ".join(text.split())


def plugin_dir(tmp_path: Path, scenario: str = "good") -> dict[str, str]:
    """A KILN_PLUGIN_PATH holding kiln-plugin-misbehave (its builder is "misbehave-fake")."""
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    exe = d / "kiln-plugin-misbehave"
    exe.write_text(f"#!/bin/sh\nFAKE_PLUGIN_SCENARIO={scenario} exec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    return {"KILN_PLUGIN_PATH": str(d), "KILN_PLUGIN_START_TIMEOUT": "3"}


def template(tmp_path: Path, text: str) -> Path:
    (tmp_path / "t.pkr.hcl").write_text(text)
    return tmp_path


def test_unknown_builder_names_file_line_and_starts_nothing(tmp_path: Path) -> None:
    template(tmp_path, 'source "nul" "a" {\n}\nbuild {\n  sources = ["source.nul.a"]\n}\n')
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path, env={"KILN_LOG": "1"})
    assert r.code == 1
    assert "Error: Unknown source type nul" in r.out  # Packer writes errors to stdout
    assert "on t.pkr.hcl line 1" in r.out and "known builders: [amazon-ebs docker file null]" in flat(r.out)
    assert "started builder" not in r.err  # the log: nothing started


def test_misspelt_argument_points_at_it(tmp_path: Path) -> None:
    template(tmp_path, 'source "null" "a" {\n  communicator = "none"\n  comunicator = "x"\n}\n'
                       'build {\n  sources = ["source.null.a"]\n}\n')
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path)
    assert r.code == 1
    assert "Error: Unsupported argument" in r.out and "on t.pkr.hcl line 3" in r.out
    assert 'comunicator = "x"' in r.out


def test_wrong_type(tmp_path: Path) -> None:
    template(tmp_path, 'source "file" "a" {\n  target = "t"\n  content = ["not", "a", "string"]\n}\n'
                       'build {\n  sources = ["source.file.a"]\n}\n')
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path)
    assert r.code == 1
    assert "Error: Incorrect attribute value type" in r.out and "on t.pkr.hcl line 3" in r.out


def test_missing_required_setting_from_the_plugin(tmp_path: Path) -> None:
    template(tmp_path, 'source "file" "a" {\n  content = "x"\n}\nbuild {\n  sources = ["source.file.a"]\n}\n')
    r = run_kiln(["validate", "t.pkr.hcl"], tmp_path)
    assert r.code == 1
    assert "target" in r.out and "on t.pkr.hcl line 1" in r.out


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("no-handshake", "printed no handshake within 3s"),
        ("garbage", "unrecognised handshake line 'hello, I am not a plugin'"),
        ("old-protocol", "plugin protocol v99"),
        ("exit-early", "fatal: cannot read my configuration"),
    ],
)
def test_bad_plugin_handshakes(tmp_path: Path, scenario: str, message: str) -> None:
    template(tmp_path, 'source "misbehave-fake" "a" {\n  path = "x"\n}\nbuild {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path, env=plugin_dir(tmp_path, scenario))
    assert r.code == 1
    assert "Failed to start the builder 'misbehave-fake'" in r.out and message in flat(r.out)
    assert "on t.pkr.hcl line 1" in r.out


def test_crash_mid_run_fails_exactly_the_builds_using_that_plugin(tmp_path: Path) -> None:
    # one process serves every instance of kiln-plugin-misbehave: its crash fails both builds that use it
    # (each with a message naming the plugin); the build on the bundled plugin goes on
    template(tmp_path, """
source "misbehave-fake" "crashy" {
  path  = "crashy.txt"
  crash = true
}
source "misbehave-fake" "sibling" {
  path  = "sibling.txt"
  sleep = 20
}
source "null" "fine" {
  communicator = "none"
}
build {
  sources = ["source.misbehave-fake.crashy", "source.misbehave-fake.sibling", "source.null.fine"]
  provisioner "shell-local" {
    only   = ["null.fine"]
    inline = ["echo fine > fine.txt"]
  }
}
""")
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path, env=plugin_dir(tmp_path))
    assert r.code == 1
    for build in ("crashy", "sibling"):
        assert re.search(rf"Build 'misbehave-fake.{build}' errored after .*The plugin kiln-plugin-misbehave "
                         r"\(serving the builder 'misbehave-fake'\) exited with status 7 unexpectedly", r.out), r.out
    assert "Build 'null.fine' finished" in r.out
    assert (tmp_path / "fine.txt").read_text() == "fine\n"
    assert not (tmp_path / "sibling.txt").exists()


def _wait_for(path: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}: {path.read_text() if path.exists() else ''}")


def _plugin_pids(log: Path) -> list[int]:
    return [int(p) for p in re.findall(r"as pid (\d+)", log.read_text())]


@pytest.mark.parametrize("ignore_cancel", [False, True])
def test_interrupt_cancels_runs_cleanup_and_leaves_no_process(tmp_path: Path, ignore_cancel: bool) -> None:
    template(tmp_path, f"""
source "misbehave-fake" "slow" {{
  path          = "slow.txt"
  sleep         = 60
  ignore_cancel = {str(ignore_cancel).lower()}
}}
build {{
  sources = ["source.misbehave-fake.slow"]
}}
""")
    log = tmp_path / "kiln.log"
    env = {**os.environ, "HOME": str(tmp_path), "KILN_LOG": "1", "KILN_LOG_PATH": str(log),
           "KILN_CANCEL_GRACE": "1", **plugin_dir(tmp_path)}
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*KILN, "build", "-color=false", "t.pkr.hcl"], cwd=tmp_path, env=env,
                                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_for(out, "building slow in pid")
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    text = out.read_text()
    assert code == 1
    assert "Cancelling build after receiving interrupt" in text
    if ignore_cancel:  # killed: not "cleanly"
        assert ("The plugin kiln-plugin-misbehave did not stop the builder 'misbehave-fake' within 1s of being "
                "cancelled.") in text
        assert "Cancelled builds after being interrupted; the plugin of misbehave-fake.slow did not stop" in text
    else:
        assert "cleaning up after cancel" in text
        assert "Cleanly cancelled builds after being interrupted." in text
    assert not (tmp_path / "slow.txt").exists()
    for pid in _plugin_pids(log):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_hung_prepare_times_out_with_the_plugins_name_and_the_process_is_gone(tmp_path: Path) -> None:
    template(tmp_path, 'source "misbehave-fake" "a" {\n  path = "x"\n  hang = "prepare"\n}\n'
                       'build {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    log = tmp_path / "kiln.log"
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path,
                 env={**plugin_dir(tmp_path), "KILN_PLUGIN_CALL_TIMEOUT": "2", "KILN_LOG": "1",
                      "KILN_LOG_PATH": str(log)})
    assert r.code == 1
    assert ("The plugin kiln-plugin-misbehave did not answer Prepare of the builder 'misbehave-fake' within 2s "
            "(KILN_PLUGIN_CALL_TIMEOUT).") in flat(r.out)
    assert "on t.pkr.hcl line 1" in r.out
    for pid in _plugin_pids(log):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_plugin_killed_mid_run_fails_its_build_with_the_signal(tmp_path: Path) -> None:
    template(tmp_path, 'source "misbehave-fake" "a" {\n  path = "x"\n  hang = "run"\n}\n'
                       'build {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    env = {**os.environ, "HOME": str(tmp_path), **plugin_dir(tmp_path)}
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*KILN, "build", "-color=false", "t.pkr.hcl"], cwd=tmp_path, env=env,
                                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _wait_for(out, "building a in pid")
        pid = int(re.search(r"building a in pid (\d+)", out.read_text())[1])  # type: ignore[index]
        os.kill(pid, signal.SIGKILL)
        code = proc.wait(timeout=60)
    assert code == 1
    assert ("Build 'misbehave-fake.a' errored after" in out.read_text() and
            "The plugin kiln-plugin-misbehave (serving the builder 'misbehave-fake') was killed by signal 9 "
            "unexpectedly" in flat(out.read_text()))
