"""``regex``, ``regexall``, ``regex_replace`` run on RE2 (Go's regexp semantics, linear time)."""

from __future__ import annotations

import os
import re

import pytest
from kiln.hcl.functions import functions_for
from kiln.hcl.functions._re2 import compile_regexp
from kiln.hcl.values import Value
from kiln.template.hclapi import eval_expr, make_context, parse_expression


def _eval(src: str) -> tuple[Value, str]:
    expr, diags = parse_expression(src, "<test>")
    assert not diags
    value, diags = eval_expr(expr, make_context({}, functions_for(os.getcwd())))
    return value, "; ".join(f"{d.summary}: {d.detail}" for d in diags)


def test_a_catastrophic_pattern_for_backtracking_runs_on_re2() -> None:
    assert compile_regexp("(a+)+$").engine == "re2"
    value, err = _eval(f'regexall("(a+)+$", "{"a" * 20000}b")')  # exponential on Python's re
    assert not err and value.v == []
    value, err = _eval(f'can(regex("^(a|aa)+$", "{"a" * 5000}b"))')
    assert not err and value.v is False


@pytest.mark.parametrize(
    ("src", "go_result", "python_re"),
    [
        # Go's \d is ASCII only; Python's matches every Unicode digit
        ('regexall("\\\\d", "١٢3")', ["3"], (r"\d", "١٢3", ["١", "٢", "3"])),
        # Go's $ is the end of the text; Python's also matches before a final newline
        ('regexall("a$", "a\\n")', [], (r"a$", "a\n", ["a"])),
        # Go's \s does not include \v (vertical tab); Python's does
        ('regexall("\\\\s", "\\u000b")', [], (r"\s", "\v", ["\v"])),
        # Go's \b is an ASCII word boundary: between "x" and "é" there is one; Python sees none
        ('regexall("\\\\bé", "xé")', ["é"], (r"\bé", "xé", [])),
        ('regex("(?U)a+", "aaa")', "a", None),  # Go's ungreedy flag (Python has none)
        ('regex("[[:alpha:]]+", "ab1")', "ab", None),  # POSIX classes (Python has none)
        ('regex("\\\\pL+", "éa1")', "éa", None),  # Unicode classes (Python's re has none)
        ('regex("(?s).+", "a\\nb")', "a\nb", None),
        ('regex_replace("aXbX", "X", "$$")', "a$b$", None),
        ('regex_replace("ab", "(?P<x>a)", "[$x]")', "[a]b", None),
        ('regex_replace("ab", "(a)", "$1x")', "b", None),  # Go reads $1x as the group named "1x"
    ],
)
def test_go_semantics_where_python_re_differs(
    src: str, go_result: object, python_re: tuple[str, str, list[str]] | None
) -> None:

    value, err = _eval(src)
    assert not err
    got = [v.v for v in value.v] if isinstance(value.v, list) else value.v
    assert got == go_result
    if python_re is not None:  # what the same pattern does on Python's re: the difference is real
        pattern, subject, result = python_re
        assert re.findall(pattern, subject) == result
        assert result != go_result


@pytest.mark.parametrize("pattern", ["(a)\\\\1", "a(?=b)", "(?<!a)b", "a\\\\Z", "a++"])
def test_perl_features_go_lacks_are_errors(pattern: str) -> None:
    _, err = _eval(f'regex("{pattern}", "ab")')
    assert "invalid regexp pattern" in err


def test_validation_conditions_use_the_same_engine(tmp_path: object) -> None:
    value, err = _eval(f'can(regex("^(x+x+)+y$", "{"x" * 3000}"))')
    assert not err and value.v is False
