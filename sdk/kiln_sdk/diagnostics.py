"""Diagnostics: how a component reports bad configuration, with the attribute path it concerns.

The core maps ``path`` back to the template's file, line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning of a component; ``path`` names the config attribute it is about, which the
    core renders at the template's file:line:col."""

    summary: str
    detail: str = ""
    path: tuple[str, ...] = ()
    severity: Severity = "error"
    exception_type: str = ""  # set by the SDK when an unhandled exception caused it (its type's name)


@dataclass
class Diagnostics:
    """Collects a component's diagnostics; ``raise_if_errors`` raises ConfigError with all of them."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, summary: str, detail: str = "", path: Sequence[str | int] = ()) -> None:
        """Add an error; ``path`` names the attribute (e.g. ``("inline", 0)``) the core points at."""
        self.items.append(Diagnostic(summary, detail, tuple(str(p) for p in path), "error"))

    def warning(self, summary: str, detail: str = "", path: Sequence[str | int] = ()) -> None:
        """Add a warning; ``path`` names the attribute the core points at."""
        self.items.append(Diagnostic(summary, detail, tuple(str(p) for p in path), "warning"))

    @property
    def has_errors(self) -> bool:
        """True when an error was added."""
        return any(d.severity == "error" for d in self.items)

    def raise_if_errors(self) -> None:
        """Raise ConfigError carrying every diagnostic when an error was added."""
        if self.has_errors:
            raise ConfigError(self.items)


class ConfigError(Exception):
    """Raised by prepare/configure: one or more diagnostics about the component's configuration."""

    def __init__(self, diagnostics: Sequence[Diagnostic] | str, path: Sequence[str | int] = ()) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(diagnostics, path=tuple(str(p) for p in path))]
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(d.summary for d in self.diagnostics))


class BuildError(Exception):
    """Raised by a running component: the build fails with this message."""


class Cancelled(BuildError):
    """Raised when a component notices that its build was cancelled."""

    def __init__(self, message: str = "Build was cancelled.") -> None:
        super().__init__(message)
