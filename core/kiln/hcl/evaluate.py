"""Evaluation of HCL expressions to ``Value``s, with hclsyntax's semantics and diagnostics.

``evaluate(expr, ctx)`` returns a Value or raises ``DiagnosticError`` naming the range of the offending
sub-expression. Unknown values propagate (an operation on an unknown yields an unknown of the right
type); marks such as ``sensitive`` flow into every result computed from a marked value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kiln.hcl import access, context, ops
from kiln.hcl.branching import conditional, template_if
from kiln.hcl.calls import call_function
from kiln.hcl.context import ANON, EvalContext
from kiln.hcl.convert import ConversionError, convert, object_type
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic, error
from kiln.hcl.iteration import for_expr, splat, template_for
from kiln.hcl.syntax import (
    AnonSymbol,
    Binary,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    Parens,
    Splat,
    TemplateExpr,
    TemplateFor,
    TemplateIf,
    TemplateWrap,
    TupleCons,
    Unary,
    Variable,
)
from kiln.hcl.values import DYNAMIC, STRING, TupleType, Value, unknown

__all__ = ["ANON", "EvalContext", "evaluate", "evaluate_each"]  # EvalContext lives in kiln.hcl.context

def evaluate(expr: Expr, ctx: EvalContext | None = None) -> Value:
    """The value of ``expr``; ``ctx`` None means no variables or functions may be used."""
    handler = _HANDLERS.get(type(expr))
    if handler is None:  # pragma: no cover - every syntax node has a handler
        raise TypeError(f"cannot evaluate {type(expr).__name__}")
    return handler(expr, ctx)


def evaluate_each(exprs: Sequence[Expr], ctx: EvalContext | None) -> tuple[list[Value], list[HclDiagnostic]]:
    """Evaluate every expression even when some fail (a failed one counts as unknown), as HCL does
    to report all errors of a tuple, an object, a template, an operation or a call at once."""
    return context.evaluate_each(exprs, ctx, evaluate)


def _literal(e: Literal, ctx: EvalContext | None) -> Value:
    return e.value


def _variable(e: Variable, ctx: EvalContext | None) -> Value:
    if ctx is None:
        raise DiagnosticError([error("Variables not allowed", "Variables may not be used here.", e.range)])
    value = ctx.lookup(e.name)
    if value is None:
        hint = access.suggest(e.name, ctx.all_names())
        suffix = f' Did you mean "{hint}"?' if hint else ""
        raise DiagnosticError(
            [error("Unknown variable", f'There is no variable named "{e.name}".{suffix}', e.range)]
        )
    return value


def _anon(e: AnonSymbol, ctx: EvalContext | None) -> Value:
    value = ctx.lookup(ANON) if ctx is not None else None
    return value if value is not None else unknown(DYNAMIC)


def _get_attr(e: GetAttr, ctx: EvalContext | None) -> Value:
    source = evaluate(e.source, ctx)
    try:
        return access.get_attr(source, e.name)
    except access.AccessError as err:
        raise _diag(err.summary, err.detail, e.name_range, None, e, ctx) from None


def _index(e: Index, ctx: EvalContext | None) -> Value:
    (source, key), diags = evaluate_each([e.source, e.key], ctx)
    if diags:
        raise DiagnosticError(diags)
    try:
        return access.index(source, key)
    except access.AccessError as err:
        raise _diag(err.summary, err.detail, e.bracket_range, None, e, ctx) from None


def _diag(
    summary: str, detail: str, subject: Any, context: Any, expr: Expr | None, ctx: EvalContext | None
) -> DiagnosticError:
    values = _with(expr, ctx) if expr is not None else ()
    return DiagnosticError([error(summary, detail, subject, context, values)])


def _parens(e: Parens, ctx: EvalContext | None) -> Value:
    return evaluate(e.expr, ctx)


def _tuple(e: TupleCons, ctx: EvalContext | None) -> Value:
    items, diags = evaluate_each(e.items, ctx)
    if diags:
        raise DiagnosticError(diags)
    return Value(TupleType(tuple(v.type for v in items)), items)


_AMBIGUOUS = (
    "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a "
    "literal name containing periods, wrap it in quotes to create a string literal."
)


def _object(e: ObjectCons, ctx: EvalContext | None) -> Value:
    attrs: dict[str, Value] = {}
    known = True
    marks: set[str] = set()
    diags: list[HclDiagnostic] = []
    for item in e.items:
        if item.ambiguous:
            diags.append(error("Ambiguous attribute key", _AMBIGUOUS, item.key.range))
            known = False
            continue
        (key, value), item_diags = evaluate_each([item.key, item.value], ctx)
        diags.extend(item_diags)
        problem = ("", "")
        if key.is_null:
            problem = ("Null value as key", "Can't use a null value as a key.")
        else:
            try:
                key = convert(key, STRING)
            except ConversionError as err:
                problem = ("Incorrect key type", f"Can't use this value as a key: {err.message}.")
        if problem[0]:
            diags.append(error(problem[0], problem[1], item.key.range))
        if item_diags or problem[0] or not key.is_known:
            known = False
            continue
        marks |= key.marks
        attrs.pop(key.v, None)  # a repeated key: the last one wins
        attrs[key.v] = value
    if diags:
        raise DiagnosticError(diags)
    if not known:
        return unknown(DYNAMIC).mark(*marks)
    result = Value(object_type({k: v.type for k, v in attrs.items()}), dict(sorted(attrs.items())))
    return result.mark(*marks) if marks else result


def _operands(
    op: ops.Operator, sides: list[tuple[str, Expr]], whole: Expr, ctx: EvalContext | None
) -> list[Value]:
    """Evaluate and convert each operand, reporting every unsuitable one (as HCL does)."""
    values, diags = evaluate_each([expr for _, expr in sides], ctx)
    if diags:
        raise DiagnosticError(diags)
    out: list[Value] = []
    for (side, expr), value in zip(sides, values, strict=True):
        try:
            out.append(convert(value, op.operand))
        except ConversionError as err:
            detail = f"Unsuitable value for {side} operand: {err.message}."
            values_text = _with(expr, ctx)
            diags.append(error("Invalid operand", detail, expr.range, whole.range, values_text))
    if diags:
        raise DiagnosticError(diags)
    return out


def _with(expr: Expr, ctx: EvalContext | None) -> tuple[str, ...]:
    return context.variables_of(expr, ctx, evaluate)


def _binary(e: Binary, ctx: EvalContext | None) -> Value:
    op = ops.BINARY[e.op]
    return _apply(op, _operands(op, [("left", e.left), ("right", e.right)], e, ctx), e, ctx)


def _unary(e: Unary, ctx: EvalContext | None) -> Value:
    op = ops.UNARY[e.op]
    return _apply(op, _operands(op, [("unary", e.operand)], e, ctx), e, ctx)


def _apply(op: ops.Operator, args: list[Value], e: Expr, ctx: EvalContext | None) -> Value:
    try:
        return ops.apply(op, args)
    except ops.OperationError as err:
        raise DiagnosticError(
            [
                error(
                    "Operation failed",
                    f"Error during operation: {err.message}.",
                    e.range,
                    None,
                    _with(e, ctx),
                )
            ]
        ) from None


def _conditional(e: Conditional, ctx: EvalContext | None) -> Value:
    return conditional(e, ctx, evaluate)


def _template(e: TemplateExpr, ctx: EvalContext | None) -> Value:
    out: list[str] = []
    known = True
    marks: set[str] = set()
    values, diags = evaluate_each(e.parts, ctx)
    for part, value in zip(e.parts, values, strict=True):
        problem = ""
        if value.is_null:
            problem = "The expression result is null. Cannot include a null value in a string template."
        elif not value.is_known:
            known = False
            marks |= value.marks
            continue
        else:
            try:
                text = convert(value, STRING)
            except ConversionError as err:
                problem = f"Cannot include the given value in a string template: {err.message}."
        if problem:
            diags.append(
                error("Invalid template interpolation value", problem, part.range, e.range, _with(part, ctx))
            )
            continue
        marks |= text.marks
        out.append(text.v)
    if diags:
        raise DiagnosticError(diags)
    result = Value(STRING, "".join(out)) if known else unknown(STRING)
    return result.mark(*marks) if marks else result


def _template_wrap(e: TemplateWrap, ctx: EvalContext | None) -> Value:
    return evaluate(e.wrapped, ctx)


def _template_if(e: TemplateIf, ctx: EvalContext | None) -> Value:
    return template_if(e, ctx, evaluate)


def _function_call(e: FunctionCall, ctx: EvalContext | None) -> Value:
    return call_function(e, ctx, evaluate)


def _for(e: ForExpr, ctx: EvalContext | None) -> Value:
    return for_expr(e, ctx, evaluate)


def _template_for(e: TemplateFor, ctx: EvalContext | None) -> Value:
    return template_for(e, ctx, evaluate)


def _splat(e: Splat, ctx: EvalContext | None) -> Value:
    return splat(e, ctx, evaluate)


_HANDLERS: dict[type, Callable[[Any, EvalContext | None], Value]] = {
    Literal: _literal,
    Variable: _variable,
    AnonSymbol: _anon,
    GetAttr: _get_attr,
    Index: _index,
    Parens: _parens,
    TupleCons: _tuple,
    ObjectCons: _object,
    Binary: _binary,
    Unary: _unary,
    Conditional: _conditional,
    TemplateExpr: _template,
    TemplateWrap: _template_wrap,
    TemplateIf: _template_if,
    TemplateFor: _template_for,
    FunctionCall: _function_call,
    ForExpr: _for,
    Splat: _splat,
}
