"""The template layer's one door into the HCL core: parse and evaluate, diagnostics as lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiln.hcl import parse as _parse
from kiln.hcl import syntax as syn
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.function import Function
from kiln.hcl.values import DYNAMIC, Type, Value, unknown

__all__ = ["EvalContext", "eval_expr", "make_context", "parse_expression", "parse_file", "parse_template"]


def parse_file(text: str, filename: str) -> tuple[syn.Body | None, list[HclDiagnostic]]:
    try:
        return _parse.parse_body(text, filename), []
    except DiagnosticError as err:
        return None, err.diagnostics


def parse_expression(text: str, filename: str, start: syn.Pos | None = None) -> tuple[syn.Expr, list[HclDiagnostic]]:
    try:
        return _parse.parse_expression(text, filename, start), []
    except DiagnosticError as err:
        return _placeholder(filename, start), err.diagnostics


def parse_template(text: str, filename: str, start: syn.Pos | None = None) -> tuple[syn.Expr, list[HclDiagnostic]]:
    try:
        return _parse.parse_template(text, filename, start), []
    except DiagnosticError as err:
        return _placeholder(filename, start), err.diagnostics


def _placeholder(filename: str, start: syn.Pos | None) -> syn.Expr:
    pos = start or syn.Pos(1, 1, 0)
    return syn.Literal(unknown(DYNAMIC), syn.Range(filename, pos, pos))


def make_context(
    variables: Mapping[str, Value] | None, functions: Mapping[str, Function] | None
) -> EvalContext | None:
    """``None`` for both means a static context (HCL's nil: "Variables not allowed")."""
    if variables is None and functions is None:
        return None
    funcs: dict[str, Any] = dict(functions or {})  # Function objects: the evaluator calls them
    return EvalContext(dict(variables or {}), funcs)


def eval_expr(expr: syn.Expr, ctx: EvalContext | None) -> tuple[Value, list[HclDiagnostic]]:
    """Evaluate; ``ctx=None`` allows neither variables nor functions (static values)."""
    try:
        return evaluate(expr, ctx), []
    except DiagnosticError as err:
        return unknown(DYNAMIC), err.diagnostics


def type_constraint(expr: syn.Expr, json: object = None) -> tuple[Type | None, list[HclDiagnostic]]:
    """A ``type = ...`` constraint; in JSON the string holds the type expression (``"list(string)"``)."""
    from kiln.template.jsonsyntax import JString

    if isinstance(json, JString):
        from kiln.template.jsonexpr import string_expression

        expr, diags = string_expression(json, expr.range.filename)
        if diags:
            return None, diags
    from kiln.hcl import types as _types

    try:
        return _types.type_constraint(expr), []
    except DiagnosticError as err:
        return None, err.diagnostics


def format_value(value: Value) -> str:
    """A value as ``packer console`` prints it."""
    from kiln.hcl import format as _format

    return _format.format_value(value)
