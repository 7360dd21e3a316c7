"""Reading the answer to a prompt from the terminal (Packer reads ``/dev/tty``, never stdin)."""

from __future__ import annotations

from typing import TextIO

from kiln_sdk.ui import UiError


class AskError(UiError):
    """The Ui cannot ask: no terminal, machine-readable output, or the terminal was closed."""


class Terminal:
    """A line reader over a terminal; opened lazily so that a Ui that never asks never opens one."""

    def __init__(self, stream: TextIO | None = None, path: str = "/dev/tty") -> None:
        self._stream = stream
        self._path = path

    def read_line(self) -> str:
        if self._stream is None:
            try:
                self._stream = open(self._path, encoding="utf-8")  # noqa: SIM115 - kept open for later prompts
            except OSError as exc:
                raise AskError(
                    f"no available tty ({self._path}: {exc.strerror}): run kiln from a terminal to answer "
                    "prompts, or choose another -on-error mode"
                ) from exc
        line = self._stream.readline()
        if line == "":
            raise AskError("the terminal was closed before an answer was given")
        return line.strip()
