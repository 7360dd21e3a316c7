"""Decorating Uis, composed as Packer composes them: a target prefix, a colour, a timestamp, a mask."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiln_sdk.ui import Ui

from .colors import UiColor, colorize
from .mask import SecretMask


def rfc3339_now() -> str:
    """Local time as Go's ``time.RFC3339`` writes it: ``2006-01-02T15:04:05Z`` or ``...+01:00``."""
    now = datetime.now().astimezone()
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S")
    offset = now.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    if minutes == 0:
        return stamp + "Z"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{stamp}{sign}{hours:02d}:{mins:02d}"


class TargetedUi(Ui):
    """Packer's ``TargetedUI``: ``==> target: line`` for say/error/ask, ``    target: line`` for message.

    Every line of a multi-line message gets the prefix; trailing whitespace of the whole text is trimmed.
    Machine-readable calls get the target as their target field.
    """

    def __init__(self, target: str, ui: Ui) -> None:
        self.target = target
        self._ui = ui

    def _prefix(self, arrow: bool, message: str) -> str:
        lead = "==>" if arrow else "   "
        return "\n".join(f"{lead} {self.target}: {line}" for line in message.split("\n")).rstrip()

    def say(self, message: str) -> None:
        self._ui.say(self._prefix(True, message))

    def message(self, message: str) -> None:
        self._ui.message(self._prefix(False, message))

    def error(self, message: str) -> None:
        self._ui.error(self._prefix(True, message))

    def machine(self, type_: str, *args: str) -> None:
        self._ui.machine(f"{self.target},{type_}", *args)

    def ask(self, query: str) -> str:
        return self._ui.ask(self._prefix(True, query))


class ColoredUi(Ui):
    """Packer's ``ColoredUi``: say and ask bold in the build's colour, message plain colour, error bold red."""

    def __init__(
        self, color: UiColor, ui: Ui, enabled: bool = True, error_color: UiColor = UiColor.RED
    ) -> None:
        self.color = color
        self._ui = ui
        self._enabled = enabled
        self._error_color = error_color

    def _paint(self, message: str, color: UiColor, bold: bool) -> str:
        return colorize(message, color, bold) if self._enabled else message

    def say(self, message: str) -> None:
        self._ui.say(self._paint(message, self.color, True))

    def message(self, message: str) -> None:
        self._ui.message(self._paint(message, self.color, False))

    def error(self, message: str) -> None:
        self._ui.error(self._paint(message, self._error_color, True))

    def machine(self, type_: str, *args: str) -> None:
        self._ui.machine(type_, *args)

    def ask(self, query: str) -> str:
        return self._ui.ask(self._paint(query, self.color, True))


class TimestampedUi(Ui):
    """Packer's ``TimestampedUi`` (``-timestamp-ui``): ``2026-11-25T15:07:49Z: `` before say/message/error."""

    def __init__(self, ui: Ui, clock: Callable[[], str] = rfc3339_now) -> None:
        self._ui = ui
        self._clock = clock

    def say(self, message: str) -> None:
        self._ui.say(f"{self._clock()}: {message}")

    def message(self, message: str) -> None:
        self._ui.message(f"{self._clock()}: {message}")

    def error(self, message: str) -> None:
        self._ui.error(f"{self._clock()}: {message}")

    def machine(self, type_: str, *args: str) -> None:
        self._ui.machine(type_, *args)

    def ask(self, query: str) -> str:
        return self._ui.ask(query)


class MaskedUi(Ui):
    """Masks secrets before any decoration, so a multi-line secret is caught before lines get prefixes."""

    def __init__(self, ui: Ui, mask: SecretMask) -> None:
        self._ui = ui
        self._mask = mask

    def say(self, message: str) -> None:
        self._ui.say(self._mask.apply(message))

    def message(self, message: str) -> None:
        self._ui.message(self._mask.apply(message))

    def error(self, message: str) -> None:
        self._ui.error(self._mask.apply(message))

    def machine(self, type_: str, *args: str) -> None:
        self._ui.machine(type_, *(self._mask.apply(a) for a in args))

    def ask(self, query: str) -> str:
        return self._ui.ask(self._mask.apply(query))
