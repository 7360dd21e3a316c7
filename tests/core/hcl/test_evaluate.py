"""Evaluation semantics: unknown values, sensitive marks, contexts, function calls and error ranges."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from kiln.hcl.convert import from_python, strip_marks, to_python
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.function import ArgError, Function, FunctionError, Param
from kiln.hcl.parse import parse_expression
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    SENSITIVE,
    STRING,
    ListType,
    ObjectType,
    TupleType,
    Value,
    number,
    string,
    unknown,
)


def _upper(args: Sequence[Value]) -> Value:
    return string(args[0].v.upper())


def _join(args: Sequence[Value]) -> Value:
    return string(args[0].v.join(a.v for a in args[1:]))


def _fail(args: Sequence[Value]) -> Value:
    if args[0].v == "arg":
        raise ArgError(0, "this argument is wrong")
    raise FunctionError("it broke")


def _describe(args: Sequence[Value]) -> Value:
    v = args[0]
    return string(f"null={v.is_null} known={v.is_known} marked={bool(v.marks)}")


FUNCTIONS = {
    "upper": Function((Param("str", STRING),), _upper, STRING),
    "join": Function((Param("sep", STRING),), _join, STRING, variadic=Param("parts", STRING)),
    "fail": Function((Param("what", STRING),), _fail, STRING),
    "describe": Function(
        (Param("v", DYNAMIC, allow_null=True, allow_unknown=True, allow_marked=True),), _describe, STRING
    ),
    "plain": lambda args: number(len(args)),
}


def ev(src: str, **variables: Value) -> Value:
    return evaluate(parse_expression(src, "e.hcl"), EvalContext(variables, FUNCTIONS))


def err(src: str, **variables: Value) -> tuple[str, str, str]:
    with pytest.raises(DiagnosticError) as e:
        ev(src, **variables)
    d = e.value.diagnostics[0]
    assert d.range is not None
    return d.summary, d.detail, src[d.range.start.byte : d.range.end.byte]


SECRET = string("hunter2").mark(SENSITIVE)
BUILD = Value(
    ObjectType((("ID", STRING),)), unknown(DYNAMIC).v
)  # an unknown object: build.ID before the build


def test_operations_on_unknowns_are_unknown_of_the_right_type() -> None:
    u = unknown(NUMBER)
    assert ev("u + 1", u=u) == unknown(NUMBER)
    assert ev("u > 1", u=u) == unknown(BOOL)
    assert ev("u == 1", u=u) == unknown(BOOL)
    assert ev('"id-${u}"', u=u) == unknown(STRING)
    assert ev("build.ID", build=BUILD) == unknown(STRING)
    assert ev('"${build.ID}-x"', build=BUILD) == unknown(STRING)
    assert ev("c ? 1 : 2", c=unknown(BOOL)) == unknown(NUMBER)
    assert ev("[for x in xs : x]", xs=unknown(ListType(STRING))) == unknown(DYNAMIC)
    assert ev("xs[0]", xs=unknown(ListType(STRING))) == unknown(STRING)
    assert ev("upper(u)", u=unknown(STRING)) == unknown(STRING)
    assert ev("describe(u)", u=unknown(STRING)).v == "null=False known=False marked=False"
    tup = ev("[u, 1]", u=u)
    assert tup.is_known and tup.type == TupleType((NUMBER, NUMBER)) and not tup.v[0].is_known


def test_sensitive_marks_flow_through_everything() -> None:
    def marked(v: Value) -> bool:
        return SENSITIVE in strip_marks(v)[1]

    assert ev("s", s=SECRET).is_sensitive
    assert ev('"user:${s}"', s=SECRET) == string("user:hunter2").mark(SENSITIVE)
    assert ev('s == "x"', s=SECRET) == Value(BOOL, False).mark(SENSITIVE)
    assert ev("upper(s)", s=SECRET) == string("HUNTER2").mark(SENSITIVE)
    assert ev('join("-", "a", s)', s=SECRET).is_sensitive
    assert ev("n + 1", n=number(1).mark(SENSITIVE)) == number(2).mark(SENSITIVE)
    assert ev("c ? 1 : 2", c=Value(BOOL, True).mark(SENSITIVE)).is_sensitive
    assert marked(ev("[s, 1]", s=SECRET)) and not ev("[s, 1]", s=SECRET).v[1].marks
    assert ev("{a = s}.a", s=SECRET).is_sensitive
    assert ev("[for x in xs : x]", xs=ev("[1]").mark(SENSITIVE)).is_sensitive
    assert ev("xs[0]", xs=ev("[1]").mark(SENSITIVE)).is_sensitive
    assert ev('"%{ for x in xs }${x}%{ endfor }"', xs=ev("[s]", s=SECRET)).is_sensitive
    assert ev("[s][*]", s=SECRET).v[0].is_sensitive
    assert ev("describe(s)", s=SECRET).v == "null=False known=True marked=True"


def test_contexts_nest_and_for_variables_shadow() -> None:
    parent = EvalContext({"x": number(1), "y": number(2)}, FUNCTIONS)
    child = parent.child({"x": number(10)})
    assert evaluate(parse_expression("x + y"), child) == number(12)
    assert evaluate(parse_expression('upper("a")'), child) == string("A")
    assert evaluate(parse_expression("[for x in [5] : x + y]"), parent).v == [number(7)]


def test_function_calling_convention() -> None:
    assert ev('upper("abc")') == string("ABC")
    assert ev("upper(1)") == string("1")  # arguments convert to the parameter type
    assert ev('join("-", "a", "b")') == string("a-b")
    assert ev('join("-", ["a", "b"]...)') == string("a-b")
    assert ev("describe(null)").v == "null=True known=True marked=False"
    assert ev("plain(1, 2, 3)") == number(3)
    assert err("upper()")[:2] == (
        "Not enough function arguments",
        'Function "upper" expects 1 argument(s). Missing value for "str".',
    )
    assert err("join()")[1] == 'Function "join" expects at least 1 argument(s). Missing value for "sep".'
    assert err('upper("a", "b")') == (
        "Too many function arguments",
        'Function "upper" expects only 1 argument(s).',
        '"b"',
    )
    assert err("upper([1])") == (
        "Invalid function argument",
        'Invalid value for "str" parameter: string required.',
        "[1]",
    )
    assert err("upper(null)")[1] == 'Invalid value for "str" parameter: argument must not be null.'
    assert err('fail("arg")') == (
        "Invalid function argument",
        'Invalid value for "what" parameter: this argument is wrong.',
        '"arg"',
    )
    assert err('fail("x")') == (
        "Error in function call",
        'Call to function "fail" failed: it broke.',
        'fail("x")',
    )
    assert err("uper(1)") == (
        "Call to unknown function",
        'There is no function named "uper". Did you mean "upper"?',
        "uper",
    )
    assert err("upper(1...)")[0] == "Invalid expanding argument value"


def test_errors_point_at_the_offending_sub_expression() -> None:
    assert err('1 + "a"') == (
        "Invalid operand",
        "Unsuitable value for right operand: a number is required.",
        '"a"',
    )
    assert err("[1, 2][5]")[2] == "[5]"
    assert err("{a = 1}.b")[2] == "b"
    assert err("nosuch + 1") == ("Unknown variable", 'There is no variable named "nosuch".', "nosuch")
    assert err("x + 1", xx=number(1))[1] == 'There is no variable named "x". Did you mean "xx"?'
    assert err('"${null}x"')[2] == "null"
    with pytest.raises(DiagnosticError) as e:
        evaluate(parse_expression("v"), None)
    assert e.value.diagnostics[0].summary == "Variables not allowed"


def test_for_expression_errors_describe_the_iteration_variables() -> None:
    with pytest.raises(DiagnosticError) as e:
        ev("{for x in [1, 1] : x => x}")
    assert e.value.diagnostics[0].values == ("x as 1",)
    with pytest.raises(DiagnosticError) as e:
        ev('[for s in ["a"] : s + 1]')
    assert e.value.diagnostics[0].values == ('s as "a"',)


def test_numbers_are_exact_like_cty() -> None:
    assert ev("0.1 + 0.2") == number("0.3")
    assert ev("1 / 3 * 3") == number(1)
    assert ev("-7 % 3") == number(-1)
    assert ev("1 / 0").v == Decimal("Infinity")
    assert to_python(ev("2 * 1.5")) == 3 and isinstance(to_python(ev("2 * 1.5")), int)


def test_collections_and_conversions_in_results() -> None:
    assert to_python(ev("{for k, v in {b = 2, a = 1} : v => k}")) == {"1": "a", "2": "b"}
    assert to_python(ev('{for x in ["a", "b", "a"] : x => x...}')) == {"a": ["a", "a"], "b": ["b"]}
    assert ev('true ? 1 : "x"') == string("1")
    assert ev("xs[*].id", xs=from_python([{"id": 1}, {"id": 2}])).v == [number(1), number(2)]
    assert ev("l[*]", l=ev("tolist", tolist=Value(ListType(NUMBER), [number(1)]))).type == ListType(NUMBER)
    assert ev("o[*]", o=from_python({"a": 1})).type == TupleType((ObjectType((("a", NUMBER),)),))
    assert ev("null[*]") == unknown(DYNAMIC)  # Packer 1.6.6's HCL; newer versions give []
    assert ev("true ? 1 : nosuch") == number(1)  # 1.6.6 ignores errors in the branch not taken


def test_diagnostics_never_show_sensitive_values() -> None:
    with pytest.raises(DiagnosticError) as e:
        ev("s + 1", s=SECRET)
    assert e.value.diagnostics[0].values == ("s has a sensitive value",)
    assert "hunter2" not in str(e.value)
    with pytest.raises(DiagnosticError) as e:
        ev("[for x in xs : x + 1]", xs=ev("[s]", s=SECRET))
    assert e.value.diagnostics[0].values == ("x has a sensitive value",)


def test_sensitive_object_keys_mark_the_object_and_stay_hidden() -> None:
    assert ev("{for s in [x] : s => 1}", x=SECRET).is_sensitive
    with pytest.raises(DiagnosticError) as e:
        ev("{for s in [x, x] : s => 1}", x=SECRET)
    assert "hunter2" not in e.value.diagnostics[0].detail
