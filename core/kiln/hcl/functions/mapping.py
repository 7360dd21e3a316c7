"""Functions over maps, objects and sets (cty's stdlib, Terraform's ``transpose``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kiln.hcl.convert import ConversionError, convert, object_type
from kiln.hcl.equality import raw_equal, sort_set
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import (
    DYNAMIC,
    STRING,
    Dynamic,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Value,
    unknown,
)

from ._support import define, string, unify_types
from .collection import list_of, tuple_of, wholly_known

# ---- keys, values, lookup, merge, zipmap, transpose -----------------------------------------------


def _keys_type(args: Sequence[Value]) -> Type:
    t = args[0].type
    if isinstance(t, MapType):
        return ListType(STRING)
    if isinstance(t, ObjectType):
        return TupleType((STRING,) * len(t.attrs))
    raise ArgError(0, "must have map or object type")


def _keys(args: Sequence[Value]) -> Value:
    m = args[0]
    if isinstance(m.type, ObjectType):
        return tuple_of([string(name) for name, _ in m.type.attrs])
    if not m.is_known:
        return unknown(ListType(STRING))
    return list_of(STRING, [string(k) for k in sorted(m.v)])


def _values_type(args: Sequence[Value]) -> Type:
    t = args[0].type
    if isinstance(t, MapType):
        return ListType(t.elem)
    if isinstance(t, ObjectType):
        return TupleType(tuple(a for _, a in t.attrs))
    raise FunctionError("values() requires a map as the first argument")


def _values(args: Sequence[Value]) -> Value:
    ret = _values_type(args)
    m = args[0]
    return Value(ret, [m.v[k] for k in sorted(m.v)])


def _lookup_type(args: Sequence[Value]) -> Type:
    m, key = args[0], args[1]
    t = m.type
    if isinstance(t, ObjectType):
        if not key.is_known:
            return DYNAMIC
        attrs = t.attr_types()
        if key.v in attrs:
            return attrs[key.v]
        if len(args) == 3:
            return args[2].type
        raise ArgError(0, f'the given object has no attribute "{key.v}"')
    if isinstance(t, MapType):
        if len(args) == 3:
            try:
                convert(args[2], t.elem)
            except ConversionError:
                raise ArgError(2, "the default value must have the same type as the map elements") from None
        return t.elem
    raise ArgError(0, "lookup() requires a map as the first argument")


def _lookup(args: Sequence[Value]) -> Value:
    ret = _lookup_type(args)
    m, key = args[0], args[1].v
    if not wholly_known(m):
        return unknown(ret)
    if key in m.v:
        return m.v[key]
    if len(args) == 3:
        try:
            return convert(args[2], ret)
        except ConversionError as err:
            raise FunctionError(err.message) from None
    raise FunctionError(f"lookup failed to find '{key}'")


def _merge_type(args: Sequence[Value]) -> Type:
    if not args:
        return object_type({})
    attrs: dict[str, Type] = {}
    first: Type | None = None
    matching, attrs_known = True, True
    for i, a in enumerate(args):
        t = a.type
        if isinstance(t, Dynamic):
            return DYNAMIC
        if isinstance(t, ObjectType) and not a.is_null:
            attrs.update(t.attr_types())
        elif isinstance(t, MapType):
            if a.is_null:
                pass
            elif a.is_known:
                attrs.update(dict.fromkeys(a.v, t.elem))
            else:
                attrs_known = False
        else:
            raise FunctionError(f'arguments must be maps or objects, got "{t.friendly()}"')
        if i == 0:
            first = t
        elif t != first:
            matching = False
    if matching and first is not None:
        return first
    if not attrs_known:
        return DYNAMIC
    return object_type(attrs)


def _merge(args: Sequence[Value]) -> Value:
    ret = _merge_type(args)
    out: dict[str, Value] = {}
    for a in args:
        if a.is_null:
            continue
        out.update(a.v)
    if isinstance(ret, MapType):
        return Value(ret, out)
    return Value(object_type({k: v.type for k, v in out.items()}), out)


def _zipmap_type(args: Sequence[Value]) -> Type:
    keys, vals = args
    t = vals.type
    if isinstance(t, ListType):
        return MapType(t.elem)
    if isinstance(t, TupleType):
        if not wholly_known(keys):
            return DYNAMIC
        if len(keys.v) != len(t.elems):
            raise FunctionError(
                f"number of keys ({len(keys.v)}) does not match number of values ({len(t.elems)})"
            )
        attrs: dict[str, Type] = {}
        for i, (k, et) in enumerate(zip(keys.v, t.elems, strict=True)):
            if k.is_null:
                raise FunctionError(f"keys list has null value at index {i}")
            attrs[k.v] = et
        return object_type(attrs)
    raise FunctionError("values argument must be a list or tuple value")


def _zipmap(args: Sequence[Value]) -> Value:
    ret = _zipmap_type(args)
    keys, vals = args
    if not wholly_known(keys):
        return unknown(ret)
    if len(keys.v) != len(vals.v):
        raise FunctionError(f"number of keys ({len(keys.v)}) does not match number of values ({len(vals.v)})")
    out = {k.v: v for k, v in zip(keys.v, vals.v, strict=True)}
    return Value(ret if isinstance(ret, MapType) else object_type({k: v.type for k, v in out.items()}), out)


_MAP_OF_LISTS = MapType(ListType(STRING))


def _transpose(args: Sequence[Value]) -> Value:
    m = args[0]
    if not wholly_known(m):
        return unknown(_MAP_OF_LISTS)
    out: dict[str, list[str]] = {}
    for key in sorted(m.v):
        for e in m.v[key].v:
            if e.is_null:
                raise FunctionError("input must be a map of lists of strings")
            out.setdefault(e.v, []).append(key)
    return Value(_MAP_OF_LISTS, {k: list_of(STRING, [string(x) for x in v]) for k, v in out.items()})


# ---- sets --------------------------------------------------------------------------------------------


def _set_type(args: Sequence[Value]) -> Type:
    t = unify_types([a.type for a in args])
    if t is None:
        raise FunctionError("given sets must all have compatible element types")
    return t


def _set_operation(
    op: Callable[[list[Value], list[Value]], list[Value]],
) -> Callable[[Sequence[Value]], Value]:
    def impl(args: Sequence[Value]) -> Value:
        ret = _set_type(args)
        result: list[Value] | None = None
        for i, a in enumerate(args):
            try:
                a = convert(a, ret)
            except ConversionError as err:
                raise ArgError(i, err.message) from None
            if not wholly_known(a):
                return unknown(ret)
            result = list(a.v) if result is None else op(result, list(a.v))
        assert result is not None
        elem_t = ret.elem if isinstance(ret, SetType) else DYNAMIC
        return Value(SetType(elem_t), sort_set(result))

    return impl


def _has(elems: list[Value], v: Value) -> bool:
    return any(raw_equal(v, e) for e in elems)


def _union(a: list[Value], b: list[Value]) -> list[Value]:
    return a + [e for e in b if not _has(a, e)]


def _intersection(a: list[Value], b: list[Value]) -> list[Value]:
    return [e for e in a if _has(b, e)]


def _subtract(a: list[Value], b: list[Value]) -> list[Value]:
    return [e for e in a if not _has(b, e)]


def _setproduct_type(args: Sequence[Value]) -> Type:
    if len(args) < 2:
        raise FunctionError("at least two arguments are required")
    lists = 0
    elem_types: list[Type] = []
    for i, a in enumerate(args):
        t = a.type
        if isinstance(t, SetType):
            elem_types.append(t.elem)
        elif isinstance(t, ListType):
            elem_types.append(t.elem)
            lists += 1
        elif isinstance(t, TupleType):
            lists += 1
            if not t.elems:
                elem_types.append(DYNAMIC)
                continue
            u = unify_types(list(t.elems))
            if u is None:
                raise ArgError(i, "all elements must be of the same type")
            elem_types.append(u)
        else:
            raise ArgError(i, "a set or a list is required")
    ety = TupleType(tuple(elem_types))
    return ListType(ety) if lists == len(args) else SetType(ety)


MAX_PRODUCT = 1_000_000


def _setproduct(args: Sequence[Value]) -> Value:
    ret = _setproduct_type(args)
    assert isinstance(ret, ListType | SetType) and isinstance(ret.elem, TupleType)
    sub = ret.elem.elems
    size = 1
    for a in args:
        size *= len(a.v)
    if size > MAX_PRODUCT:
        raise FunctionError(f"the product would have {size:,} elements, more than kiln makes ({MAX_PRODUCT:,})")
    combos: list[list[Value]] = [[]]
    for j, a in enumerate(args):
        combos = [c + [convert(e, sub[j])] for c in combos for e in a.v]
    product = [Value(ret.elem, c) for c in combos]
    return Value(ret, product if isinstance(ret, ListType) else sort_set(product))


_SET = SetType(DYNAMIC)

FUNCTIONS = {
    "keys": define("keys", [Param("inputMap", DYNAMIC, allow_unknown=True)], _keys, _keys_type),
    "values": define("values", [Param("values", DYNAMIC)], _values, _values_type),
    "lookup": define(
        "lookup",
        [Param("inputMap", DYNAMIC), Param("key", STRING), Param("default", DYNAMIC)],
        _lookup,
        _lookup_type,
    ),
    "merge": define(
        "merge",
        [],
        _merge,
        _merge_type,
        variadic=Param("maps", DYNAMIC, allow_null=True, allow_dynamic_type=True),
    ),
    "zipmap": define(
        "zipmap", [Param("keys", ListType(STRING)), Param("values", DYNAMIC)], _zipmap, _zipmap_type
    ),
    "transpose": define("transpose", [Param("values", _MAP_OF_LISTS)], _transpose, _MAP_OF_LISTS),
    "setunion": define(
        "setunion",
        [Param("first_set", _SET, allow_dynamic_type=True)],
        _set_operation(_union),
        _set_type,
        variadic=Param("other_sets", _SET, allow_dynamic_type=True),
    ),
    "setintersection": define(
        "setintersection",
        [Param("first_set", _SET, allow_dynamic_type=True)],
        _set_operation(_intersection),
        _set_type,
        variadic=Param("other_sets", _SET, allow_dynamic_type=True),
    ),
    "setsubtract": define(
        "setsubtract",
        [Param("a", _SET, allow_dynamic_type=True), Param("b", _SET, allow_dynamic_type=True)],
        _set_operation(_subtract),
        _set_type,
    ),
    "setproduct": define("setproduct", [], _setproduct, _setproduct_type, variadic=Param("sets", DYNAMIC)),
}
