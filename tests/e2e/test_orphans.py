"""No orphans (issue 13, item 4), against real processes: the core killed with SIGKILL while shell-local
scripts (with children of their own) and an SSH provisioner run leaves no process behind; socket
folders of killed runs are swept by the next run; a hung Prepare yields to the first Ctrl-C; a plugin
that ignores its cancel is killed and the summary says so; nothing is printed after the summary."""

from __future__ import annotations

import functools
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import KILN
from tests.sshd_fixture import SSHServer, running_sshd

FAKE = Path(__file__).parent.parent / "sdk" / "fakes" / "fake_plugin.py"
PATIENCE = 60.0  # seconds; only ever reached when something is wrong


@pytest.fixture(scope="module")
def server() -> Iterator[SSHServer]:
    with running_sshd() as s:
        yield s


def _processes_with(marker: str) -> list[str]:
    """Command lines of the live processes whose command line holds ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmd and state != "Z":
            found.append(f"{pid}: {cmd}")
    return found


def _wait_until(what: str, check: Callable[[], object], timeout: float = PATIENCE,
                show: Callable[[], object] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {show()}")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path), "KILN_LOG": "1",
            "KILN_LOG_PATH": str(tmp_path / "kiln.log"), **extra}


def _start(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*KILN, "build", "-color=false", "t.pkr.hcl"], cwd=tmp_path, env=env, stdout=sink,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return proc, out


def test_sigkill_of_the_core_leaves_no_process_and_the_next_run_sweeps_its_sockets(
        tmp_path: Path, server: SSHServer, ssh_password_user: tuple[str, str]) -> None:
    # a user other than root: OpenSSH honours "signal" requests only in privilege-separated sessions,
    # and a root login has none (session_signal_req: "session signalling requires privilege separation")
    user, password = ssh_password_user
    marker = uuid.uuid4().hex[:12]
    # sleep's argument carries the marker (GNU sleep takes fractional seconds): 300.<digits>
    digits = str(int(marker, 16))[:9]
    script = f"echo started-$$; sleep 300.{digits}1 & sleep 300.{digits}2; echo never"
    (tmp_path / "t.pkr.hcl").write_text(f"""
source "null" "local1" {{
  communicator = "none"
}}
source "null" "local2" {{
  communicator = "none"
}}
source "null" "ssh" {{
  communicator         = "ssh"
  ssh_host             = "{server.host}"
  ssh_port             = {server.port}
  ssh_username         = "{user}"
  ssh_password         = "{password}"
}}
build {{
  sources = ["source.null.local1", "source.null.local2", "source.null.ssh"]
  provisioner "shell-local" {{
    except = ["null.ssh"]
    inline = ["{script}"]
  }}
  provisioner "shell" {{
    only          = ["null.ssh"]
    remote_folder = "/home/{user}"
    inline        = ["{script}"]
  }}
}}
""")
    proc, out = _start(tmp_path, _env(tmp_path))
    try:
        _wait_until("three scripts to start", lambda: out.read_text().count("started-") >= 3
                    and len(_processes_with(f"300.{digits}")) >= 6, timeout=2 * PATIENCE,
                    show=lambda: (out.read_text(), _processes_with(f"300.{digits}")))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=PATIENCE)
    assert "never" not in out.read_text()
    # the plugin processes see the core's death (stdin closed, PR_SET_PDEATHSIG) and kill every script
    # group; the SSH session's remote processes go with their channel
    _wait_until("every script process to be gone", lambda: not _processes_with(f"300.{digits}"),
                show=lambda: _processes_with(f"300.{digits}"))
    _wait_until("every plugin process to be gone", lambda: not _ours(tmp_path),
                show=lambda: _ours(tmp_path))
    # the killed core could not remove its socket folder (under TMPDIR, or /tmp when TMPDIR is too long)
    stale = [p for base in (tmp_path, Path("/tmp")) for p in base.glob(f"kiln-core-{proc.pid}-*")]
    assert stale, [p.name for base in (tmp_path, Path("/tmp")) for p in base.glob("kiln-core-*")]
    (tmp_path / "t.pkr.hcl").write_text('source "null" "a" {\n  communicator = "none"\n}\n'
                                       'build {\n  sources = ["source.null.a"]\n}\n')
    r = subprocess.run([*KILN, "build", "-color=false", "t.pkr.hcl"], cwd=tmp_path, env=_env(tmp_path),
                       capture_output=True, text=True, timeout=PATIENCE, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout
    assert not [p for p in stale if p.exists()], stale  # swept by the next run


def _ours(tmp_path: Path) -> list[str]:
    """Live plugin processes started by this test's kiln runs (their environment names its TMPDIR)."""
    return [p for p in _processes_with("serve") if f"TMPDIR={tmp_path} " in _environ(p) + " "]


