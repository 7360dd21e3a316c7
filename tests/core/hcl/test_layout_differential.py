"""Where newlines and comments may go inside an argument's value, checked case by case against Packer
1.6.6: a case either evaluates (``packer console`` prints ``local.x``) or the template is rejected
(``packer validate`` prints the diagnostics); kiln must do the same, with the same text."""

from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.format import console_value
from kiln.hcl.functions import FUNCTIONS
from kiln.hcl.parse import parse_body
from kiln.hcl.render import render

from tests.core.hcl.console_oracle import PACKER, packer_available, packer_console

CASES = {
    "object_comments": "{\n    # c\n    a = 1 // d\n    /* e */ b = 2\n  }",
    "conditional_newlines": "true ?\n    1 :\n    2",
    "newline_after_operator": "1 +\n    2",
    "tuple_without_comma": "[\n    1\n    2\n  ]",
    "object_colon": "{\n    a: 1\n  }",
    "nested": "{\n    a = {\n      b = [\n        1,\n      ]\n    }\n  }",
    "object_for_lines": "{\n    for k, v in {a = 1}:\n    k => v\n    if v > 0\n  }",
    "index_newline": "[1, 2][\n    1\n  ]",
    "interpolation_newline": '"${\n    1 + 1\n  }"',
    "parens_newline": "(\n    true\n    ? 1\n    : 2\n  )",
    "object_value_continues": "{\n    a = 1\n    + 2\n  }",
    "object_two_on_a_line": "{\n    a = 1 b = 2\n  }",
    "for_if_newline": "[for x in [1, 2]:\n    x\n    if x > 1]",
    "object_comma_newline": "{\n    a = 1,\n    b = 2,\n  }",
    "object_blank_lines": "{\n\n    a = 1\n\n  }",
    "call_newlines": "max(\n    1,\n    2\n  )",
    "unary_newline": "-\n    1",
    "dot_newline": "{a = 1}\n    .a",
}


def _template(expr: str) -> str:
    return f"locals {{\n  x = {expr}\n}}\n"


def _packer(expr: str) -> tuple[str, str]:
    text = _template(expr)
    try:
        ((out, _rc),) = packer_console(["local.x"], text)
        return "value", out
    except RuntimeError:  # the template itself is rejected: the console prints nothing for it
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "t.pkr.hcl"), "w", encoding="utf-8") as f:
                f.write(text)
            proc = subprocess.run([PACKER, "validate", "t.pkr.hcl"], cwd=tmp, capture_output=True, timeout=60)
        return "error", proc.stdout.decode("utf-8")


def _kiln(expr: str) -> tuple[str, str]:
    text = _template(expr)
    try:
        body = parse_body(text, "t.pkr.hcl")
        value = evaluate(body.blocks[0].body.attributes[0].expr, EvalContext({}, FUNCTIONS))
    except DiagnosticError as err:
        return "error", render(err.diagnostics, lambda _f: text) + "\n"
    return "value", console_value(value)


@pytest.fixture(scope="module")
def packer_results() -> dict[str, tuple[str, str]]:
    if not packer_available():
        pytest.skip("Debian's packer (1.6.6) is not installed")
    with ThreadPoolExecutor(4) as pool:
        return dict(zip(CASES, pool.map(_packer, CASES.values()), strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_same_as_packer(name: str, packer_results: dict[str, tuple[str, str]]) -> None:
    assert _kiln(CASES[name]) == packer_results[name]
