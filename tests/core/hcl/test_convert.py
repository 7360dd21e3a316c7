"""cty's conversion rules (``convert``), unification, and the Python bridge."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kiln.hcl.convert import (
    ConversionError,
    constraint_name,
    convert,
    from_python,
    object_type,
    to_python,
    unify,
)
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    SENSITIVE,
    STRING,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Value,
    boolean,
    null,
    number,
    string,
    unknown,
)


def message(value: Value, want: object) -> str:
    with pytest.raises(ConversionError) as err:
        convert(value, want)  # type: ignore[arg-type]
    return err.value.message


def test_primitive_conversions() -> None:
    assert convert(number("1.5"), STRING) == string("1.5")
    assert convert(number("1e30"), STRING) == string("1000000000000000000000000000000")
    assert convert(boolean(True), STRING) == string("true")
    assert convert(string("12"), NUMBER) == number(12)
    assert convert(string("-1.5e2"), NUMBER) == number(-150)
    assert convert(string("true"), BOOL) == boolean(True)
    assert convert(string("0"), BOOL) == boolean(False)
    assert message(string("abc"), NUMBER) == "a number is required"
    assert message(string(" 1"), NUMBER) == "a number is required"
    assert message(string("yes"), BOOL) == "a bool is required"
    assert message(string("True"), BOOL) == 'a bool is required; to convert from string, use lowercase "true"'
    assert message(number(1), BOOL) == "bool required"
    assert message(boolean(True), NUMBER) == "number required"
    assert message(from_python([1]), STRING) == "string required"


def test_structural_to_collection_unifies_element_types() -> None:
    assert convert(from_python([1, "a"]), ListType(DYNAMIC)) == Value(
        ListType(STRING), [string("1"), string("a")]
    )
    assert convert(from_python([3, 1, 3]), SetType(NUMBER)).v == [number(1), number(3)]
    assert convert(from_python({"a": 1, "b": True}), MapType(STRING)).v == {
        "a": string("1"),
        "b": string("true"),
    }
    assert convert(from_python([]), ListType(DYNAMIC)) == Value(ListType(DYNAMIC), [])
    assert message(from_python([True, 1]), ListType(DYNAMIC)) == "all list elements must have the same type"
    assert (
        message(from_python({"a": True, "b": 1}), MapType(DYNAMIC))
        == "all map elements must have the same type"
    )
    assert message(from_python([1, "x"]), ListType(NUMBER)) == "a number is required"
    with pytest.raises(ConversionError) as err:
        convert(from_python([1, "x"]), ListType(NUMBER))
    assert err.value.path == (1,)


def test_objects_and_tuples() -> None:
    want = object_type({"name": STRING, "size": NUMBER}, frozenset({"size"}))
    got = convert(from_python({"name": "x", "extra": True}), want)
    assert got.v == {"name": string("x"), "size": null(NUMBER)}
    assert message(from_python({"size": 1}), want) == 'attribute "name" is required'
    assert convert(from_python({"a": "1"}), object_type({"a": NUMBER})).v == {"a": number(1)}
    assert convert(from_python([1, "2"]), TupleType((STRING, NUMBER))).v == [string("1"), number(2)]
    assert message(from_python([1]), TupleType((STRING, STRING))) == "tuple required"
    m = Value(MapType(STRING), {"a": string("1")})
    assert convert(m, object_type({"a": NUMBER})).v == {"a": number(1)}


def test_unknown_null_and_marks_are_preserved() -> None:
    assert convert(unknown(), STRING) == unknown(STRING)
    assert convert(null(), ListType(STRING)) == null(ListType(STRING))
    assert convert(number(1).mark(SENSITIVE), STRING) == string("1").mark(SENSITIVE)
    inner = convert(Value(TupleType((NUMBER,)), [number(1).mark(SENSITIVE)]), ListType(STRING))
    assert inner.v[0] == string("1").mark(SENSITIVE)
    assert convert(unknown(NUMBER), STRING) == unknown(STRING)
    assert message(unknown(NUMBER), BOOL) == "bool required"


def test_unify() -> None:
    assert unify([NUMBER, STRING]) == STRING
    assert unify([NUMBER, BOOL]) is None
    assert unify([object_type({"a": NUMBER}), object_type({"b": NUMBER})]) == MapType(NUMBER)
    assert unify([object_type({"a": NUMBER}), object_type({"a": STRING})]) == object_type({"a": STRING})
    assert unify([TupleType((NUMBER,)), TupleType((NUMBER, NUMBER))]) == ListType(NUMBER)
    assert unify([]) == DYNAMIC


def test_constraint_names() -> None:
    assert constraint_name(ListType(DYNAMIC)) == "list of any single type"
    assert constraint_name(MapType(ListType(STRING))) == "map of list of string"
    assert constraint_name(DYNAMIC) == "any type"
    assert isinstance(object_type({"a": NUMBER}), ObjectType)


def test_python_bridge() -> None:
    v = from_python({"a": [1, 2.5, None, True, "s"], "b": {"c": 10**30}})
    assert v.type == object_type(
        {"a": TupleType((NUMBER, NUMBER, DYNAMIC, BOOL, STRING)), "b": object_type({"c": NUMBER})}
    )
    assert to_python(v) == {"a": [1, 2.5, None, True, "s"], "b": {"c": 10**30}}
    assert isinstance(to_python(number("3.0")), int)
    assert to_python(number("0.1")) == 0.1
    assert from_python(Decimal("0.5")) == number("0.5")
    with pytest.raises(ValueError):
        to_python(unknown(STRING))
