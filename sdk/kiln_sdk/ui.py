"""The Ui a component writes to. Plugins never print to the user: they call their Ui."""

from __future__ import annotations

from abc import ABC, abstractmethod


class UiError(Exception):
    """The Ui could not do what was asked (e.g. ``ask`` with no terminal to ask on)."""


class Ui(ABC):
    """Packer's Ui: ``say`` is a step (``==> name: ...``), ``message`` is output (``    name: ...``)."""

    @abstractmethod
    def say(self, message: str) -> None: ...

    @abstractmethod
    def message(self, message: str) -> None: ...

    @abstractmethod
    def error(self, message: str) -> None: ...

    @abstractmethod
    def machine(self, type_: str, *args: str) -> None: ...

    @abstractmethod
    def ask(self, query: str) -> str: ...


class RecordingUi(Ui):
    """A Ui that keeps every call, for tests and for buffering."""

    def __init__(self, answers: list[str] | None = None) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self._answers = list(answers or [])

    def say(self, message: str) -> None:
        self.calls.append(("say", (message,)))

    def message(self, message: str) -> None:
        self.calls.append(("message", (message,)))

    def error(self, message: str) -> None:
        self.calls.append(("error", (message,)))

    def machine(self, type_: str, *args: str) -> None:
        self.calls.append(("machine", (type_, *args)))

    def ask(self, query: str) -> str:
        self.calls.append(("ask", (query,)))
        return self._answers.pop(0) if self._answers else ""

    def lines(self, kind: str | None = None) -> list[str]:
        return [" ".join(args) for k, args in self.calls if kind is None or k == kind]
