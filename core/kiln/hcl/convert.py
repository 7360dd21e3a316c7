"""Type conversion with cty's rules (``convert.Convert``, unsafe mode, as HCL uses it).

* primitives: number -> string, bool -> string, string -> number ("a number is required"),
  string -> bool (``"true"``/``"false"``/``"1"``/``"0"``); number <-> bool is not allowed;
* tuple -> list/set and object -> map unify their element types; list <-> set; list/set/tuple -> tuple
  of the same length; map/object -> object (extra attributes dropped, ``optional`` ones filled with null);
* unknown and null values convert to unknown/null of the wanted type; marks are kept.

Also ``to_python``/``from_python`` (cty's JSON implied types) and ``unify`` (common type of values).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kiln.hcl import numbers
from kiln.hcl.equality import sort_set
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    Dynamic,
    ListType,
    MapType,
    ObjectType,
    Primitive,
    SetType,
    TupleType,
    Type,
    Value,
)

__all__ = [
    "ConversionError",
    "constraint_name",
    "convert",
    "from_python",
    "object_type",
    "strip_marks",
    "to_python",
    "type_of_values",
    "unify",
]


class ConversionError(Exception):
    """``message`` is cty's text ("a number is required"); ``path`` the steps to the bad element."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def constraint_name(t: Type) -> str:
    """cty's ``FriendlyNameForConstraint`` ("list of any single type", "any type"...)."""
    if isinstance(t, Dynamic):
        return "any type"
    if isinstance(t, ListType | SetType | MapType):
        kind = {ListType: "list", SetType: "set", MapType: "map"}[type(t)]
        inner = "any single type" if isinstance(t.elem, Dynamic) else constraint_name(t.elem)
        return f"{kind} of {inner}"
    return t.friendly()


def object_type(attrs: dict[str, Type], optional: frozenset[str] = frozenset()) -> ObjectType:
    return ObjectType(tuple(sorted(attrs.items())), optional)


def strip_marks(v: Value) -> tuple[Value, set[str]]:
    """``v`` without marks at any depth, and every mark found (cty's ``UnmarkDeep``)."""
    found: set[str] = set(v.marks)
    payload = v.v
    if isinstance(payload, list):
        items = []
        for e in payload:
            ue, m = strip_marks(e)
            found |= m
            items.append(ue)
        payload = items
    elif isinstance(payload, dict):
        attrs = {}
        for k, e in payload.items():
            ue, m = strip_marks(e)
            found |= m
            attrs[k] = ue
        payload = attrs
    return Value(v.type, payload), found


def convert(value: Value, want: Type) -> Value:
    """``value`` as a ``want`` (which may contain ``any``); raises ``ConversionError``."""
    return _convert(value, want, ())


def _convert(value: Value, want: Type, path: tuple[str | int, ...]) -> Value:
    if isinstance(want, Dynamic) or value.type == want and not _has_optional(want):
        return value
    if value.marks:
        inner = _convert(Value(value.type, value.v), want, path)
        return inner.mark(*value.marks)
    if not isinstance(value.type, Dynamic) and not _convertible(value.type, want):
        raise ConversionError(mismatch_message(value.type, want), path)
    if not value.is_known:
        return Value(_concrete(value.type, want), value.v)
    if value.is_null:
        return Value(_concrete(value.type, want), None)
    if isinstance(want, Primitive):
        return _primitive(value, want, path)
    if isinstance(want, ListType | SetType):
        elems = [_convert(e, want.elem, path + (i,)) for i, e in enumerate(_elements(value))]
        elem_t = want.elem
        if isinstance(elem_t, Dynamic):
            unified = unify([e.type for e in elems])
            if unified is None:
                raise ConversionError(mismatch_message(value.type, want), path)
            elem_t = unified
            elems = [_convert(e, unified, path + (i,)) for i, e in enumerate(elems)]
        out_t: Type = ListType(elem_t) if isinstance(want, ListType) else SetType(elem_t)
        return Value(out_t, _dedupe(elems) if isinstance(want, SetType) else elems)
    if isinstance(want, MapType):
        assert isinstance(value.v, dict)
        attrs = {k: _convert(e, want.elem, path + (k,)) for k, e in value.v.items()}
        elem_t = want.elem
        if isinstance(elem_t, Dynamic):
            unified = unify([e.type for e in attrs.values()])
            if unified is None:
                raise ConversionError(mismatch_message(value.type, want), path)
            elem_t = unified
            attrs = {k: _convert(e, unified, path + (k,)) for k, e in attrs.items()}
        return Value(MapType(elem_t), attrs)
    if isinstance(want, TupleType):
        elems = _elements(value)
        if len(elems) != len(want.elems):
            raise ConversionError(f"tuple required with exactly {len(want.elems)} elements", path)
        out = [_convert(e, t, path + (i,)) for i, (e, t) in enumerate(zip(elems, want.elems, strict=True))]
        return Value(TupleType(tuple(e.type for e in out)), out)
    if isinstance(want, ObjectType):
        assert isinstance(value.v, dict)
        got = value.v
        result: dict[str, Value] = {}
        for name, t in want.attrs:
            if name in got:
                result[name] = _convert(got[name], t, path + (name,))
            elif name in want.optional:
                result[name] = Value(_concrete(DYNAMIC, t), None)
            else:
                raise ConversionError(f'attribute "{name}" is required', path)
        return Value(object_type({k: v.type for k, v in result.items()}), result)
    raise ConversionError(mismatch_message(value.type, want), path)  # pragma: no cover


