"""cty's calling semantics across the library: unknown arguments give unknown results of the right
type, marks flow to results, and try/can/convert see their arguments as expressions."""

from __future__ import annotations

import pytest
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.format import console_value
from kiln.hcl.function import ArgError, Function, FunctionError
from kiln.hcl.functions import FUNCTIONS, ExpressionFunction, functions_for
from kiln.hcl.parse import parse_expression
from kiln.hcl.syntax import FunctionCall
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    SENSITIVE,
    STRING,
    ListType,
    MapType,
    SetType,
    TupleType,
    Type,
    Value,
    unknown,
)

from tests.core.hcl.functions.hclfn_support import N, O, S, T, call_value

UNKNOWN_RESULTS: list[tuple[str, list[Value], Type]] = [
    ("upper", [unknown(STRING)], STRING),
    ("abs", [unknown(NUMBER)], NUMBER),
    ("format", [S("%s"), unknown(STRING)], STRING),
    ("formatlist", [S("%s"), unknown(ListType(STRING))], ListType(STRING)),
    ("join", [S(","), Value(ListType(STRING), [S("a"), unknown(STRING)])], STRING),
    ("split", [S(","), unknown(STRING)], ListType(STRING)),
    ("length", [unknown(ListType(STRING))], NUMBER),
    ("length", [unknown(DYNAMIC)], NUMBER),
    ("keys", [unknown(MapType(NUMBER))], ListType(STRING)),
    ("jsonencode", [T(N(1), unknown(STRING))], STRING),
    ("yamlencode", [O(a=unknown(BOOL))], STRING),
    ("compact", [Value(ListType(STRING), [unknown(STRING)])], ListType(STRING)),
    ("sort", [Value(ListType(STRING), [S("b"), unknown(STRING)])], ListType(STRING)),
    ("contains", [T(S("a"), unknown(STRING)), S("b")], BOOL),
    ("alltrue", [Value(ListType(BOOL), [Value(BOOL, True), unknown(BOOL)])], BOOL),
    ("setunion", [Value(SetType(STRING), [unknown(STRING)]), T(S("a"))], SetType(STRING)),
    ("regex", [unknown(STRING), S("x")], DYNAMIC),
    ("regex", [S("(a)(b)"), unknown(STRING)], TupleType((STRING, STRING))),
    ("cidrsubnets", [unknown(STRING), N(2)], ListType(STRING)),
    ("timeadd", [unknown(STRING), S("1h")], STRING),
    ("tostring", [unknown(NUMBER)], STRING),
]


@pytest.mark.parametrize(("name", "args", "want"), UNKNOWN_RESULTS, ids=[u[0] for u in UNKNOWN_RESULTS])
def test_unknown_arguments_give_unknown_results_of_the_right_type(
    name: str, args: list[Value], want: Type
) -> None:
    result = call_value(name, *args)
    assert not result.is_known
    assert result.type == want


def test_short_circuits_that_do_not_need_the_unknown() -> None:
    assert call_value("alltrue", Value(ListType(BOOL), [Value(BOOL, False), unknown(BOOL)])).v is False
    assert call_value("anytrue", Value(ListType(BOOL), [Value(BOOL, True), unknown(BOOL)])).v is True
    assert call_value("contains", T(S("a"), unknown(STRING)), S("a")).v is True
    assert call_value("length", T(unknown(STRING), S("b"))).v == 2
    assert call_value("coalesce", S("x"), unknown(STRING)).v == "x"


def _secret(v: Value) -> Value:
    return v.mark(SENSITIVE)


MARKED_CALLS: list[tuple[str, list[Value]]] = [
    ("upper", [_secret(S("a"))]),
    ("join", [S(","), T(S("a"), _secret(S("b")))]),
    ("format", [S("%s/%d"), S("x"), _secret(N(1))]),
    ("lookup", [O(a=_secret(S("x"))), S("a"), S("d")]),
    ("merge", [O(a=S("x")), _secret(O(b=S("y")))]),
    ("jsonencode", [O(a=_secret(S("x")))]),
    ("base64encode", [_secret(S("x"))]),
    ("sha256", [_secret(S("x"))]),
    ("replace", [S("abc"), _secret(S("b")), S("x")]),
    ("cidrhost", [_secret(S("10.0.0.0/8")), N(1)]),
    ("keys", [_secret(O(a=N(1)))]),
    ("length", [_secret(S("abc"))]),
    ("tostring", [_secret(N(1))]),
]


@pytest.mark.parametrize(("name", "args"), MARKED_CALLS, ids=[m[0] for m in MARKED_CALLS])
def test_sensitive_arguments_make_sensitive_results(name: str, args: list[Value]) -> None:
    assert call_value(name, *args).is_sensitive


def test_unmarked_arguments_give_unmarked_results() -> None:
    assert not call_value("upper", S("a")).is_sensitive
    assert not call_value("nonsensitive", _secret(S("a"))).is_sensitive


def test_argument_errors_name_the_argument() -> None:
    with pytest.raises(ArgError) as err:
        call_value("cidrsubnets", S("10.0.0.0/30"), N(1), N(1), N(1))
    assert err.value.index == 3
    with pytest.raises(FunctionError, match="must pass at least one number"):
        call_value("max")


def test_every_function_is_named_and_documented_by_its_params() -> None:
    funcs = functions_for(".")
    assert len(funcs) >= 110
    for name, fn in funcs.items():
        if isinstance(fn, Function):
            assert fn.name == name
        else:
            assert isinstance(fn, ExpressionFunction) and fn.name == name


# ---- try, can, convert ---------------------------------------------------------------------------------


