"""The template layer's one door into the HCL core: parse and evaluate, diagnostics as lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiln.hcl import parse as _parse
from kiln.hcl import syntax as syn
from kiln.hcl import types as _types
from kiln.hcl.convert import convert
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.format import console_value
from kiln.hcl.functions import AnyFunction
from kiln.hcl.values import DYNAMIC, Type, Value, unknown

__all__ = ["Constraint", "EvalContext", "eval_expr", "make_context", "parse_expression", "parse_file", "parse_template", "type_constraint"]


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
    variables: Mapping[str, Value] | None, functions: Mapping[str, AnyFunction] | None
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


def type_constraint(expr: syn.Expr) -> tuple[Constraint | None, list[HclDiagnostic]]:
    """A ``type = ...`` constraint (in JSON, the caller first parses the string holding it)."""
    try:
        t, defaults = _types.type_constraint(expr)
    except DiagnosticError as err:
        return None, err.diagnostics
    return Constraint(t, defaults), []


@dataclass(frozen=True)
class Constraint:
    """A type constraint and the defaults of its ``optional(T, default)`` attributes."""

    type: Type
    defaults: _types.Defaults

    def convert(self, value: Value) -> Value:
        """``value`` with optional defaults filled in, converted; raises ``ConversionError``."""
        return convert(self.defaults.apply(value), self.type)


def format_value(value: Value) -> str:
    """A value as ``packer console`` prints it."""
    return console_value(value)
