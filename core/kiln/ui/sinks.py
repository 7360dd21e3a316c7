"""The two Uis that actually write: the console (Packer's ``BasicUi``) and machine-readable output.

Every other Ui in this package decorates one of these. Both are thread-safe: builds run in parallel
threads, and each line is written whole, under one lock, then flushed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TextIO

from kiln_sdk.ui import Ui

from .machine import format_line, split_target
from .mask import SecretMask
from .tty import AskError, Terminal

log = logging.getLogger("kiln.ui")


class ConsoleUi(Ui):
    """Human output: ``say`` and ``message`` to ``out``, ``error`` to ``err`` (stdout in Packer too).

    ``machine`` writes nothing (it is logged), as in Packer's ``BasicUi``. ``ask`` writes the query
    followed by one space and reads one line from the terminal.
    """

    def __init__(self, out: TextIO, err: TextIO, mask: SecretMask, terminal: Terminal | None = None) -> None:
        self._out = out
        self._err = err
        self._mask = mask
        self._terminal = terminal or Terminal()
        self._lock = threading.Lock()
        self._blank_pending = False

    def _write(self, stream: TextIO, text: str) -> None:
        text = self._mask.apply(text)
        with self._lock:
            self._close_legend()
            stream.write(text + "\n")
            stream.flush()

    def _close_legend(self) -> None:
        """Write the blank line that follows the colour legend, once, before the first other output."""
        if self._blank_pending:
            self._blank_pending = False
            self._out.write("\n")
            self._out.flush()

    def announce(self, text: str) -> None:
        """A line of the colour legend; the legend is closed by one blank line before the next output."""
        with self._lock:
            self._out.write(self._mask.apply(text) + "\n")
            self._out.flush()
            self._blank_pending = True

    def say(self, message: str) -> None:
        self._write(self._out, message)

    def message(self, message: str) -> None:
        self._write(self._out, message)

    def error(self, message: str) -> None:
        self._write(self._err, message)

    def machine(self, type_: str, *args: str) -> None:
        log.debug("machine readable: %s %r", type_, [self._mask.apply(a) for a in args])

    def ask(self, query: str) -> str:
        with self._lock:
            self._close_legend()
            if query:
                self._out.write(self._mask.apply(query) + " ")
            self._out.flush()
            return self._terminal.read_line()


class MachineReadableUi(Ui):
    """``-machine-readable``: every call becomes one ``timestamp,target,type,data...`` line on ``out``.

    Unlike Packer 1.6.6 (whose machine-readable output leaks sensitive values), secrets are masked here too.
    """

    def __init__(self, out: TextIO, mask: SecretMask, clock: Callable[[], float] = time.time) -> None:
        self._out = out
        self._mask = mask
        self._clock = clock
        self._lock = threading.Lock()

    def say(self, message: str) -> None:
        self.machine("ui", "say", message)

    def message(self, message: str) -> None:
        self.machine("ui", "message", message)

    def error(self, message: str) -> None:
        self.machine("ui", "error", message)

    def machine(self, type_: str, *args: str) -> None:
        target, category = split_target(type_)
        line = format_line(int(self._clock()), target, category, [self._mask.apply(a) for a in args])
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def ask(self, query: str) -> str:
        raise AskError("machine-readable UI can't ask: run without -machine-readable to answer prompts")
