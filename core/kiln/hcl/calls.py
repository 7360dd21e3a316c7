"""Function calls (hclsyntax's ``FunctionCallExpr.Value``): lookup, ``...`` expansion, arity,
argument conversion and the diagnostics HCL gives for each failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiln.hcl.access import suggest
from kiln.hcl.context import EvalContext, Evaluator, evaluate_each, variables_of
from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.diagnostics import DiagnosticError, error
from kiln.hcl.function import ArgError, ArityError, Function, FunctionError
from kiln.hcl.syntax import Expr, FunctionCall, Range
from kiln.hcl.values import DYNAMIC, ListType, SetType, TupleType, Value, unknown


def call_function(e: FunctionCall, ctx: EvalContext | None, evaluate: Evaluator) -> Value:
    if ctx is None:
        raise DiagnosticError(
            [error("Function calls not allowed", "Functions may not be called here.", e.name_range)]
        )
    fn = ctx.function(e.name)
    if fn is None:
        hint = suggest(e.name, ctx.all_functions())
        suffix = f' Did you mean "{hint}"?' if hint else ""
        raise DiagnosticError(
            [
                error(
                    "Call to unknown function",
                    f'There is no function named "{e.name}".{suffix}',
                    e.name_range,
                    e.range,
                )
            ]
        )
    if hasattr(fn, "call_expressions"):  # try, can, convert: they receive their arguments unevaluated
        return _call_with_expressions(fn, e, ctx, evaluate)
    args: list[Value] = []
    ranges: list[Range] = []
    exprs: list[Expr] = []
    values, diags = evaluate_each(e.args, ctx, evaluate)  # HCL evaluates every argument and reports every error
    if diags:
        raise DiagnosticError(diags)
    for i, (arg_expr, value) in enumerate(zip(e.args, values, strict=True)):
        if e.expand_final and i == len(e.args) - 1:
            expanded = _expand(value, arg_expr, e, ctx, evaluate)
            if expanded is None:
                return unknown(DYNAMIC)
            args.extend(expanded)
            ranges.extend([arg_expr.range] * len(expanded))
            exprs.extend([arg_expr] * len(expanded))
        else:
            args.append(value)
            ranges.append(arg_expr.range)
            exprs.append(arg_expr)
    if not isinstance(fn, Function):
        return fn(args)  # type: ignore[no-any-return]
    return _call(fn, e, args, exprs, lambda expr: variables_of(expr, ctx, evaluate))


def _call_with_expressions(fn: Any, e: FunctionCall, ctx: EvalContext, evaluate: Evaluator) -> Value:
    try:
        return fn.call_expressions(e, ctx, evaluate)  # type: ignore[no-any-return]
    except ArityError as err:
        subject = e.close_paren_range if len(e.args) < len(fn.param_names) else e.args[len(fn.param_names)].range
        raise DiagnosticError([error(err.summary, err.message, subject, e.range)]) from None
    except ArgError as err:
        names = list(fn.param_names)
        name = names[err.index] if err.index < len(names) else (fn.variadic or "?")
        culprit: Expr = e.args[err.index] if err.index < len(e.args) else e
        raise DiagnosticError([error("Invalid function argument",
                                     f'Invalid value for "{name}" parameter: {err.message}.',
                                     culprit.range, e.range)]) from None
    except FunctionError as err:
        detail = f'Call to function "{e.name}" failed: {err.message}.'
        raise DiagnosticError([error("Error in function call", detail, e.range)]) from None


def _expand(
    value: Value, arg_expr: Expr, e: FunctionCall, ctx: Any, evaluate: Evaluator
) -> list[Value] | None:
    problem = ""
    if value.is_null:
        problem = "must not be null"
    elif not isinstance(value.type, ListType | SetType | TupleType):
        problem = "must be of a tuple, list, or set type"
    if problem:
        raise DiagnosticError(
            [
                error(
                    "Invalid expanding argument value",
                    f"The expanding argument (indicated by ...) {problem}.",
                    arg_expr.range,
                    e.range,
                    variables_of(arg_expr, ctx, evaluate),
                )
            ]
        )
    if not value.is_known:
        return None
    return [v.mark(*value.marks) if value.marks else v for v in value.v]


def _call(
    fn: Function,
    e: FunctionCall,
    args: list[Value],
    exprs: list[Expr],
    describe: Callable[[Expr], tuple[str, ...]],
) -> Value:
    ranges = [x.range for x in exprs]
    try:
        fn.check_arity(len(args), e.name)
    except ArityError as err:
        subject = e.close_paren_range if len(args) < len(fn.params) else ranges[len(fn.params)]
        raise DiagnosticError([error(err.summary, err.message, subject, e.range)]) from None
    converted: list[Value] = []
    diags = []
    for i, arg in enumerate(args):
        param = fn.param_for(i)
        assert param is not None
        try:
            converted.append(convert(arg, param.type))
        except ConversionError as err:
            detail = f'Invalid value for "{param.name}" parameter: {err.message}.'
            diags.append(error("Invalid function argument", detail, ranges[i], e.range, describe(exprs[i])))
    if diags:
        raise DiagnosticError(diags)
    try:
        return fn.call(converted)
    except ArgError as err:
        param = fn.param_for(err.index)
        name = param.name if param is not None else "?"
        culprit: Expr = exprs[err.index] if err.index < len(exprs) else e
        raise DiagnosticError(
            [
                error(
                    "Invalid function argument",
                    f'Invalid value for "{name}" parameter: {err.message}.',
                    culprit.range,
                    e.range,
                    describe(culprit),
                )
            ]
        ) from None
    except FunctionError as err:
        detail = f'Call to function "{e.name}" failed: {err.message}.'
        raise DiagnosticError([error("Error in function call", detail, e.range, None, describe(e))]) from None
