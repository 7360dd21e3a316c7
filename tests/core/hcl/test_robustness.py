"""Whatever the input, parsing and evaluation fail only with diagnostics, never with a traceback."""

from __future__ import annotations

import random

from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.functions import FUNCTIONS
from kiln.hcl.parse import parse_body, parse_expression, parse_template

PIECES = [
    "a", "b", "1", "0.5", '"', "${", "%{", "}", "{", "[", "]", "(", ")", ".", "*", "+", "-", "!", "?", ":",
    "=", "==", "=>", "...", ",", "\n", " ", "for", "in", "if", "else", "endif", "endfor", "~", "<<EOF\n",
    "EOF\n", "<<-X\n", "X", "\\", "$$", "#", "//", "/*", "*/", "null", "true", '"x"', "[*]", ".*", "%", "&&",
    "||", "upper(", "x", "1e", "\t", "é", "\r\n", "@", "'",
]  # fmt: skip


def test_random_inputs_only_produce_diagnostics() -> None:
    rng = random.Random(20261125)
    ctx = EvalContext(
        {"a": evaluate(parse_expression("[1, {b = 2}]")), "x": evaluate(parse_expression('"s"'))}, FUNCTIONS
    )
    for _ in range(3000):
        src = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        for parse in (parse_expression, parse_body, parse_template):
            try:
                tree = parse(src, "fuzz.hcl")
                if parse is parse_expression:
                    evaluate(tree, ctx)  # type: ignore[arg-type]
            except DiagnosticError as err:
                assert err.diagnostics, src
                for d in err.diagnostics:
                    assert d.summary and d.range is not None, (src, d)
