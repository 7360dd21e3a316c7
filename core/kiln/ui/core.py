"""The core's Ui: the console of one ``kiln build`` run, handing each build its own coloured Ui."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from typing import TextIO

from kiln_sdk.ui import Ui

from kiln import log, secrets

from .colors import colorize, colors_disabled_by_env, palette_color
from .durafmt import format_duration
from .mask import SecretMask
from .sinks import ConsoleUi, MachineReadableUi
from .summary import BuildResult, write_summary
from .tty import Terminal
from .wrappers import ColoredUi, MaskedUi, TargetedUi, TimestampedUi


class _Gate(Ui):
    """Passes everything to ``inner`` until closed (after the closing summary); then lines go to the log
    only, so that nothing appears after the summary (a late plugin line, a second Ctrl-C's notice)."""

    def __init__(self, inner: Ui) -> None:
        self.inner = inner
        self.closed = False

    def _late(self, kind: str, text: str) -> bool:
        if self.closed:
            log.get("ui").info("after the summary (%s): %s", kind, text)
        return self.closed

    def say(self, message: str) -> None:
        if not self._late("say", message):
            self.inner.say(message)

    def message(self, message: str) -> None:
        if not self._late("message", message):
            self.inner.message(message)

    def error(self, message: str) -> None:
        if not self._late("error", message):
            self.inner.error(message)

    def machine(self, type_: str, *args: str) -> None:
        if not self._late("machine", ",".join((type_, *args))):
            self.inner.machine(type_, *args)

    def ask(self, query: str) -> str:
        return "" if self._late("ask", query) else self.inner.ask(query)


class CoreUi:
    """Packer's console for one run. Thread-safe: builds call their Uis from parallel threads.

    Call :meth:`for_build` for every build, in template order, before starting any: the first call
    for a build fixes its colour (Packer's palette, in order) and, in colour mode, prints its line of
    the legend (``null.alpha: output will be in this color.``); the blank line closing the legend is
    written before the next output.
    """

    def __init__(
        self,
        *,
        machine_readable: bool,
        color: bool,
        timestamp: bool,
        out: TextIO,
        err: TextIO,
        mask: SecretMask,
        terminal: Terminal | None = None,
    ) -> None:
        self._mask = mask
        self._console: ConsoleUi | None = None
        self._sink: Ui
        if machine_readable:
            self._sink = MachineReadableUi(out, mask)
        else:
            self._console = ConsoleUi(out, err, mask, terminal)
            self._sink = self._console
        self._gate = _Gate(self._sink)
        self._sink = self._gate
        self._core = MaskedUi(self._sink, mask)
        self._colored = color and self._console is not None
        self._paint = self._colored and not colors_disabled_by_env()
        self._timestamp = timestamp
        self._machine_readable = machine_readable
        self._lock = threading.Lock()
        self._build_uis: dict[str, Ui] = {}
        self._starts: dict[str, float] = {}
        self._created = time.monotonic()
        self._first_start: float | None = None

    @property
    def machine_readable(self) -> bool:
        return self._machine_readable

    def add_sensitive(self, *values: str) -> None:
        """Mask more values from now on (e.g. sensitive variables once the template is evaluated), here
        and in every other output of the process (``kiln.secrets``: logs, errors, crash logs)."""
        self._mask.add(*values)
        secrets.add(*values)

    # -- per build -------------------------------------------------------------------------------

    def _base(self, build_name: str) -> Ui:
        """The build's untargeted Ui (coloured, timestamped): it prints ``Build 'x' finished ...``."""
        with self._lock:
            ui = self._build_uis.get(build_name)
            if ui is not None:
                return ui
            ui = self._sink
            if self._colored and self._console is not None:
                color = palette_color(len(self._build_uis))
                ui = ColoredUi(color, ui, enabled=self._paint)
                legend = f"{build_name}: output will be in this color."
                self._console.announce(colorize(legend, color, True) if self._paint else legend)
            if self._timestamp:
                ui = TimestampedUi(ui)
            self._build_uis[build_name] = ui
            return ui

    def for_build(self, build_name: str) -> Ui:
        """The Ui a build's builder and provisioners write to: ``==> null.alpha: ...``."""
        return MaskedUi(TargetedUi(build_name, self._base(build_name)), self._mask)

    def for_post_processor(self, build_name: str, pp_type: str) -> Ui:
        """A post-processor's Ui: the build's colour, target ``null.alpha (manifest)`` as in Packer."""
        return MaskedUi(TargetedUi(f"{build_name} ({pp_type})", self._base(build_name)), self._mask)

    def build_started(self, build_name: str) -> None:
        """Mark the start of a build (for ``errored after`` and the closing ``Wait completed`` times)."""
        now = time.monotonic()
        with self._lock:
            self._starts[build_name] = now
            if self._first_start is None:
                self._first_start = now

    def _elapsed(self, build_name: str) -> float:
        with self._lock:
            start = self._starts.get(build_name, self._created)
        return time.monotonic() - start

    def build_finished(self, build_name: str, seconds: float | None = None) -> None:
        """``Build 'null.alpha' finished after 18 milliseconds 66 microseconds.``"""
        took = self._elapsed(build_name) if seconds is None else seconds
        self._base(build_name).say(f"Build '{build_name}' finished after {format_duration(took)}.")

    def build_errored(self, build_name: str, error: str, seconds: float | None = None) -> None:
        """``Build 'null.beta' errored after 9 milliseconds 503 microseconds: <error>`` in red."""
        took = self._elapsed(build_name) if seconds is None else seconds
        self._base(build_name).error(f"Build '{build_name}' errored after {format_duration(took)}: {error}")

    # -- core level --------------------------------------------------------------------------------

    def say(self, msg: str) -> None:
        self._core.say(msg)

    def message(self, msg: str) -> None:
        self._core.message(msg)

    def error(self, msg: str) -> None:
        self._core.error(msg)

    def machine(self, type_: str, *args: str) -> None:
        self._core.machine(type_, *args)

    def ask(self, query: str) -> str:
        return self._core.ask(query)

    def summary(
        self, results: Sequence[BuildResult], *, seconds: float | None = None, interrupted: bool = False
    ) -> None:
        """The closing lines. ``seconds`` defaults to the time since the first :meth:`build_started`
        (or since this Ui was made); ``interrupted`` prints Packer's cancellation line instead of results.
        """
        if seconds is None:
            with self._lock:
                start = self._first_start if self._first_start is not None else self._created
            seconds = time.monotonic() - start
        write_summary(self._core, results, seconds, interrupted)
        self._gate.closed = True  # nothing after the summary


def make_ui(
    *,
    machine_readable: bool = False,
    color: bool = True,
    timestamp: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    sensitive: Sequence[str] = (),
    tty: TextIO | None = None,
) -> CoreUi:
    """The console of one run, from the ``-machine-readable``, ``-color`` and ``-timestamp-ui`` flags.

    ``stderr`` receives error lines; by default they go to stdout, as in Packer 1.6.6.
    ``tty`` is where answers to prompts are read (default: ``/dev/tty``, opened on the first prompt).
    """
    out = stdout if stdout is not None else sys.stdout
    return CoreUi(
        machine_readable=machine_readable,
        color=color,
        timestamp=timestamp,
        out=out,
        err=stderr if stderr is not None else out,
        mask=SecretMask(sensitive),
        terminal=Terminal(tty),
    )
