"""Property-based fuzzing (hypothesis) of the parser, the evaluator and the JSON loaders, in process, with
a fixed budget and a fixed seed (``derandomize``: the same examples on every run, so a failure is
reproducible and the suite is not flaky). Properties: the only way out is a value or diagnostics —
never another exception (a traceback for the user) — and no example runs longer than its alarm.

The CLI half (argument lists through the real ``kiln`` process) is at the end: batches of generated
argument lists run by tests/fuzz/driver.py, asserting no traceback, no hang and exit code 1.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kiln.hcl.convert import from_python
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.functions import FUNCTIONS
from kiln.template.hclapi import eval_expr, make_context, parse_expression, parse_file, parse_template
from kiln.template.jsonsyntax import JSONSyntaxError
from kiln.template.jsonsyntax import parse_json as parse_hcl_json
from kiln.template.legacy.jsonvalue import parse_json as parse_legacy_json

BUDGET = settings(max_examples=int(os.environ.get("KILN_FUZZ_EXAMPLES", "400")), deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
ALARM = 30  # seconds an example may take; only reached by a hang

# no network (vault, consul, AWS), no clock or randomness, no key stretching chosen by the input
# (bcrypt's cost 31 takes hours, in Packer too)
SKIPPED = {"aws_secretsmanager", "aws_secretsmanager_raw", "consul_key", "vault", "bcrypt", "timestamp", "uuidv4",
           "env"}
NAMES = sorted(set(FUNCTIONS) - SKIPPED)


class Hung(Exception):
    pass


@contextmanager
def alarm(seconds: int = ALARM) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hung(f"an example ran longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- HCL text: fragments that matter to the lexer and the parser, glued at random --------------------

FRAGMENTS = [
    "(", ")", "[", "]", "{", "}", '"', "${", "%{", "~}", "<<EOT\n", "<<-EOT\n", "EOT\n", "\n", " ", "\t", "=",
    "a", "x_1", "1", "0.5", "1e9", "1e999999999", "9" * 40, ".", ",", ":", "?", "!", "-", "+", "*", "/", "%",
    "==", "!=", "<=", "&&", "||", "=>", "...", "[*]", ".*", "for", "in", "if", "else", "endif", "endfor",
    "locals", "variable", "source", "build", "data", "packer", "dynamic", "#", "//", "/*", "*/", "\\", "\\u",
    "\\U0010ffff", "\\ud800", "\ufeff", "\x00", "\r", "é", "𝕏", "var.", "local.", "self.", "true", "null",
    'format("%0999999999d", 1)', "range(", "setproduct(", "jsondecode(", "regex(", '"(a+)+$"', "upper(",
]


def hcl_text() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=60).map("".join)


@BUDGET
@given(hcl_text())
def test_the_parser_answers_with_a_body_or_diagnostics(text: str) -> None:
    with alarm():
        body, diags = parse_file(text, "t.pkr.hcl")
    assert body is not None or diags


@BUDGET
@given(hcl_text())
def test_templates_and_expressions_parse_or_say_why(text: str) -> None:
    with alarm():
        parse_expression(text, "e.hcl")
        parse_template(text, "e.hcl")


# -- expressions: a small grammar over the real function table -----------------------------------------

LEAVES = st.sampled_from([
    "1", "0", "-1", "0.1", "1e300", "1e999999999", '"a"', '""', '"${1}"', '"%{if true}x%{endif}"', "true", "null",
    "[]", "{}", "[1, 2, 3]", '{a = 1, b = "x"}', '["a", "b"]', "var.s", "local.l", '"(a+)+$"', '"%0999999999d"',
    '"[[[[["', '"a: &a [x]"', '"10.0.0.0/8"', '"2020-01-01T00:00:00Z"', "4294967296", "-0",
])


def expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        call = st.tuples(st.sampled_from(NAMES), st.lists(inner, max_size=4)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})")
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "<", "&&", "||"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})")
        other = st.one_of(
            inner.map(lambda e: f"[{e}, {e}]"),
            inner.map(lambda e: f"{{k = {e}}}"),
            inner.map(lambda e: f"[for x in {e}: x]"),
            inner.map(lambda e: f"{{for k, v in {e}: k => v}}"),
            inner.map(lambda e: f'"${{{e}}}"'),
            inner.map(lambda e: f"{e}[0]"),
            inner.map(lambda e: f"{e}[*]"),
            inner.map(lambda e: f"!{e}"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        )
        return call | binary | other

    return st.recursive(LEAVES, extend, max_leaves=12)


CONTEXT = make_context({"var": from_python({"s": "secret"}), "local": from_python({"l": [1, "two"]})}, FUNCTIONS)


@BUDGET
@given(expressions())
def test_the_evaluator_answers_with_a_value_or_diagnostics(source: str) -> None:
    with alarm():
        expr, diags = parse_expression(source, "e.hcl")
        if not diags:
            eval_expr(expr, CONTEXT)  # raises nothing but what the user would see as a diagnostic


# -- JSON: legacy templates and HCL's JSON syntax ------------------------------------------------------

JSON_FRAGMENTS = ['{', '}', '[', ']', '"', ':', ',', '1', '-', '1e999', '9' * 30, 'true', 'null', 'nul', '\\',
                  '\\u', '\\ud800', '"a"', ' ', '\n', '\ufeff', '\x00', '{{', '}}', '`', 'NaN', '"builders"']


@BUDGET
@given(st.lists(st.sampled_from(JSON_FRAGMENTS) | st.text(max_size=3), max_size=60).map("".join))
def test_the_json_loaders_answer_with_a_value_or_a_syntax_error(text: str) -> None:
    with alarm():
        for parse in (lambda t: parse_legacy_json(t, "t.json"), parse_hcl_json):
            try:
                parse(text)
            except (JSONSyntaxError, DiagnosticError):
                pass
            except ValueError as exc:  # the legacy loader's syntax error is a ValueError of its own
                assert type(exc).__name__.endswith("SyntaxError"), repr(exc)


@BUDGET
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=20))
def test_any_json_document_loads_as_a_template_or_an_error(doc: object) -> None:
    from kiln.template.legacy.loader import load_legacy

    text = json.dumps(doc)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"kiln-fuzz-{os.getpid()}.json"
    path.write_text(text)
    try:
        with alarm():
            try:
                load_legacy(str(path))
            except Exception as exc:  # noqa: BLE001 - only a template error may come out
                assert type(exc).__name__ in ("LegacyTemplateError", "TemplateError"), repr(exc)
    finally:
        path.unlink()


# -- the CLI: generated argument lists through the real kiln process -----------------------------------

FLAGS = ["-var", "-var=x", "-var=a=b", "-var-file", "-var-file=nope.json", "-only=", "-only=a,b", "-except=*",
         "-parallel-builds=-1", "-parallel-builds=x", "-on-error=x", "-color=x", "-timestamp-ui=x", "-debug",
         "-force", "-machine-readable", "-syntax-only", "-config-type=x", "-h=1", "--", "-", "bad.pkr.hcl", "bad.json",
         "nope.pkr.hcl", "", "\x01", "é", "-" * 3]


@settings(max_examples=3, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(["build", "validate", "console", "fix"]),
                          st.lists(st.sampled_from(FLAGS), min_size=1, max_size=5)),
                min_size=20, max_size=20))
def test_generated_command_lines_fail_clearly(tmp_path_factory: pytest.TempPathFactory,
                                              argvs: list[tuple[str, list[str]]]) -> None:
    from tests.fuzz.test_corpus import problems, run_inputs

    tmp = tmp_path_factory.mktemp("cli")
    work = tmp / "work"
    work.mkdir()
    (work / "bad.pkr.hcl").write_text("locals {\n")
    (work / "bad.json").write_text("{")
    cases: list[dict[str, object]] = []
    for i, (verb, flags) in enumerate(argvs):
        argv = [verb, *flags]
        if "bad.pkr.hcl" not in flags and "bad.json" not in flags:
            argv.append("bad.pkr.hcl")  # every command line names a broken template: exit 1 whatever the flags
        cases.append({"name": f"{i}: {argv}", "argv": argv, "cwd": str(work), "stdin": "",
                      **({} if verb == "console" else {"expect": 1})})
    assert problems(cases, run_inputs(tmp, cases)) == []

