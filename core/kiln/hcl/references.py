"""Which variables an expression refers to (hclsyntax's ``Variables()``).

``traversals(expr)`` lists every reference with its root name, static steps and range, in source
order, leaving out the names a ``for`` expression or ``%{for}`` directive declares for its body; the
template layer orders locals and data sources with it.
"""

from __future__ import annotations

from collections.abc import Iterator

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
    Traversal,
    TupleCons,
    Unary,
    Variable,
)

__all__ = ["children", "traversal_exprs", "traversals"]


def children(e: Expr) -> list[Expr]:
    """The direct sub-expressions of ``e``."""
    if isinstance(e, GetAttr):
        return [e.source]
    if isinstance(e, Index):
        return [e.source, e.key]
    if isinstance(e, Splat):
        return [e.source, e.each]
    if isinstance(e, Parens | TemplateWrap):
        return [e.expr if isinstance(e, Parens) else e.wrapped]
    if isinstance(e, TupleCons):
        return list(e.items)
    if isinstance(e, ObjectCons):
        return [x for item in e.items for x in (item.key, item.value)]
    if isinstance(e, Binary):
        return [e.left, e.right]
    if isinstance(e, Unary):
        return [e.operand]
    if isinstance(e, Conditional):
        return [e.cond, e.true_expr, e.false_expr]
    if isinstance(e, TemplateExpr):
        return list(e.parts)
    if isinstance(e, TemplateIf):
        return [e.cond, e.true_part] + ([e.false_part] if e.false_part else [])
    if isinstance(e, TemplateFor):
        return [e.collection, e.body]
    if isinstance(e, FunctionCall):
        return list(e.args)
    if isinstance(e, ForExpr):
        return [e.collection] + [x for x in (e.key_expr, e.value_expr, e.cond) if x is not None]
    return []


def _static_key(e: Expr) -> str | int | None:
    if isinstance(e, TemplateExpr) and len(e.parts) == 1:
        e = e.parts[0]
    if isinstance(e, Literal) and e.value.is_known and not e.value.is_null:
        v = e.value.v
        if isinstance(v, str):
            return v
        if not isinstance(v, bool) and v == v.to_integral_value():
            return int(v)
    return None


def _chain(e: Expr) -> tuple[str, tuple[str | int, ...]] | None:
    """``(root, steps)`` when ``e`` is a static traversal such as ``var.x[0]["k"]``."""
    if isinstance(e, Variable):
        return e.name, ()
    if isinstance(e, GetAttr):
        inner = _chain(e.source)
        return (inner[0], inner[1] + (e.name,)) if inner else None
    if isinstance(e, Index):
        key = _static_key(e.key)
        inner = _chain(e.source)
        return (inner[0], inner[1] + (key,)) if inner and key is not None else None
    return None


def _walk(e: Expr, hidden: frozenset[str]) -> Iterator[tuple[Expr, str, tuple[str | int, ...]]]:
    chain = _chain(e)
    if chain is not None:
        if chain[0] not in hidden:
            yield e, chain[0], chain[1]
        return
    if isinstance(e, AnonSymbol):
        return
    if isinstance(e, ForExpr | TemplateFor):
        yield from _walk(e.collection, hidden)
        inner = hidden | {n for n in (e.key_var, e.value_var) if n}
        body = (
            [e.body] if isinstance(e, TemplateFor) else [x for x in (e.key_expr, e.value_expr, e.cond) if x]
        )
        for b in body:
            yield from _walk(b, inner)
        return
    for c in children(e):
        yield from _walk(c, hidden)


def traversals(expr: Expr) -> list[Traversal]:
    """Every variable reference in ``expr`` (root name, static steps, source range), in source order."""
    return [Traversal(root, steps, e.range) for e, root, steps in _walk(expr, frozenset())]


def _text(root: str, steps: tuple[str | int, ...], e: Expr) -> str:
    out = [root]
    node_steps: list[tuple[Expr, str | int]] = []
    cur = e
    while isinstance(cur, GetAttr | Index):
        node_steps.append(
            (cur, cur.name if isinstance(cur, GetAttr) else steps[len(steps) - 1 - len(node_steps)])
        )
        cur = cur.source
    for node, step in reversed(node_steps):
        if isinstance(node, GetAttr):
            out.append(f".{step}")
        elif isinstance(step, int):
            out.append(f"[{step}]")
        else:
            out.append(f'["{step}"]')
    return "".join(out)


def traversal_exprs(expr: Expr) -> list[tuple[str, Expr]]:
    """Each reference as HCL writes it (``var.x[0]``) with its sub-expression, for diagnostics."""
    return [(_text(root, steps, e), e) for e, root, steps in _walk(expr, frozenset())]
