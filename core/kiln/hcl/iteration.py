"""``for`` expressions, ``%{for}`` template directives and splat expressions (hclsyntax semantics)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from kiln.hcl.context import ANON, EvalContext, Evaluator, variables_of
from kiln.hcl.convert import ConversionError, convert, object_type, strip_marks, unify
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic, error
from kiln.hcl.format import go_quote
from kiln.hcl.syntax import Expr, ForExpr, Splat, TemplateFor
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    Dynamic,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Value,
    unknown,
)


def _elements(coll: Value) -> Iterator[tuple[Value, Value]]:
    """(key, value) pairs in cty's order: indexes for sequences, sorted keys for maps and objects."""
    if isinstance(coll.v, list):
        for i, v in enumerate(coll.v):
            key = v if isinstance(coll.type, SetType) else Value(NUMBER, Decimal(i))
            yield key, v
    else:
        for k in sorted(coll.v):
            yield Value(STRING, k), coll.v[k]


def _collection(e: ForExpr, ctx: EvalContext | None, evaluate: Evaluator) -> Value | None:
    coll = evaluate(e.collection, ctx)
    if coll.is_null:
        raise DiagnosticError(
            [
                error(
                    "Iteration over null value",
                    "A null value cannot be used as the collection in a 'for' expression.",
                    e.collection.range,
                    e.range,
                    variables_of(e.collection, ctx, evaluate),
                )
            ]
        )
    if isinstance(coll.type, Dynamic):
        return None
    if not isinstance(coll.type, ListType | SetType | TupleType | MapType | ObjectType):
        raise DiagnosticError(
            [
                error(
                    "Iteration over non-iterable value",
                    f"A value of type {coll.type.friendly()} cannot be used as the collection in a 'for' expression.",
                    e.collection.range,
                    e.range,
                    variables_of(e.collection, ctx, evaluate),
                )
            ]
        )
    if not coll.is_known:
        return None
    return coll


def _include(e: ForExpr, child: Any, evaluate: Evaluator, early: bool = False) -> bool | None:
    """The ``if`` clause for the current element: True/False, or None when unknown. ``early``: HCL's
    check of the clause before iterating, which names a null result differently."""
    assert e.cond is not None
    raw = evaluate(e.cond, child)
    if raw.is_null:
        raise DiagnosticError(
            [
                error(
                    "Condition is null" if early else "Invalid 'for' condition",
                    "The value of the 'if' clause must not be null.",
                    e.cond.range,
                    e.range,
                    variables_of(e.cond, child, evaluate),
                )
            ]
        )
    try:
        inc = convert(raw, BOOL)
    except ConversionError as err:
        raise DiagnosticError(
            [
                error(
                    "Invalid 'for' condition",
                    f"The 'if' clause value is invalid: {err.message}.",
                    e.cond.range,
                    e.range,
                    variables_of(e.cond, child, evaluate),
                )
            ]
        ) from None
    if not inc.is_known:
        return None
    return bool(strip_marks(inc)[0].v)


MAX_ITERATIONS = 1_000_000
"""For-expression iterations one kiln process evaluates (nested ones multiply: three nested loops over
range(1024) would take hours); beyond it the expression is an error."""
_iterations = [0]


def _count(e: ForExpr, n: int) -> None:
    _iterations[0] += n
    if _iterations[0] > MAX_ITERATIONS:
        raise DiagnosticError([error(
            "Too much iteration",
            f"The for expressions of this configuration iterate more than {MAX_ITERATIONS:,} times in all; "
            "kiln stops here. Iterate over smaller collections.", e.range)])


