"""Diagnostics (HCL's ``hcl.Diagnostic``): what parsing and evaluation report. ``kiln.hcl.render``
prints them in Packer's text form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kiln.hcl.syntax import Range

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class HclDiagnostic:
    severity: str  # ERROR | WARNING
    summary: str
    detail: str = ""
    range: Range | None = None  # the subject: what is wrong
    context: Range | None = None  # a wider range shown in the snippet (e.g. the whole expression)
    values: tuple[str, ...] = ()  # "x as 1": the variables of the failing expression, as HCL shows them

    def __str__(self) -> str:
        where = ""
        if self.range is not None:
            r = self.range
            where = f"{r.filename}:{r.start.line}:{r.start.column}: "
        detail = f"; {self.detail}" if self.detail else ""
        return f"{where}{self.summary}{detail}"


def error(
    summary: str,
    detail: str = "",
    range: Range | None = None,
    context: Range | None = None,
    values: tuple[str, ...] = (),
) -> HclDiagnostic:
    return HclDiagnostic(ERROR, summary, detail, range, context, values)


class DiagnosticError(Exception):
    """Raised by parsing and evaluation; ``diagnostics`` holds one or more errors."""

    def __init__(self, diagnostics: Iterable[HclDiagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def has_errors(diags: Iterable[HclDiagnostic]) -> bool:
    return any(d.severity == ERROR for d in diags)
