"""cty-style values: every evaluated HCL expression is a ``Value`` of a ``Type``.

Numbers are ``decimal.Decimal`` with HCL's precision (so ``0.1 + 0.2`` is ``0.3``). A value may be
*unknown* (``build.ID`` before a build runs) or *null*, and carries *marks* (``"sensitive"``) that
flow through every operation that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class Type:
    """Base of HCL types. Instances are immutable and compare by value."""

    def friendly(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.friendly()


@dataclass(frozen=True, repr=False)
class Primitive(Type):
    name: str  # "string" | "number" | "bool"

    def friendly(self) -> str:
        return self.name


@dataclass(frozen=True, repr=False)
class Dynamic(Type):
    """``any``: the type is not known yet (unknown values, type constraints)."""

    def friendly(self) -> str:
        return "dynamic"


@dataclass(frozen=True, repr=False)
class ListType(Type):
    elem: Type

    def friendly(self) -> str:
        return f"list of {self.elem.friendly()}"


@dataclass(frozen=True, repr=False)
class SetType(Type):
    elem: Type

    def friendly(self) -> str:
        return f"set of {self.elem.friendly()}"


@dataclass(frozen=True, repr=False)
class MapType(Type):
    elem: Type

    def friendly(self) -> str:
        return f"map of {self.elem.friendly()}"


@dataclass(frozen=True, repr=False)
class TupleType(Type):
    elems: tuple[Type, ...]

    def friendly(self) -> str:
        return "tuple"


@dataclass(frozen=True, repr=False)
class ObjectType(Type):
    attrs: tuple[tuple[str, Type], ...]  # sorted by name
    optional: frozenset[str] = frozenset()  # for type constraints with optional()

    def friendly(self) -> str:
        return "object"

    def attr_types(self) -> dict[str, Type]:
        return dict(self.attrs)


STRING = Primitive("string")
NUMBER = Primitive("number")
BOOL = Primitive("bool")
DYNAMIC = Dynamic()


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()
"""The payload of an unknown value (``Value.v is UNKNOWN``)."""

SENSITIVE = "sensitive"


@dataclass(frozen=True)
class Value:
    """A typed HCL value.

    ``v`` holds: ``str`` (string), ``Decimal`` (number), ``bool``, ``list[Value]`` (list, set, tuple),
    ``dict[str, Value]`` (map, object), ``None`` (null of ``type``), or ``UNKNOWN``.
    """

    type: Type
    v: Any
    marks: frozenset[str] = field(default=frozenset())

    @property
    def is_null(self) -> bool:
        return self.v is None

    @property
    def is_known(self) -> bool:
        return self.v is not UNKNOWN

    @property
    def is_sensitive(self) -> bool:
        return SENSITIVE in self.marks

    def mark(self, *marks: str) -> Value:
        return Value(self.type, self.v, self.marks | frozenset(marks))

    def unmark(self) -> Value:
        return Value(self.type, self.v, frozenset())


def string(s: str) -> Value:
    return Value(STRING, s)


def number(n: int | float | str | Decimal) -> Value:
    return Value(NUMBER, n if isinstance(n, Decimal) else Decimal(str(n)))


def boolean(b: bool) -> Value:
    return Value(BOOL, b)


def null(t: Type = DYNAMIC) -> Value:
    return Value(t, None)


def unknown(t: Type = DYNAMIC) -> Value:
    return Value(t, UNKNOWN)
