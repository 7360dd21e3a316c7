"""HCL's JSON syntax: JSON values as HCL expressions.

Strings are string templates (``"${var.x}-y"``), with ranges inside the string when it has no escape
sequences (else the whole string's range); numbers, booleans and null are literals; arrays are tuples;
objects are objects whose keys are templates too.
"""

from __future__ import annotations

from kiln.hcl import syntax as syn
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.values import BOOL, NUMBER, STRING, Value, null
from kiln.template.hclapi import parse_expression, parse_template
from kiln.template.jsonsyntax import JArray, JBool, JNode, JNull, JNumber, JObject, JString, Pos


def rng(filename: str, start: Pos, end: Pos, width: int = 0) -> syn.Range:
    if width:
        end = Pos(start.line, start.column + width, start.byte + width)
    return syn.Range(filename, start, end)


def _inner_start(s: JString) -> Pos:
    return Pos(s.start.line, s.start.column + 1, s.start.byte + 1)


def string_template(s: JString, filename: str) -> tuple[syn.Expr, list[HclDiagnostic]]:
    whole = rng(filename, s.start, s.end)
    if "${" not in s.value and "%{" not in s.value:
        return syn.Literal(Value(STRING, s.value), whole), []
    if s.escaped:
        # Positions inside the decoded text no longer match the file: point at the string's start.
        expr, diags = parse_template(s.value, filename, s.start)
    else:
        expr, diags = parse_template(s.value, filename, _inner_start(s))
    return expr, diags


def string_expression(s: JString, filename: str) -> tuple[syn.Expr, list[HclDiagnostic]]:
    """A JSON string read as a native expression (what HCL does for type constraints and keywords)."""
    return parse_expression(s.value, filename, s.start if s.escaped else _inner_start(s))


def json_expr(node: JNode, filename: str) -> tuple[syn.Expr, list[HclDiagnostic]]:
    r = rng(filename, node.start, node.end)
    if isinstance(node, JString):
        return string_template(node, filename)
    if isinstance(node, JNumber):
        return syn.Literal(Value(NUMBER, node.value), r), []
    if isinstance(node, JBool):
        return syn.Literal(Value(BOOL, node.value), r), []
    if isinstance(node, JNull):
        return syn.Literal(null(), r), []
    diags: list[HclDiagnostic] = []
    if isinstance(node, JArray):
        items = []
        for item in node.items:
            e, d = json_expr(item, filename)
            items.append(e)
            diags += d
        return syn.TupleCons(tuple(items), r), diags
    assert isinstance(node, JObject)
    pairs = []
    for prop in node.props:
        k, dk = string_template(prop.key, filename)
        v, dv = json_expr(prop.value, filename)
        diags += dk + dv
        pairs.append(syn.ObjectItem(k, v))
    return syn.ObjectCons(tuple(pairs), r), diags
