"""The evaluation context: the variables and functions an expression sees (hcl's ``EvalContext``).

Kept apart from ``evaluate`` so the modules that hold the semantics of calls, conditionals and loops
(``calls``, ``branching``, ``iteration``) use it without importing the evaluator: they receive the
evaluator as an argument (``Evaluator``), which keeps the package free of import cycles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kiln.hcl.access import describe_variables
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic
from kiln.hcl.syntax import Expr
from kiln.hcl.values import DYNAMIC, Value, unknown

__all__ = ["ANON", "EvalContext", "Evaluator", "evaluate_each", "variables_of"]

ANON = "\x00splat-item"
"""The name a splat's current element is bound to (``[*]``'s anonymous symbol)."""


class EvalContext:
    """Variables and functions visible to an expression; a child context (``for`` expressions) sees
    its parent's names unless it defines them itself."""

    def __init__(
        self,
        variables: Mapping[str, Value] | None = None,
        functions: Mapping[str, Any] | None = None,  # Function, ExpressionFunction, or a plain callable
        parent: EvalContext | None = None,
    ) -> None:
        self.variables: dict[str, Value] = dict(variables or {})
        self.functions: Mapping[str, Any] = functions or {}
        self.parent = parent

    def child(self, variables: Mapping[str, Value]) -> EvalContext:
        return EvalContext(variables, None, self)

    def lookup(self, name: str) -> Value | None:
        ctx: EvalContext | None = self
        while ctx is not None:
            if name in ctx.variables:
                return ctx.variables[name]
            ctx = ctx.parent
        return None

    def function(self, name: str) -> Any:
        ctx: EvalContext | None = self
        while ctx is not None:
            if name in ctx.functions:
                return ctx.functions[name]
            ctx = ctx.parent
        return None

    def all_names(self) -> list[str]:
        names: set[str] = set()
        ctx: EvalContext | None = self
        while ctx is not None:
            names |= {n for n in ctx.variables if n != ANON}
            ctx = ctx.parent
        return sorted(names)

    def all_functions(self) -> list[str]:
        names: set[str] = set()
        ctx: EvalContext | None = self
        while ctx is not None:
            names |= set(ctx.functions)
            ctx = ctx.parent
        return sorted(names)


Evaluator = Callable[[Expr, Any], Value]
"""``evaluate(expr, ctx)``: passed to the semantic modules by the evaluator."""


def evaluate_each(
    exprs: Sequence[Expr], ctx: EvalContext | None, evaluate: Evaluator
) -> tuple[list[Value], list[HclDiagnostic]]:
    """Evaluate every expression even when some fail (a failed one counts as unknown), as HCL does
    to report all errors of a tuple, an object, a template, an operation or a call at once."""
    values: list[Value] = []
    diags: list[HclDiagnostic] = []
    for expr in exprs:
        try:
            values.append(evaluate(expr, ctx))
        except DiagnosticError as err:
            diags.extend(err.diagnostics)
            values.append(unknown(DYNAMIC))
    return values, diags


def variables_of(expr: Expr, ctx: EvalContext | None, evaluate: Evaluator) -> tuple[str, ...]:
    """The "with x as 1" lines of a diagnostic about ``expr`` (none without a context or references)."""
    return describe_variables(expr, ctx, evaluate) if ctx is not None else ()
