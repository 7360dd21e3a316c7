"""Value equality (cty's ``Equals``/``RawEquals``) and set element ordering."""

from __future__ import annotations

from decimal import Decimal

from kiln.hcl.values import Dynamic, ListType, MapType, ObjectType, SetType, TupleType, Type, Value


def raw_equal(a: Value, b: Value) -> bool:
    """Same type and same payload, unknowns equal only to unknowns; marks are ignored."""
    if a.type != b.type:
        return False
    if not a.is_known or not b.is_known:
        return not a.is_known and not b.is_known
    if a.is_null or b.is_null:
        return a.is_null and b.is_null
    if isinstance(a.v, list):
        return len(a.v) == len(b.v) and all(raw_equal(x, y) for x, y in zip(a.v, b.v, strict=True))
    if isinstance(a.v, dict):
        return a.v.keys() == b.v.keys() and all(raw_equal(a.v[k], b.v[k]) for k in a.v)
    return bool(a.v == b.v)


def has_dynamic_types(t: Type) -> bool:
    """Whether ``t`` is or contains ``any`` (cty's ``HasDynamicTypes``)."""
    if isinstance(t, Dynamic):
        return True
    if isinstance(t, ListType | SetType | MapType):
        return has_dynamic_types(t.elem)
    if isinstance(t, TupleType):
        return any(has_dynamic_types(e) for e in t.elems)
    if isinstance(t, ObjectType):
        return any(has_dynamic_types(a) for _, a in t.attrs)
    return False


def equal(a: Value, b: Value) -> bool | None:
    """HCL's ``==`` (cty's ``Equals``): True/False, or None when the answer is unknown — an unknown
    operand, or a type still containing ``any`` (``[null] == [null]`` is unknown in cty)."""
    if not a.is_known or not b.is_known:
        if not a.is_known and not b.is_known:
            return None
        known, other = (a, b) if a.is_known else (b, a)
        if known.is_null or has_dynamic_types(other.type):
            return None
        return False if known.type != other.type else None
    if a.is_null and b.is_null:
        return True
    if a.is_null or b.is_null:
        return False
    if has_dynamic_types(a.type) or has_dynamic_types(b.type):
        return None
    if a.type != b.type:
        return False
    if isinstance(a.v, list):
        if len(a.v) != len(b.v):
            return False
        return _all([equal(x, y) for x, y in zip(a.v, b.v, strict=True)])
    if isinstance(a.v, dict):
        if a.v.keys() != b.v.keys():
            return False
        return _all([equal(a.v[k], b.v[k]) for k in a.v])
    return bool(a.v == b.v)


def _all(results: list[bool | None]) -> bool | None:
    if any(r is False for r in results):
        return False
    if any(r is None for r in results):
        return None
    return True


def _key(v: Value) -> tuple[int, object]:
    if not v.is_known:
        return (3, 0)
    if v.is_null:
        return (4, 0)
    if isinstance(v.v, bool):
        return (0, v.v)
    if isinstance(v.v, Decimal):
        return (1, v.v)
    if isinstance(v.v, str):
        return (2, v.v)
    return (5, repr(v.v))


def sort_set(elems: list[Value]) -> list[Value]:
    """Set elements without duplicates, in cty's order (numbers ascending, strings lexically)."""
    out: list[Value] = []
    for e in elems:
        if e.is_known and any(raw_equal(e, o) for o in out):
            continue
        out.append(e)
    return sorted(out, key=_key)