def for_expr(e: ForExpr, ctx: EvalContext | None, evaluate: Evaluator) -> Value:
    coll = _collection(e, ctx, evaluate)
    if coll is None:
        return unknown(DYNAMIC)
    _count(e, len(coll.v) if isinstance(coll.v, list | dict) else 0)
    coll, marks = coll.unmark(), coll.marks
    base = ctx if ctx is not None else EvalContext()
    if e.cond is not None:  # HCL's early check of the condition with unknown iteration values
        names = {e.value_var: unknown(DYNAMIC)} | ({e.key_var: unknown(DYNAMIC)} if e.key_var else {})
        _include(e, base.child(names), evaluate, early=True)
    known = True
    items: list[Value] = []
    attrs: dict[str, Value] = {}
    groups: dict[str, list[Value]] = {}
    diags: list[HclDiagnostic] = []  # like HCL, keep iterating after an error and report them all
    key_marks: set[str] = set()
    for key, value in _elements(coll):
        child = base.child({e.value_var: value} | ({e.key_var: key} if e.key_var else {}))
        try:
            if e.cond is not None:
                inc = _include(e, child, evaluate)
                if inc is None:
                    known = False
                    continue
                if not inc:
                    continue
            if e.key_expr is None:
                items.append(evaluate(e.value_expr, child))
                continue
            key_value = _object_key(e, e.key_expr, child, evaluate)
            if key_value is None:
                known = False
                continue
            k = str(key_value.v)
            key_marks |= key_value.marks  # a sensitive key makes the whole object sensitive
            v = evaluate(e.value_expr, child)
        except DiagnosticError as err:
            diags.extend(err.diagnostics)
            continue
        if e.group:
            groups.setdefault(k, []).append(v)
        elif k in attrs:
            diags.append(
                error(
                    "Duplicate object key",
                    f"Two different items produced the key {_shown(k, key_value)} in this 'for' expression. If duplicates "
                    "are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                    e.key_expr.range,
                    e.range,
                    variables_of(e.key_expr, child, evaluate),
                )
            )
        else:
            attrs[k] = v
    if diags:
        raise DiagnosticError(diags)
    marks = marks | frozenset(key_marks)
    if not known:
        return unknown(DYNAMIC).mark(*marks)
    if e.key_expr is None:
        result = Value(TupleType(tuple(v.type for v in items)), items)
    else:
        if e.group:
            attrs = {k: Value(TupleType(tuple(v.type for v in vs)), vs) for k, vs in groups.items()}
        attrs = dict(sorted(attrs.items()))
        result = Value(object_type({k: v.type for k, v in attrs.items()}), attrs)
    return result.mark(*marks) if marks else result


def _object_key(e: ForExpr, key_expr: Expr, child: Any, evaluate: Evaluator) -> Value | None:
    raw = evaluate(key_expr, child)
    if raw.is_null:
        raise DiagnosticError(
            [
                error(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    key_expr.range,
                    e.range,
                    variables_of(key_expr, child, evaluate),
                )
            ]
        )
    if not raw.is_known:
        return None
    try:
        key = convert(raw, STRING)
    except ConversionError as err:
        raise DiagnosticError(
            [
                error(
                    "Invalid object key",
                    f"The key expression produced an invalid result: {err.message}.",
                    key_expr.range,
                    e.range,
                    variables_of(key_expr, child, evaluate),
                )
            ]
        ) from None
    return key


def _shown(key: str, value: Value) -> str:
    """The key as the duplicate-key message quotes it; a sensitive key is not shown."""
    return "(sensitive value)" if value.is_sensitive else go_quote(key)


def template_for(e: TemplateFor, ctx: EvalContext | None, evaluate: Evaluator) -> Value:
    loop = ForExpr(e.key_var, e.value_var, e.collection, None, e.body, None, False, e.range, e.range)
    results = for_expr(loop, ctx, evaluate)
    if not results.is_known:
        return unknown(STRING).mark(*results.marks)
    marks = set(results.marks)
    out: list[str] = []
    for v in results.v:
        if v.is_null:
            raise DiagnosticError(
                [
                    error(
                        "Invalid template interpolation value",
                        "An iteration result is null. Cannot include a null value in a string template.",
                        e.range,
                    )
                ]
            )
        if not v.is_known:
            return unknown(STRING).mark(*marks)
        s = convert(v, STRING)
        marks |= s.marks
        out.append(s.v)
    result = Value(STRING, "".join(out))
    return result.mark(*marks) if marks else result


def splat(e: Splat, ctx: EvalContext | None, evaluate: Evaluator) -> Value:
    source = evaluate(e.source, ctx)
    if source.is_null:
        return unknown(DYNAMIC)  # HCL as in Packer 1.6.6; later versions give an empty tuple
    if isinstance(source.type, Dynamic):
        return unknown(DYNAMIC).mark(*source.marks)
    upgraded_unknown = False
    is_seq = isinstance(source.type, ListType | SetType | TupleType)
    if not is_seq:
        upgraded_unknown = not source.is_known
        source = Value(TupleType((source.type,)), [source])
    if not source.is_known:
        if isinstance(source.type, ListType | SetType):
            return unknown(ListType(DYNAMIC)).mark(*source.marks)
        return unknown(DYNAMIC).mark(*source.marks)
    source, marks = source.unmark(), source.marks
    base = ctx if ctx is not None else EvalContext()
    values = [evaluate(e.each, base.child({ANON: item})) for item in source.v]
    if upgraded_unknown:
        return unknown(DYNAMIC).mark(*marks)
    if isinstance(source.type, ListType | SetType):
        elem_t = unify([v.type for v in values]) or DYNAMIC  # an empty list's element type stays unknown
        result = Value(ListType(elem_t), [convert(v, elem_t) for v in values])
    else:
        result = Value(TupleType(tuple(v.type for v in values)), values)
    return result.mark(*marks) if marks else result