def _environ(line: str) -> str:
    pid = line.split(":", 1)[0]
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _misbehave(tmp_path: Path) -> dict[str, str]:
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    exe = d / "kiln-plugin-misbehave"
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    return {"KILN_PLUGIN_PATH": str(d)}


def _plugin_pids(log: Path) -> list[int]:
    return [int(p) for p in re.findall(r"as pid (\d+)", log.read_text())]


def test_the_first_ctrl_c_stops_a_hung_prepare(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text('source "misbehave-fake" "a" {\n  path = "x"\n  hang = "prepare"\n}\n'
                                       'build {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    proc, out = _start(tmp_path, _env(tmp_path, **_misbehave(tmp_path)))
    log = tmp_path / "kiln.log"
    _wait_until("the plugin to hang in prepare", lambda: log.exists() and "hanging in prepare" in log.read_text())
    proc.send_signal(signal.SIGINT)  # once
    code = proc.wait(timeout=PATIENCE)
    text = out.read_text()
    assert code == 1
    assert "Cancelling build after receiving interrupt" in text
    assert text.rstrip().endswith("Cleanly cancelled builds after being interrupted."), text
    assert "Interrupted again" not in text
    for pid in _plugin_pids(log):
        _wait_until(f"plugin pid {pid} to exit", functools.partial(_gone, pid))


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_plugin_that_ignores_its_cancel_is_killed_and_the_summary_says_so_last(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text('source "misbehave-fake" "a" {\n  path = "x"\n  sleep = 600\n'
                                       '  ignore_cancel = true\n}\nbuild {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    proc, out = _start(tmp_path, _env(tmp_path, KILN_CANCEL_GRACE="1", **_misbehave(tmp_path)))
    _wait_until("the build to start", lambda: "building a in pid" in out.read_text())
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=PATIENCE)
    text = out.read_text()
    assert code == 1
    assert ("The plugin kiln-plugin-misbehave did not stop the builder 'misbehave-fake' within 1s of being "
            "cancelled.") in text
    assert "Cleanly cancelled" not in text
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("Cancelled builds after being interrupted; the plugin of misbehave-fake.a did not stop"), text


def test_a_provisioner_that_ignores_its_cancel_is_the_one_named_and_killed(tmp_path: Path) -> None:
    # the builder (bundled) waits in its hook for the provisioner (another plugin): when the cancel grace
    # runs out, the message names the provisioner's plugin, not the builder's
    (tmp_path / "t.pkr.hcl").write_text(
        'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n'
        '  provisioner "misbehave-echo" {\n    text = "x"\n    sleep = 600\n    ignore_cancel = true\n  }\n}\n')
    proc, out = _start(tmp_path, _env(tmp_path, KILN_CANCEL_GRACE="1", **_misbehave(tmp_path)))
    _wait_until("the provisioner to start", lambda: "echo sleeping in pid" in out.read_text())
    pid = int(re.search(r"echo sleeping in pid (\d+)", out.read_text())[1])  # type: ignore[index]
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=PATIENCE)
    text = out.read_text()
    assert code == 1
    assert ("The plugin kiln-plugin-misbehave did not stop the provisioner 'misbehave-echo' within 1s of being "
            "cancelled.") in text, text
    assert "did not stop the builder" not in text
    assert text.rstrip().splitlines()[-1].startswith("Cancelled builds after being interrupted; the plugin of null.a")
    _wait_until("the provisioner's plugin to be killed", lambda: _gone(pid))
