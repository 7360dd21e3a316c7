"""The kiln program ends without the interpreter's teardown (os._exit), after doing what teardown does
that matters: atexit handlers run, the log and the output are flushed, the exit code is kept, and a
non-daemon thread still running is waited for as a normal exit would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import atexit, sys, threading, time
from pathlib import Path
marker = Path(sys.argv[1])
atexit.register(lambda: marker.write_text(marker.read_text() + "atexit\\n" if marker.exists() else "atexit\\n"))
if sys.argv[2] == "thread":
    def late():
        time.sleep(0.3)
        marker.write_text("thread\\n")
    threading.Thread(target=late).start()
sys.argv = ["kiln", *sys.argv[3:]]
from kiln.cli.main import entry
entry()
raise SystemExit("entry() returned")
"""


def run(tmp_path: Path, mode: str, *argv: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    marker = tmp_path / "marker.txt"
    log = tmp_path / "kiln.log"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c"), "KILN_LOG": "1",
           "KILN_LOG_PATH": str(log)}
    out = subprocess.run([sys.executable, "-c", PROBE, str(marker), mode, *argv], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL, env=env)
    return out, marker


def test_the_program_runs_atexit_handlers_and_keeps_its_exit_code_and_output(tmp_path: Path) -> None:
    out, marker = run(tmp_path, "-", "version")
    assert out.returncode == 0 and out.stdout == "kiln v0.1.0 (Packer v1.6.6 compatible)\n", out
    assert marker.read_text() == "atexit\n"
    (tmp_path / "bad.pkr.hcl").write_text('source "null" "a" {\n  bogus = 1\n}\n'
                                          'build {\n  sources = ["source.null.a"]\n}\n')
    out, _ = run(tmp_path, "-", "validate", "bad.pkr.hcl")
    assert out.returncode == 1 and 'An argument named "bogus" is not expected here.' in out.stdout, out
    (tmp_path / "good.pkr.hcl").write_text('source "null" "a" {\n  communicator = "none"\n}\n'
                                           'build {\n  sources = ["source.null.a"]\n}\n')
    out, _ = run(tmp_path, "-", "validate", "good.pkr.hcl")
    assert out.returncode == 0, out
    assert "started the bundled plugin as pid" in (tmp_path / "kiln.log").read_text()  # the log was flushed


def test_a_running_non_daemon_thread_is_waited_for(tmp_path: Path) -> None:
    out, marker = run(tmp_path, "thread", "version")
    assert out.returncode == 0, out
    assert marker.read_text() == "thread\natexit\n"  # the thread finished, then the handlers ran
