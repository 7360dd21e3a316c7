"""Building diagnostics for the template layer (one place that knows ``HclDiagnostic``'s shape)."""

from __future__ import annotations

from kiln.hcl.diagnostics import ERROR, WARNING, HclDiagnostic, has_errors
from kiln.hcl.syntax import Range

__all__ = ["error", "has_errors", "warning"]


def error(summary: str, detail: str = "", subject: Range | None = None, context: Range | None = None) -> HclDiagnostic:
    return HclDiagnostic(ERROR, summary, detail, subject, context)


def warning(summary: str, detail: str = "", subject: Range | None = None) -> HclDiagnostic:
    return HclDiagnostic(WARNING, summary, detail, subject)