def _call_expr(source: str, variables: dict[str, Value] | None = None) -> Value:
    expr = parse_expression(source)
    assert isinstance(expr, FunctionCall)
    fn = FUNCTIONS[expr.name]
    assert isinstance(fn, ExpressionFunction)
    ctx = EvalContext(variables or {}, functions_for("."))
    return fn.call_expressions(expr, ctx, evaluate)


def test_try_returns_the_first_expression_that_succeeds() -> None:
    local = {"local": O(a=S("x"))}
    assert _call_expr('try(local.missing, "fallback")', local).v == "fallback"
    assert _call_expr("try(local.a, 1)", local).v == "x"
    assert console_value(_call_expr('try(tonumber("x"), upper("ok"))')) == "OK"


def test_try_fails_listing_every_error() -> None:
    with pytest.raises(FunctionError) as err:
        _call_expr('try(local.missing, tonumber("x"))', {"local": O(a=S("x"))})
    text = err.value.message
    assert text.startswith("no expression succeeded:\n- Unsupported attribute (at <expr>:1,")
    assert 'Invalid value for "v" parameter' in text
    assert text.endswith("\nAt least one expression must produce a successful result")


def test_try_and_can_wait_for_unknown_references() -> None:
    variables = {"var": O(x=unknown(STRING))}
    result = _call_expr('try(var.x, "fallback")', variables)
    assert not result.is_known and result.type == DYNAMIC
    assert not _call_expr("can(var.x)", variables).is_known


def test_can_reports_whether_an_expression_evaluates() -> None:
    local = {"local": O(a=S("x"))}
    assert _call_expr("can(local.a)", local).v is True
    assert _call_expr("can(local.missing)", local).v is False
    assert _call_expr('can(regex("^[a-z]+$", "abc"))').v is True
    assert _call_expr('can(regex("^[a-z]+$", "ABC"))').v is False


def test_convert_takes_a_type_expression() -> None:
    assert console_value(_call_expr("convert(3, string)")) == "3"
    assert console_value(_call_expr('convert("3", number)')) == "3"
    assert console_value(_call_expr('convert("false", bool)')) == "false"
    # the documentation writes bare ``list``; HCL's typeexpr (which Packer uses) wants ``list(any)``
    assert console_value(_call_expr('convert(["a", "b", 3], list(any))')) == '[\n  "a",\n  "b",\n  "3",\n]'
    assert console_value(_call_expr('convert(["c", "b", "b"], set(any))')) == '[\n  "b",\n  "c",\n]'
    assert (
        console_value(_call_expr('convert({"a" = "foo", "b" = true}, map(any))'))
        == '{\n  "a" = "foo"\n  "b" = "true"\n}'
    )
    with pytest.raises(DiagnosticError, match="requires one argument specifying the element type"):
        _call_expr('convert(["a"], list)')
    converted = _call_expr("convert({a = 1}, object({a = string, b = optional(number)}))")
    assert converted.v["a"].v == "1" and converted.v["b"].is_null
    with pytest.raises(ArgError, match="a number is required"):
        _call_expr('convert("x", number)')


def test_expression_functions_check_arity() -> None:
    with pytest.raises(FunctionError, match='Function "can" expects 1 argument'):
        _call_expr("can()")
    with pytest.raises(FunctionError, match="at least one argument is required"):
        _call_expr("try()")


def test_try_can_convert_through_the_evaluator() -> None:
    ctx = EvalContext({"local": O(a=S("x"))}, functions_for("."))
    assert evaluate(parse_expression('try(local.missing, "fallback")'), ctx).v == "fallback"
    assert evaluate(parse_expression('can(local.missing)'), ctx).v is False
    assert evaluate(parse_expression('can(local.a)'), ctx).v is True
    assert evaluate(parse_expression('convert("5", number)'), ctx).v == 5
    with pytest.raises(DiagnosticError, match="no expression succeeded"):
        evaluate(parse_expression('try(local.missing, local.other)'), ctx)


# ---- robustness: any argument values give a value or a FunctionError, never a crash ----------------

_SAMPLES: list[Value] = [
    S(""),
    S("a,b"),
    S("10.0.0.0/8"),
    S("2018-01-02T03:04:05Z"),
    S("%s"),
    S("(a)(?P<x>b)"),
    S("é👍🏽"),
    N(0),
    N(-1),
    N("1.5"),
    N("1e30"),
    Value(BOOL, True),
    Value(DYNAMIC, None),
    unknown(STRING),
    unknown(DYNAMIC),
    T(),
    T(S("a"), N(1)),
    O(),
    O(a=S("b")),
    Value(ListType(STRING), [S("a")]),
    Value(MapType(NUMBER), {"k": N(1)}),
    Value(SetType(STRING), [S("s")]),
]
_NETWORKED = {"aws_secretsmanager", "aws_secretsmanager_raw", "vault", "consul_key", "bcrypt"}


def test_no_function_crashes_on_odd_arguments(tmp_path: object) -> None:
    import itertools

    for name, fn in sorted(functions_for(str(tmp_path)).items()):
        if not isinstance(fn, Function) or name in _NETWORKED:
            continue
        arity = len(fn.params) + (1 if fn.variadic else 0)
        samples = _SAMPLES if arity <= 2 else _SAMPLES[::3]
        for args in itertools.product(samples, repeat=arity):
            try:
                fn.call(list(args))
            except FunctionError:
                pass
            except Exception as err:  # pragma: no cover - the assertion names the culprit
                pytest.fail(f"{name}{tuple(a.v for a in args)} raised {type(err).__name__}: {err}")
