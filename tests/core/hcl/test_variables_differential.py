"""Differential test with typed variables: kiln converts each default to its type constraint
(``types.type_constraint`` + ``convert``) and evaluates expressions over ``var``; Packer 1.6.6's console
evaluates the same expressions over the same template. Exercises type constraints, conversion, access
errors and the "with var.x as ..." lines of diagnostics."""

from __future__ import annotations

import pytest
from kiln.hcl.convert import convert, object_type
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.functions import FUNCTIONS
from kiln.hcl.parse import parse_body
from kiln.hcl.types import type_constraint
from kiln.hcl.values import Value

from tests.core.hcl.console_oracle import kiln_console, packer_available, packer_console

TEMPLATE = """\
variable "s" {
  type    = string
  default = "hello"
}
variable "n" {
  type    = number
  default = "42"
}
variable "l" {
  type    = list(string)
  default = ["a", 1, true]
}
variable "m" {
  type    = map(number)
  default = { a = 1, b = "2" }
}
variable "o" {
  type    = object({ name = string, size = number })
  default = { name = "x", size = "3", extra = true }
}
variable "u" {
  default = [1, "a"]
}
variable "set" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "nothing" {
  type    = string
  default = null
}
variable "nested" {
  type    = map(list(object({ id = number })))
  default = { k = [{ id = "1" }, { id = 2 }] }
}
"""

EXPRESSIONS = [
    "var.s", "var.n", "var.l", "var.m", "var.o", "var.u", "var.set", "var.nothing", "var.nested",
    "var.l[5]", "var.m.c", "var.o.nope", "var.set[0]", "[for s in var.l: s + 1]", "var.s + 1", "var.o.size * 2",
    "{for k, v in var.m: v => k}", "var.u[1]", "[for x in var.set: x]", "var.nothing + 1", "var.l[*]",
    "var.n == 42", '"${var.s}-${var.n}"', 'var.m["b"] / var.n', "var.l[var.n]", "var.o[var.s]", "var.nope",
    "var.u + 1", "var.set + 1", "var.m + 1", "var.o + 1", "var.nested.k[*].id", "var.nested.k[0].id + var.n",
    "var.l == [\"a\", \"1\", \"true\"]", "var.o == {name = \"x\", size = 3}", "var.set[*]", "var.m[var.s]",
    "length(var.l) + var.n", "upper(var.l)", "var.nested[var.nothing]", "!var.s", "var.u[var.l[0]]",
    "[for i, v in var.u: \"${i}:${v}\"]", "var.s ? 1 : 2", "var.o.size > var.n ? \"big\" : \"small\"",
]  # fmt: skip


def _var_object() -> Value:
    values: dict[str, Value] = {}
    for block in parse_body(TEMPLATE, "v.pkr.hcl").blocks:
        attrs = {a.name: a.expr for a in block.body.attributes}
        value = evaluate(attrs["default"])
        if "type" in attrs:
            want, defaults = type_constraint(attrs["type"])
            value = defaults.apply(convert(value, want))
        values[block.labels[0]] = value
    return Value(object_type({k: v.type for k, v in values.items()}), values)


@pytest.fixture(scope="module")
def packer_results() -> dict[str, tuple[str, int]]:
    if not packer_available():
        pytest.skip("Debian's packer (1.6.6) is not installed")
    return dict(zip(EXPRESSIONS, packer_console(EXPRESSIONS, TEMPLATE), strict=True))


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_same_as_packer(expression: str, packer_results: dict[str, tuple[str, int]]) -> None:
    ctx = EvalContext({"var": _var_object()}, FUNCTIONS)
    assert kiln_console(expression, ctx=ctx) == packer_results[expression]
