"""Prompts: Packer's ``-on-error=ask`` prompt on a real terminal, against kiln's ``ask``."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import signal
import time
from pathlib import Path

import pytest
from kiln.ui import AskError, make_ui

from tests.core.ui.packer_ui_oracle import packer_path

QUERY = "[c] Clean up and exit, [a] abort without cleanup, or [r] retry step (build may fail even if retry succeeds)? "
TEMPLATE = """
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["exit 1"]
  }
}
"""


def _packer_prompt(workdir: Path) -> str:
    """Run ``packer build -on-error=ask`` on a pseudo-terminal and return the prompt it shows.

    Once the prompt is complete, Packer is interrupted (its whole process group, plugins included).
    """
    (workdir / "t.pkr.hcl").write_text(TEMPLATE)
    pid, fd = pty.fork()
    if pid == 0:  # the child: Packer, with the pty as its controlling terminal
        os.chdir(workdir)
        os.environ["CHECKPOINT_DISABLE"] = "1"
        os.environ.pop("PACKER_NO_COLOR", None)
        os.execv(packer_path(), [packer_path(), "build", "-on-error=ask", "t.pkr.hcl"])
    seen = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline and not re.search(rb"succeeds\)\?\x1b\[0m ", seen):
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
    finally:
        _stop_group(pid)
        os.close(fd)
    text = seen.decode(errors="replace").replace("\r\n", "\n")
    assert "succeeds)?\x1b[0m " in text, text
    start = text.rindex("\n", 0, text.index("[c] Clean up")) + 1
    return text[start : text.index("\033[0m ", start) + len("\033[0m ")]


def _stop_group(pid: int) -> None:
    """Interrupt Packer's process group (pty.fork made it a session leader); kill it if it lingers."""
    for sig, grace in ((signal.SIGINT, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        end = time.monotonic() + grace
        while time.monotonic() < end:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
            time.sleep(0.05)


def test_ask_prompt_matches_packer(tmp_path: Path) -> None:
    packer_prompt = _packer_prompt(tmp_path)
    out = io.StringIO()
    ui = make_ui(stdout=out, tty=io.StringIO("  c \n"))
    ui.for_build("null.a")
    ui.for_build("null.a").say("before")
    answer = ui.for_build("null.a").ask(QUERY)
    assert answer == "c"
    assert packer_prompt == "\033[1;32m==> null.a: " + QUERY.rstrip() + "\033[0m "
    assert out.getvalue().endswith("\n" + packer_prompt)


def test_machine_readable_cannot_ask() -> None:
    ui = make_ui(machine_readable=True, stdout=io.StringIO(), tty=io.StringIO("c\n"))
    with pytest.raises(AskError, match="machine-readable UI can't ask"):
        ui.for_build("null.a").ask("continue?")


def test_no_terminal_is_a_clear_error(tmp_path: Path) -> None:
    from kiln.ui.tty import Terminal

    with pytest.raises(AskError, match="no available tty .*-on-error"):
        Terminal(path=str(tmp_path / "missing-tty")).read_line()
    with pytest.raises(AskError, match="closed"):
        Terminal(io.StringIO("")).read_line()
