"""Run a local command and stream its output to a Ui, line by line, as Packer's RemoteCmd.RunWithUi does.

stdout lines become ``ui.message``, stderr lines ``ui.error``; trailing whitespace is trimmed and only
the text after a line's last carriage return is kept (what a terminal would show). Setting ``cancel``
terminates the command's whole process group and raises ``Cancelled``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import IO

from kiln_sdk import Cancelled, Ui, start_process

_GRACE_SECONDS = 2.0



# One plugin process serves many builds at once, each in its own thread. A child forked while another
# thread still has a script open for writing inherits that descriptor until it execs, and executing the
# script meanwhile fails with ETXTBSY ("Text file busy", exit 126). Writing an executable script and
# starting a process therefore exclude each other (Popen returns only once its child has exec'd).
SPAWN_LOCK = threading.Lock()

def clean_output_line(line: str) -> str:
    line = line.rstrip()
    cr = line.rfind("\r")
    return line[cr + 1:] if cr >= 0 else line


def _pump(stream: IO[bytes], emit: Callable[[str], None]) -> None:
    pending = b""
    while True:
        chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            emit(clean_output_line(raw.decode("utf-8", errors="replace")))
    if pending:
        emit(clean_output_line(pending.decode("utf-8", errors="replace")))
    stream.close()


def run_streaming(
    argv: Sequence[str],
    ui: Ui,
    cancel: threading.Event | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> int:
    """Run ``argv`` (no shell), stream its output to ``ui``; return its exit status (-1 if killed)."""
    lock = threading.Lock()

    def emitter(method: Callable[[str], None]) -> Callable[[str], None]:
        def emit(line: str) -> None:
            with lock:  # one Ui call at a time, whichever stream it comes from
                method(line)
        return emit

    with SPAWN_LOCK:  # see SPAWN_LOCK: no script is open for writing while this child forks and execs
        proc = start_process(  # its own process group, killed with this plugin process (kiln_sdk.children)
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None, cwd=cwd,
        )
    assert proc.stdout is not None and proc.stderr is not None
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, emitter(ui.message)), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, emitter(ui.error)), daemon=True),
    ]
    for t in pumps:
        t.start()
    cancelled = False
    code: int | None = None
    # Wait for the command to exit AND for its output to end (a background child may hold the pipes,
    # as in Packer); a cancel at any point terminates the whole process group.
    while code is None or any(t.is_alive() for t in pumps):
        if code is None:
            try:
                code = proc.wait(timeout=0.05 if cancel is not None else None)
            except subprocess.TimeoutExpired:
                pass
        else:
            pumps[0].join(0.05)
            pumps[1].join(0.05 if cancel is not None else None)
        if cancel is not None and cancel.is_set() and not cancelled:
            cancelled = True
            _terminate_group(proc)
    if cancelled:
        raise Cancelled()
    return code if code >= 0 else -1


def _terminate_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the command's process group, give it a moment, then SIGKILL whatever is left of it."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