def _has_optional(t: Type) -> bool:
    if isinstance(t, ObjectType):
        return bool(t.optional) or any(_has_optional(a) for _, a in t.attrs)
    if isinstance(t, ListType | SetType | MapType):
        return _has_optional(t.elem)
    if isinstance(t, TupleType):
        return any(_has_optional(e) for e in t.elems)
    return False


def _concrete(got: Type, want: Type) -> Type:
    """The type of a null/unknown ``got`` converted to ``want`` (``any`` parts take ``got``'s)."""
    if isinstance(want, Dynamic):
        return got
    if isinstance(want, ObjectType) and want.optional:
        return ObjectType(want.attrs)
    return want


def _elements(value: Value) -> list[Value]:
    if isinstance(value.v, list):
        return list(value.v)
    raise ConversionError(mismatch_message(value.type, DYNAMIC))  # pragma: no cover


def _dedupe(elems: list[Value]) -> list[Value]:
    return sort_set(elems)


def _primitive(value: Value, want: Primitive, path: tuple[str | int, ...]) -> Value:
    got = value.type
    if got == want:
        return value
    if want == STRING:
        if got == NUMBER:
            try:
                return Value(STRING, numbers.text(value.v))
            except numbers.TooLong as err:
                raise ConversionError(str(err)) from None
        return Value(STRING, "true" if value.v else "false")
    if want == NUMBER:
        n = numbers.parse(value.v)
        if n is None:
            raise ConversionError("a number is required", path)
        return Value(NUMBER, n)
    s = value.v
    if s in ("true", "1"):
        return Value(BOOL, True)
    if s in ("false", "0"):
        return Value(BOOL, False)
    if s.lower() in ("true", "false"):
        raise ConversionError(
            f'a bool is required; to convert from string, use lowercase "{s.lower()}"', path
        )
    raise ConversionError("a bool is required", path)


def _convertible(got: Type, want: Type) -> bool:
    """Whether a conversion exists at the type level (values may still fail, e.g. "abc" -> number)."""
    if isinstance(want, Dynamic) or isinstance(got, Dynamic) or got == want:
        return True
    if isinstance(want, Primitive):
        if not isinstance(got, Primitive):
            return False
        return want == STRING or got == STRING
    if isinstance(want, ListType | SetType):
        if isinstance(got, ListType | SetType):
            return _convertible(got.elem, want.elem)
        if isinstance(got, TupleType):
            if isinstance(want.elem, Dynamic):
                return not got.elems or unify(list(got.elems)) is not None
            return all(_convertible(e, want.elem) for e in got.elems)
        return False
    if isinstance(want, MapType):
        if isinstance(got, MapType):
            return _convertible(got.elem, want.elem)
        if isinstance(got, ObjectType):
            types = [t for _, t in got.attrs]
            if isinstance(want.elem, Dynamic):
                return not types or unify(types) is not None
            return all(_convertible(t, want.elem) for t in types)
        return False
    if isinstance(want, TupleType):
        if isinstance(got, TupleType):
            return len(got.elems) == len(want.elems) and all(
                _convertible(g, w) for g, w in zip(got.elems, want.elems, strict=True)
            )
        if isinstance(got, ListType | SetType):
            return all(_convertible(got.elem, w) for w in want.elems)
        return False
    if isinstance(want, ObjectType):
        if isinstance(got, ObjectType):
            have = got.attr_types()
            for name, t in want.attrs:
                if name not in have:
                    if name not in want.optional:
                        return False
                elif not _convertible(have[name], t):
                    return False
            return True
        if isinstance(got, MapType):
            return all(_convertible(got.elem, t) for _, t in want.attrs)
        return False
    return False


