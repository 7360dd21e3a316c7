"""Locals and data sources, evaluated in dependency order (one graph for both, as Packer does today).

A data source's settings may use variables, locals and other data sources; the engine runs it (through
its plugin) with the ``DataResolver`` it gave ``load_template`` and hands back the output value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kiln.hcl import syntax as syn
from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.references import traversals as references
from kiln.hcl.values import BOOL, DYNAMIC, Value, unknown
from kiln.template.blocks import ComponentDecl, LocalDecl
from kiln.template.body import Body, JsonBody, NativeBody
from kiln.template.component import HclComponent
from kiln.template.diag import error
from kiln.template.graph import dependency_order
from kiln.template.hclapi import eval_expr
from kiln.template.model import ComponentSpec, TemplateError
from kiln.template.scope import Scope

DataResolver = Callable[[ComponentSpec], Value]
"""Runs one data source (``component.type``/``.name``; the engine decodes it with the plugin's schema)
and returns its output as a value; raises ``TemplateError`` with diagnostics when it fails."""

Node = tuple[str, ...]  # ("local", name) | ("data", type, name)


def body_expressions(body: Body) -> list[syn.Expr]:
    if isinstance(body, NativeBody):
        return _native_exprs(body.syntax)
    assert isinstance(body, JsonBody)
    return [a.expr for a in body.content({}).attributes.values()]


def _native_exprs(body: syn.Body) -> list[syn.Expr]:
    out = [a.expr for a in body.attributes]
    for b in body.blocks:
        out += _native_exprs(b.body)
    return out


def _deps(exprs: list[syn.Expr]) -> list[Node]:
    out: list[Node] = []
    for e in exprs:
        for t in references(e):
            if t.root == "local" and t.steps and isinstance(t.steps[0], str):
                out.append(("local", t.steps[0]))
            elif t.root == "data" and len(t.steps) >= 2 and all(isinstance(s, str) for s in t.steps[:2]):
                out.append(("data", str(t.steps[0]), str(t.steps[1])))
    return out


def _node_name(n: Node) -> str:
    return ".".join(n)


def evaluate_locals_and_data(
    scope: Scope,
    locals_: Mapping[str, LocalDecl],
    data: Mapping[tuple[str, str], ComponentDecl],
    resolve_data: DataResolver | None,
    lenient: bool,
    diags: list[HclDiagnostic],
) -> list[Value]:
    """Fill ``scope.locals`` and ``scope.data``. Returns the values of sensitive locals.

    ``lenient`` (the console): a local that fails to evaluate is left out without a diagnostic.
    """
    deps: dict[Node, list[Node]] = {}
    ranges: dict[Node, syn.Range] = {}
    for name, decl in locals_.items():
        deps[("local", name)] = _deps([decl.expr.expr])
        ranges[("local", name)] = decl.range
    for (type_, name), comp in data.items():
        deps[("data", type_, name)] = _deps(body_expressions(comp.body))
        ranges[("data", type_, name)] = comp.range
    order, cycles = dependency_order(deps)
    for cycle in cycles:
        chain = " -> ".join(_node_name(n) for n in cycle + [cycle[0]])
        diags.append(error(
            "Cycle in local and data source definitions",
            f"These definitions refer to each other, so none of them can be evaluated: {chain}. "
            "Break the cycle by removing one of these references.", ranges[cycle[0]],
        ))
    sensitive: list[Value] = []
    for node in order:
        if node[0] == "local":
            decl = locals_[node[1]]
            val, d = eval_expr(decl.expr.expr, scope.context())
            if d:
                if not lenient:
                    diags += d
                continue
            if decl.sensitive is not None and _is_true(decl.sensitive.expr, diags):
                val = val.mark("sensitive")
                sensitive.append(val)
            else:  # sensitive("...") or a value made from sensitive ones: those parts are secret too
                sensitive += _marked(val)
            scope.locals[node[1]] = val
        else:
            comp = data[(node[1], node[2])]
            spec = HclComponent(comp.type, comp.name, comp.range, [comp.body], lambda _bv: scope.context())
            out = unknown(DYNAMIC)
            if resolve_data is not None:
                try:
                    out = resolve_data(spec)
                except TemplateError as err:
                    diags += err.diagnostics
            scope.data.setdefault(comp.type, {})[comp.name] = out
            sensitive += _marked(out)  # outputs a data source's schema calls sensitive
    return sensitive


def _marked(value: Value) -> list[Value]:
    """The parts of ``value`` marked sensitive."""
    if value.is_sensitive:
        return [value]
    if not value.is_known or value.is_null:
        return []
    if isinstance(value.v, list):
        return [m for e in value.v for m in _marked(e)]
    if isinstance(value.v, dict):
        return [m for e in value.v.values() for m in _marked(e)]
    return []


def _is_true(expr: syn.Expr, diags: list[HclDiagnostic]) -> bool:
    val, d = eval_expr(expr, None)
    diags += d
    try:
        return bool(convert(val, BOOL).v) if val.is_known and not val.is_null else False
    except ConversionError as err:
        diags.append(error("Unsuitable value type", f"Unsuitable value: {err.message}", expr.range))
        return False


__all__ = ["DataResolver", "evaluate_locals_and_data"]
