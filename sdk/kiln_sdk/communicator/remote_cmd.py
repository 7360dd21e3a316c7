"""Running a remote command for a provisioner (Packer's ``RemoteCmd.RunWithUi`` and ``retry``).

Output goes to the Ui line by line as it arrives (stdout as ``message``, stderr as ``error``: Packer 1.6.6
shows them as ``    name: line`` and ``==> name: line``),
each line cleaned of trailing whitespace and of text a carriage return would overwrite. A dropped
connection becomes Packer's disconnect exit status ``CMD_DISCONNECT`` (2300218).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kiln_sdk.communicator.base import Communicator, RemoteCommandError
from kiln_sdk.communicator.errors import ConnectionLost
from kiln_sdk.diagnostics import BuildError, Cancelled
from kiln_sdk.duration import format_duration
from kiln_sdk.ui import Ui

CMD_DISCONNECT = 2300218
T = TypeVar("T")


def clean_output_line(line: str) -> str:
    """Packer's cleanOutputLine: strip trailing space; keep only what follows the last ``\\r``."""
    line = line.rstrip()
    idx = line.rfind("\r")
    return line[idx + 1:] if idx >= 0 else line


class LineWriter:
    """Collect bytes, call ``emit`` with every complete (decoded, cleaned) line; ``flush`` the rest."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._buf = bytearray()
        self._lock = threading.Lock()

    def __call__(self, data: bytes) -> None:
        with self._lock:
            self._buf += data
            while True:
                idx = self._buf.find(b"\n")
                if idx < 0:
                    break
                line = bytes(self._buf[:idx])
                del self._buf[: idx + 1]
                self._line(line)

    def _line(self, raw: bytes) -> None:
        text = clean_output_line(raw.decode("utf-8", errors="replace"))
        if text:
            self._emit(text)

    def flush(self) -> None:
        with self._lock:
            if self._buf:
                line = bytes(self._buf)
                self._buf.clear()
                self._line(line)


def run_with_ui(comm: Communicator, command: str, ui: Ui, cancel: threading.Event | None = None) -> int:
    """Run ``command``, showing stdout through ``ui.message`` and stderr through ``ui.error``; return its status.

    A lost connection returns ``CMD_DISCONNECT``; a command that cannot start raises RemoteCommandError.
    """
    out = LineWriter(ui.message)
    err = LineWriter(ui.error)
    try:
        return comm.run(command, stdout=out, stderr=err, cancel=cancel)
    except ConnectionLost:
        return CMD_DISCONNECT
    finally:
        out.flush()
        err.flush()


def retry(timeout: float, fn: Callable[[], T], cancel: threading.Event | None = None,
          on_retry: Callable[[Exception], None] | None = None) -> T:
    """Call ``fn`` until it does not raise RemoteCommandError/OSError or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    delay = 0.5
    while True:
        try:
            return fn()
        except (Cancelled, BuildError, FileNotFoundError, PermissionError, NotADirectoryError):
            raise  # retrying cannot help
        except (RemoteCommandError, OSError) as exc:
            if time.monotonic() + delay > deadline:
                if timeout > 0:
                    raise RemoteCommandError(f"{exc} (still failing after {format_duration(timeout)}, "
                                             "start_retry_timeout)") from exc
                raise
            if on_retry is not None:
                on_retry(exc)
        if cancel is not None:
            if cancel.wait(delay):
                raise Cancelled()
        else:
            time.sleep(delay)
        delay = min(delay * 2, 5.0)
