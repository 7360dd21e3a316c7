"""Type constraint expressions (``variable { type = ... }``)."""

from __future__ import annotations

import pytest
from kiln.hcl.convert import convert, from_python, object_type, to_python
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.parse import parse_expression
from kiln.hcl.types import parse_type, type_constraint
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, STRING, ListType, MapType, SetType, TupleType


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("string", STRING),
        ("number", NUMBER),
        ("bool", BOOL),
        ("any", DYNAMIC),
        ("list(string)", ListType(STRING)),
        ("set(number)", SetType(NUMBER)),
        ("map(list(bool))", MapType(ListType(BOOL))),
        ("tuple([string, number])", TupleType((STRING, NUMBER))),
        (
            "object({name = string, tags = map(string)})",
            object_type({"name": STRING, "tags": MapType(STRING)}),
        ),
        ("list(any)", ListType(DYNAMIC)),
    ],
)
def test_type_expressions(src: str, want: object) -> None:
    assert parse_type(parse_expression(src)) == want


@pytest.mark.parametrize(
    ("src", "detail"),
    [
        ("list", "The list type constructor requires one argument specifying the element type."),
        ("strin", 'The keyword "strin" is not a valid type specification.'),
        (
            "list(string, number)",
            "The list type constructor requires one argument specifying the element type.",
        ),
        ("optional(string)", 'Keyword "optional" is valid only as a modifier for object type attributes.'),
        ("foo(string)", 'Keyword "foo" is not a valid type constructor.'),
        (
            '"string"',
            "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).",
        ),
    ],
)
def test_invalid_type_expressions(src: str, detail: str) -> None:
    with pytest.raises(DiagnosticError) as err:
        parse_type(parse_expression(src))
    assert (err.value.diagnostics[0].summary, err.value.diagnostics[0].detail) == (
        "Invalid type specification",
        detail,
    )


def test_optional_attributes_and_defaults() -> None:
    t, defaults = type_constraint(
        parse_expression(
            "list(object({name = string, size = optional(number, 10), tags = optional(map(string))}))"
        )
    )
    assert t == ListType(
        object_type({"name": STRING, "size": NUMBER, "tags": MapType(STRING)}, frozenset({"size", "tags"}))
    )
    value = from_python([{"name": "a"}, {"name": "b", "size": 3}])
    filled = defaults.apply(convert(value, t))
    assert to_python(filled) == [
        {"name": "a", "size": 10, "tags": None},
        {"name": "b", "size": 3, "tags": None},
    ]
    with pytest.raises(DiagnosticError):
        type_constraint(parse_expression('object({a = optional(number, "x")})'))
