"""The Ui a component writes to. Plugins never print to the user: they call their Ui."""

from __future__ import annotations

from abc import ABC, abstractmethod


class UiError(Exception):
    """The Ui could not do what was asked (e.g. ``ask`` with no terminal to ask on)."""


class Ui(ABC):
    """Packer's Ui: ``say`` is a step (``==> name: ...``), ``message`` is output (``    name: ...``)."""

    @abstractmethod
    def say(self, message: str) -> None:
        """Say ``message`` as a build step (``==> name: message``)."""

    @abstractmethod
    def message(self, message: str) -> None:
        """Print ``message`` as the build's detail (``    name: message``)."""

    @abstractmethod
    def error(self, message: str) -> None:
        """Print ``message`` as an error of the build."""

    @abstractmethod
    def machine(self, type_: str, *args: str) -> None:
        """Emit a machine-readable line (``-machine-readable``) of ``type_`` with ``args``."""

    @abstractmethod
    def ask(self, query: str) -> str:
        """Ask the user ``query`` and return the answer ("" when no one can answer)."""


class RecordingUi(Ui):
    """A Ui that keeps every call, for tests and for buffering."""

    def __init__(self, answers: list[str] | None = None) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self._answers = list(answers or [])

    def say(self, message: str) -> None:
        """Record a ``say``."""
        self.calls.append(("say", (message,)))

    def message(self, message: str) -> None:
        """Record a ``message``."""
        self.calls.append(("message", (message,)))

    def error(self, message: str) -> None:
        """Record an ``error``."""
        self.calls.append(("error", (message,)))

    def machine(self, type_: str, *args: str) -> None:
        """Record a ``machine`` line."""
        self.calls.append(("machine", (type_, *args)))

    def ask(self, query: str) -> str:
        """Record an ``ask``; answer with the next of the answers given, or ""."""
        self.calls.append(("ask", (query,)))
        return self._answers.pop(0) if self._answers else ""

    def lines(self, kind: str | None = None) -> list[str]:
        """The recorded texts (arguments joined by spaces), only those of ``kind`` when given."""
        return [" ".join(args) for k, args in self.calls if kind is None or k == kind]
