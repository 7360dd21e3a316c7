"""Type conversion and error-catching functions: ``tostring`` & co, ``sensitive``/``nonsensitive``, and
the three functions whose arguments are expressions rather than values: ``try``, ``can`` (HCL's
tryfunc) and ``convert`` (typeexpr's, whose second argument is a type such as ``list(string)``).

An ``ExpressionFunction`` is called by the evaluator with the call's syntax:
``fn.call_expressions(call, ctx, evaluate)``. Called like a plain function (already evaluated
values), it still gives the right answer for every value that did evaluate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kiln.hcl.convert import ConversionError, constraint_name, convert, mismatch_message, strip_marks
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic
from kiln.hcl.format import go_quote
from kiln.hcl.function import ArgError, ArityError, FunctionError, Param
from kiln.hcl.references import traversal_exprs
from kiln.hcl.syntax import Expr, FunctionCall
from kiln.hcl.types import parse_type
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    SENSITIVE,
    STRING,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Value,
    unknown,
)

from ._support import define
from .collection import wholly_known

Evaluate = Callable[[Expr, Any], Value]

# ---- to* functions -----------------------------------------------------------------------------------


def _to(want: Type) -> Callable[[Sequence[Value]], Value]:
    def impl(args: Sequence[Value]) -> Value:
        arg = args[0]
        got = arg.type
        try:
            return convert(arg, want)
        except ConversionError:
            pass
        bare, marks = strip_marks(arg)
        wanted = constraint_name(want)
        if SENSITIVE in marks:
            raise ArgError(0, f"cannot convert this sensitive {got.friendly()} to {wanted}")
        if isinstance(got, TupleType) and isinstance(want, TupleType):
            raise ArgError(0, f"incompatible tuple type for conversion: {mismatch_message(got, want)}")
        if isinstance(got, ObjectType) and isinstance(want, ObjectType):
            raise ArgError(0, f"incompatible object type for conversion: {mismatch_message(got, want)}")
        what = "string" if bare.is_null or got != STRING else _go_quote(bare.v)
        if got == STRING and want == BOOL:
            raise ArgError(
                0, f'cannot convert {what} to bool; only the strings "true" or "false" are allowed'
            )
        if got == STRING and want == NUMBER:
            raise ArgError(
                0,
                f"cannot convert {what} to number; given string must be a decimal representation of a number",
            )
        raise ArgError(0, f"cannot convert {got.friendly()} to {wanted}")

    return impl


def _go_quote(s: str) -> str:
    return go_quote(s)


def _to_function(name: str, want: Type) -> Any:
    return define(
        name,
        [Param("v", DYNAMIC, allow_null=True, allow_marked=True, allow_dynamic_type=True)],
        _to(want),
        want,
    )


# ---- sensitive / nonsensitive ------------------------------------------------------------------------


def _sensitive(args: Sequence[Value]) -> Value:
    return args[0].mark(SENSITIVE)


def _nonsensitive(args: Sequence[Value]) -> Value:
    v = args[0]
    return Value(v.type, v.v, v.marks - {SENSITIVE})


_ANY_MARKED = Param(
    "value", DYNAMIC, allow_null=True, allow_unknown=True, allow_marked=True, allow_dynamic_type=True
)

# ---- try, can, convert -------------------------------------------------------------------------------


class ExpressionFunction:
    """A function that receives its arguments unevaluated (cty's expression-closure parameters)."""

    def __init__(self, name: str, params: tuple[str, ...], variadic: str | None, description: str) -> None:
        self.name = name
        self.param_names = params
        self.variadic = variadic
        self.description = description

    def check_arity(self, count: int) -> None:
        n = len(self.param_names)
        if count < n:
            raise ArityError(
                "Not enough function arguments",
                f'Function "{self.name}" expects {n} argument(s). Missing value for "{self.param_names[count]}".',
            )
        if count > n and self.variadic is None:
            raise ArityError(
                "Too many function arguments", f'Function "{self.name}" expects only {n} argument(s).'
            )

    def call_expressions(self, call: FunctionCall, ctx: Any, evaluate: Evaluate) -> Value:
        """Evaluate the call the way HCL does for this function. Raises ``FunctionError`` subclasses."""
        self.check_arity(len(call.args))
        return self._run(list(call.args), ctx, evaluate)

    def _run(self, exprs: list[Expr], ctx: Any, evaluate: Evaluate) -> Value:
        raise NotImplementedError

    def __call__(self, args: Sequence[Value]) -> Value:
        raise NotImplementedError


def depends_on_unknowns(expr: Expr, ctx: Any, evaluate: Evaluate) -> bool:
    """tryfunc's ``dependsOnUnknowns``: whether a variable the expression reads is not wholly known."""
    for _, ref in traversal_exprs(expr):
        try:
            v = evaluate(ref, ctx)
        except DiagnosticError:
            continue
        if not wholly_known(v):
            return True
    return False


def _diag_text(d: HclDiagnostic) -> str:
    if d.range is not None:
        r = d.range
        at = f"{r.filename}:{r.start.line},{r.start.column}-{r.end.column if r.end.line == r.start.line else r.end}"
        return f"- {d.summary} (at {at})\n  {d.detail}\n"
    return f"- {d.summary}\n  {d.detail}\n"


class _Try(ExpressionFunction):
    def _run(self, exprs: list[Expr], ctx: Any, evaluate: Evaluate) -> Value:
        if not exprs:
            raise FunctionError("at least one argument is required")
        diags: list[HclDiagnostic] = []
        for e in exprs:
            if depends_on_unknowns(e, ctx, evaluate):
                return unknown(DYNAMIC)
            try:
                return evaluate(e, ctx)
            except DiagnosticError as err:
                diags.extend(err.diagnostics)
        text = "no expression succeeded:\n" + "".join(_diag_text(d) for d in diags)
        raise FunctionError(text + "\nAt least one expression must produce a successful result")

    def __call__(self, args: Sequence[Value]) -> Value:
        if not args:
            raise FunctionError("at least one argument is required")
        return args[0] if wholly_known(args[0]) else unknown(DYNAMIC)


class _Can(ExpressionFunction):
    def _run(self, exprs: list[Expr], ctx: Any, evaluate: Evaluate) -> Value:
        if depends_on_unknowns(exprs[0], ctx, evaluate):
            return unknown(BOOL)
        try:
            evaluate(exprs[0], ctx)
        except DiagnosticError:
            return Value(BOOL, False)
        return Value(BOOL, True)

    def __call__(self, args: Sequence[Value]) -> Value:
        self.check_arity(len(args))
        return Value(BOOL, True) if wholly_known(args[0]) else unknown(BOOL)


class _Convert(ExpressionFunction):
    def _run(self, exprs: list[Expr], ctx: Any, evaluate: Evaluate) -> Value:
        value = evaluate(exprs[0], ctx)
        want = parse_type(exprs[1])
        return self.convert(value, want)

    @staticmethod
    def convert(value: Value, want: Type) -> Value:
        try:
            return convert(value, want)
        except ConversionError as err:
            raise ArgError(0, err.message) from None

    def __call__(self, args: Sequence[Value]) -> Value:
        raise FunctionError(
            "convert needs a type expression as its second argument (evaluate it with call_expressions)"
        )


EXPRESSION_FUNCTIONS: dict[str, ExpressionFunction] = {
    "try": _Try("try", (), "expressions", "The first of the expressions that evaluates without an error."),
    "can": _Can("can", ("expression",), None, "Whether the expression evaluates without an error."),
    "convert": _Convert("convert", ("value", "type"), None, "The value converted to the type constraint."),
}

FUNCTIONS = {
    "tostring": _to_function("tostring", STRING),
    "tonumber": _to_function("tonumber", NUMBER),
    "tobool": _to_function("tobool", BOOL),
    "tolist": _to_function("tolist", ListType(DYNAMIC)),
    "toset": _to_function("toset", SetType(DYNAMIC)),
    "tomap": _to_function("tomap", MapType(DYNAMIC)),
    "sensitive": define("sensitive", [_ANY_MARKED], _sensitive, lambda a: a[0].type),
    "nonsensitive": define("nonsensitive", [_ANY_MARKED], _nonsensitive, lambda a: a[0].type),
}
