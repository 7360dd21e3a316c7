"""Invalid type constraints, rendered as ``packer validate`` (1.6.6) renders them.

Packer 1.6.6 predates ``optional()`` (it says 'Keyword "optional" is not a valid type constructor.');
kiln supports ``optional(T, default)`` inside ``object({...})`` as today's Packer does, so those cases are
covered in test_types.py instead."""

from __future__ import annotations

import pytest
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.parse import parse_body
from kiln.hcl.render import render
from kiln.hcl.types import type_constraint

from tests.core.hcl.test_render_differential import _packer_validate, packer_available

TYPES = [
    "strin", "list", "list(string, number)", "foo(string)", '"string"', "object({a = 1})", "tuple(string)",
    "map(strin)", "object([string])", "set", "tuple", "object", "map", "null", "list(list)", "tuple([string, strin])",
    "object({a = list})", "any(string)", "string()",
]  # fmt: skip


def _template(t: str) -> str:
    return f'variable "v" {{\n  type = {t}\n}}\n'


@pytest.fixture(scope="module")
def packer_output() -> dict[str, str]:
    if not packer_available():
        pytest.skip("Debian's packer (1.6.6) is not installed")
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(TYPES, pool.map(lambda t: _packer_validate(_template(t)), TYPES), strict=True))


@pytest.mark.parametrize("type_expr", TYPES)
def test_type_errors_render_like_packer(type_expr: str, packer_output: dict[str, str]) -> None:
    text = _template(type_expr)
    body = parse_body(text, "t.pkr.hcl")
    attr = body.blocks[0].body.attribute("type")
    assert attr is not None
    with pytest.raises(DiagnosticError) as err:
        type_constraint(attr.expr)
    assert render(err.value.diagnostics, lambda _f: text) + "\n" == packer_output[type_expr]