def mismatch_message(got: Type, want: Type) -> str:
    """cty's ``MismatchMessage``: why no conversion exists from ``got`` to ``want``."""
    if isinstance(got, ObjectType) and isinstance(want, ObjectType):
        have = got.attr_types()
        missing = sorted(n for n, _ in want.attrs if n not in have and n not in want.optional)
        for name, t in want.attrs:
            if name in have and not _convertible(have[name], t):
                return f'attribute "{name}": {mismatch_message(have[name], t)}'
        if len(missing) == 1:
            return f'attribute "{missing[0]}" is required'
        if missing:
            quoted = [f'"{m}"' for m in missing]
            return f"attributes {', '.join(quoted[:-1])} and {quoted[-1]} are required"
        return "incorrect object attributes"
    if isinstance(got, TupleType) and isinstance(want, ListType) and isinstance(want.elem, Dynamic):
        return "all list elements must have the same type"
    if isinstance(got, TupleType) and isinstance(want, SetType) and isinstance(want.elem, Dynamic):
        return "all set elements must have the same type"
    if isinstance(got, ObjectType) and isinstance(want, MapType) and isinstance(want.elem, Dynamic):
        return "all map elements must have the same type"
    if isinstance(got, TupleType) and isinstance(want, ListType | SetType):
        for i, e in enumerate(got.elems):
            if not _convertible(e, want.elem):
                return f"element {i}: {mismatch_message(e, want.elem)}"
    if isinstance(got, ObjectType) and isinstance(want, MapType):
        for name, t in got.attrs:
            if not _convertible(t, want.elem):
                return f'element "{name}": {mismatch_message(t, want.elem)}'
    if isinstance(got, ListType | SetType | MapType) and isinstance(want, ListType | SetType | MapType):
        if (
            type(got) is type(want)
            or isinstance(got, ListType | SetType)
            and isinstance(want, ListType | SetType)
        ):
            return f"incorrect element type: {mismatch_message(got.elem, want.elem)}"
    return constraint_name(want) + " required"


def unify(types: list[Type]) -> Type | None:
    """cty's ``UnifyUnsafe``: one type all ``types`` convert to, or None."""
    if not types:
        return DYNAMIC
    first = types[0]
    if all(t == first for t in types):
        return first
    if any(isinstance(t, Dynamic) for t in types):
        return DYNAMIC
    if all(isinstance(t, Primitive) for t in types):
        if STRING in types:
            return STRING
        return None
    if all(isinstance(t, ObjectType) for t in types):
        objs = [t for t in types if isinstance(t, ObjectType)]
        names = [tuple(n for n, _ in o.attrs) for o in objs]
        if all(n == names[0] for n in names):
            attrs: dict[str, Type] = {}
            for name in names[0]:
                u = unify([o.attr_types()[name] for o in objs])
                if u is None:
                    return None
                attrs[name] = u
            return object_type(attrs)
        u = unify([t for o in objs for _, t in o.attrs])
        return MapType(u) if u is not None else None
    if all(isinstance(t, TupleType) for t in types):
        tups = [t for t in types if isinstance(t, TupleType)]
        if all(len(t.elems) == len(tups[0].elems) for t in tups):
            elems = []
            for i in range(len(tups[0].elems)):
                u = unify([t.elems[i] for t in tups])
                if u is None:
                    return None
                elems.append(u)
            return TupleType(tuple(elems))
        u = unify([e for t in tups for e in t.elems])
        return ListType(u) if u is not None else None
    for kind in (ListType, SetType, MapType):
        if all(isinstance(t, kind | (TupleType if kind is not MapType else ObjectType)) for t in types):
            elems_t: list[Type] = []
            for t in types:
                if isinstance(t, ListType | SetType | MapType):
                    elems_t.append(t.elem)
                elif isinstance(t, TupleType):
                    elems_t.extend(t.elems)
                elif isinstance(t, ObjectType):
                    elems_t.extend(a for _, a in t.attrs)
            u = unify(elems_t)
            return kind(u) if u is not None else None
    return None


def type_of_values(values: list[Value]) -> Type:
    """The unified type of ``values`` (``any`` when there are none); raises when none exists."""
    u = unify([v.type for v in values])
    if u is None:
        raise ConversionError("all elements must have the same type")
    return u


def to_python(value: Value) -> Any:
    """JSON-able Python for a known value: numbers become ``int`` when whole, else ``float``.
    Unknown values raise ``ValueError``; marks are dropped (check ``strip_marks`` first if they matter)."""
    if not value.is_known:
        raise ValueError("cannot convert an unknown value to Python")
    v = value.v
    if v is None:
        return None
    if isinstance(v, Decimal):
        if v.is_finite() and v == v.to_integral_value():
            return int(v)
        return float(v)
    if isinstance(v, list):
        return [to_python(e) for e in v]
    if isinstance(v, dict):
        return {k: to_python(e) for k, e in v.items()}
    return v


def from_python(obj: Any) -> Value:
    """A Value for JSON-ish Python, with cty's JSON implied types: lists are tuples, dicts objects."""
    if isinstance(obj, Value):
        return obj
    if obj is None:
        return Value(DYNAMIC, None)
    if isinstance(obj, bool):
        return Value(BOOL, obj)
    if isinstance(obj, int | float | Decimal):
        return Value(
            NUMBER, numbers.CONTEXT.plus(Decimal(str(obj)) if isinstance(obj, float) else Decimal(obj))
        )
    if isinstance(obj, str):
        return Value(STRING, obj)
    if isinstance(obj, list | tuple):
        elems = [from_python(e) for e in obj]
        return Value(TupleType(tuple(e.type for e in elems)), elems)
    if isinstance(obj, dict):
        attrs = {str(k): from_python(e) for k, e in obj.items()}
        return Value(object_type({k: e.type for k, e in attrs.items()}), attrs)
    raise TypeError(f"cannot convert {type(obj).__name__} to an HCL value")
