"""Conditionals: ``c ? a : b`` and ``%{ if c }...%{ else }...%{ endif }`` (HCL's ``ConditionalExpr``).

Both results are evaluated and their types unified first (so ``true ? 1 : "a"`` is the string "1");
the condition then picks one. As in Packer 1.6.6's HCL, an error in the result not taken is ignored.
"""

from __future__ import annotations

from typing import Any

from kiln.hcl.context import Evaluator, variables_of
from kiln.hcl.convert import ConversionError, convert, strip_marks, unify
from kiln.hcl.diagnostics import DiagnosticError, error
from kiln.hcl.syntax import Conditional, Expr, TemplateIf
from kiln.hcl.values import BOOL, DYNAMIC, STRING, Dynamic, Value, null, unknown


def conditional(e: Conditional, ctx: Any, evaluate: Evaluator) -> Value:
    true_v, true_err = _try(e.true_expr, ctx, evaluate)
    false_v, false_err = _try(e.false_expr, ctx, evaluate)
    return choose(e, ctx, evaluate, true_v, true_err, false_v, false_err)


def template_if(e: TemplateIf, ctx: Any, evaluate: Evaluator) -> Value:
    true_v, true_err = _try(e.true_part, ctx, evaluate)
    if e.false_part is None:
        false_v, false_err = Value(STRING, ""), None
    else:
        false_v, false_err = _try(e.false_part, ctx, evaluate)
    return choose(e, ctx, evaluate, true_v, true_err, false_v, false_err)


def _try(expr: Expr, ctx: Any, evaluate: Evaluator) -> tuple[Value, DiagnosticError | None]:
    try:
        return evaluate(expr, ctx), None
    except DiagnosticError as err:
        return unknown(DYNAMIC), err


def choose(
    e: Conditional | TemplateIf,
    ctx: Any,
    evaluate: Evaluator,
    true_v: Value,
    true_err: DiagnosticError | None,
    false_v: Value,
    false_err: DiagnosticError | None,
) -> Value:
    """HCL's ``ConditionalExpr``: unify both results' types, then pick one by the condition."""
    true_r = e.true_expr.range if isinstance(e, Conditional) else e.true_part.range
    if isinstance(e, Conditional):
        false_r = e.false_expr.range
    else:
        false_r = e.false_part.range if e.false_part is not None else e.range
    dyn_null = null(DYNAMIC)
    result_t: Any
    if true_v == dyn_null:
        result_t = false_v.type
    elif false_v == dyn_null:
        result_t = true_v.type
    elif isinstance(true_v.type, Dynamic) or isinstance(false_v.type, Dynamic):
        result_t = DYNAMIC
    else:
        result_t = unify([true_v.type, false_v.type])
    if result_t is None:
        raise DiagnosticError(
            [
                error(
                    "Inconsistent conditional result types",
                    "The true and false result expressions must have consistent types. The given expressions "
                    f"are {true_v.type.friendly()} and {false_v.type.friendly()}, respectively.",
                    true_r.to(false_r),
                    e.range,
                    variables_of(e, ctx, evaluate),
                )
            ]
        )
    cond = evaluate(e.cond, ctx)
    if cond.is_null:
        raise DiagnosticError(
            [
                error(
                    "Null condition",
                    "The condition value is null. Conditions must either be true or false.",
                    e.cond.range,
                    None,
                    variables_of(e.cond, ctx, evaluate),
                )
            ]
        )
    if not cond.is_known:
        return unknown(result_t).mark(*cond.marks)
    try:
        cond = convert(cond, BOOL)
    except ConversionError:
        raise DiagnosticError(
            [
                error(
                    "Incorrect condition type",
                    "The condition expression must be of type bool.",
                    e.cond.range,
                    None,
                    variables_of(e.cond, ctx, evaluate),
                )
            ]
        ) from None
    bare, marks = strip_marks(cond)
    chosen, err, which, rng = (
        (true_v, true_err, "true", true_r) if bare.v else (false_v, false_err, "false", false_r)
    )
    if err is not None:
        raise err
    try:
        chosen = convert(chosen, result_t)
    except ConversionError as cerr:
        raise DiagnosticError(
            [
                error(
                    "Inconsistent conditional result types",
                    f"The {which} result value has the wrong type: {cerr.message}.",
                    rng,
                    e.range,
                    variables_of(e, ctx, evaluate),
                )
            ]
        ) from None
    return chosen.mark(*marks) if marks else chosen
