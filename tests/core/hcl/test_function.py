"""The function calling convention, used directly (as the function library's tests do)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from kiln.hcl.convert import from_python
from kiln.hcl.function import ArgError, ArityError, Function, Param
from kiln.hcl.values import DYNAMIC, NUMBER, SENSITIVE, STRING, ListType, Value, null, number, string, unknown

calls: list[list[Value]] = []


def _length(args: Sequence[Value]) -> Value:
    calls.append(list(args))
    return number(len(args[0].v))


LENGTH = Function((Param("list", ListType(DYNAMIC)),), _length, NUMBER, name="length")


def test_arguments_are_converted_and_checked() -> None:
    assert LENGTH.call([from_python([1, "a"])]) == number(2)
    assert calls[-1][0].type == ListType(STRING)
    with pytest.raises(ArgError) as err:
        LENGTH.call([string("x")])
    assert (err.value.index, err.value.message) == (0, "list of any single type required")
    with pytest.raises(ArgError, match="argument must not be null"):
        LENGTH.call([null()])
    with pytest.raises(ArityError) as arity:
        LENGTH.call([])
    assert arity.value.summary == "Not enough function arguments"


def test_unknown_and_marks() -> None:
    before = len(calls)
    assert LENGTH.call([unknown(ListType(NUMBER))]) == unknown(NUMBER)
    assert len(calls) == before  # not called with an unknown it did not ask for
    marked = from_python([1, 2]).mark(SENSITIVE)
    assert LENGTH.call([marked]) == number(2).mark(SENSITIVE)
    assert not calls[-1][0].marks  # the implementation sees unmarked values


def test_computed_return_type_and_variadic() -> None:
    concat = Function(
        (),
        lambda args: string("".join(a.v for a in args)),
        lambda args: STRING,
        variadic=Param("parts", STRING, allow_marked=True),
    )
    assert concat.call([string("a"), number(1)]) == string("a1")
    assert concat.resolve_return_type([]) == STRING
    assert concat.call([]) == string("")
