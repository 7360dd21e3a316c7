"""The references an expression makes (``var.x``, ``local.y``, ``data.t.n.attr``), for dependency order."""

from __future__ import annotations

from kiln.hcl import syntax as syn


def references(expr: syn.Expr) -> list[syn.Traversal]:
    out: list[syn.Traversal] = []
    _walk(expr, frozenset(), out)
    return out


def _chain(expr: syn.Expr) -> tuple[syn.Variable, list[str | int]] | None:
    """``var.a["b"][0]`` -> (Variable var, ["a", "b", 0]); None when the root is not a variable."""
    steps: list[str | int] = []
    while True:
        if isinstance(expr, syn.GetAttr):
            steps.append(expr.name)
            expr = expr.source
        elif isinstance(expr, syn.Index) and isinstance(expr.key, syn.Literal) and expr.key.value.is_known:
            v = expr.key.value.v
            steps.append(v if isinstance(v, str) else int(v))
            expr = expr.source
        elif isinstance(expr, syn.Variable):
            return expr, list(reversed(steps))
        else:
            return None


def _walk(expr: syn.Expr, bound: frozenset[str], out: list[syn.Traversal]) -> None:
    chain = _chain(expr)
    if chain is not None:
        root, steps = chain
        if root.name not in bound:
            out.append(syn.Traversal(root.name, tuple(steps), root.range.to(expr.range)))
        _walk_indexes(expr, bound, out)
        return
    if isinstance(expr, syn.ForExpr | syn.TemplateFor):
        _walk(expr.collection, bound, out)
        inner = bound | {expr.value_var} | ({expr.key_var} if expr.key_var else set())
        if isinstance(expr, syn.ForExpr):
            for part in (expr.key_expr, expr.value_expr, expr.cond):
                if part is not None:
                    _walk(part, inner, out)
        else:
            _walk(expr.body, inner, out)
        return
    for child in _children(expr):
        _walk(child, bound, out)


def _walk_indexes(expr: syn.Expr, bound: frozenset[str], out: list[syn.Traversal]) -> None:
    """Index keys inside a traversal chain may themselves refer to variables (``var.m[local.k]``)."""
    while isinstance(expr, syn.GetAttr | syn.Index):
        if isinstance(expr, syn.Index):
            _walk(expr.key, bound, out)
        expr = expr.source


def _children(expr: syn.Expr) -> list[syn.Expr]:
    if isinstance(expr, syn.TemplateExpr):
        return list(expr.parts)
    if isinstance(expr, syn.TemplateWrap | syn.Parens):
        return [expr.wrapped if isinstance(expr, syn.TemplateWrap) else expr.expr]
    if isinstance(expr, syn.TemplateIf):
        return [expr.cond, expr.true_part] + ([expr.false_part] if expr.false_part else [])
    if isinstance(expr, syn.TupleCons):
        return list(expr.items)
    if isinstance(expr, syn.ObjectCons):
        return [e for item in expr.items for e in (item.key, item.value)]
    if isinstance(expr, syn.GetAttr):
        return [expr.source]
    if isinstance(expr, syn.Index):
        return [expr.source, expr.key]
    if isinstance(expr, syn.Splat):
        return [expr.source, expr.each]
    if isinstance(expr, syn.FunctionCall):
        return list(expr.args)
    if isinstance(expr, syn.Unary):
        return [expr.operand]
    if isinstance(expr, syn.Binary):
        return [expr.left, expr.right]
    if isinstance(expr, syn.Conditional):
        return [expr.cond, expr.true_expr, expr.false_expr]
    return []
