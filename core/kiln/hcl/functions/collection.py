"""Functions over lists, sets and tuples (cty's stdlib collection functions, Packer's ``index`` and
``length``, Terraform's ``one``, ``alltrue``/``anytrue``)."""

from __future__ import annotations

from collections.abc import Sequence

from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.equality import equal
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import (
    DYNAMIC,
    NUMBER,
    STRING,
    Dynamic,
    ListType,
    SetType,
    TupleType,
    Type,
    Value,
    unknown,
)

from ._support import define, to_int, unify_types

SEQUENCE = (ListType, SetType, TupleType)


def wholly_known(v: Value) -> bool:
    if not v.is_known:
        return False
    if isinstance(v.v, list):
        return all(wholly_known(e) for e in v.v)
    if isinstance(v.v, dict):
        return all(wholly_known(e) for e in v.v.values())
    return True


def list_of(elem_t: Type, elems: list[Value]) -> Value:
    return Value(ListType(elem_t), elems)


def tuple_of(elems: list[Value]) -> Value:
    return Value(TupleType(tuple(e.type for e in elems)), elems)


# ---- chunklist, compact, distinct, sort, reverse ---------------------------------------------------


def _chunklist(args: Sequence[Value]) -> Value:
    lst, size_v = args
    try:
        size = to_int(size_v)
    except FunctionError as err:
        raise FunctionError(f"invalid index: {err.message}") from None  # sic: cty's wording
    if size < 0:
        raise FunctionError("the size argument must be positive")
    elems = list(lst.v)
    if not elems:
        return list_of(lst.type, [])
    if size == 0:
        return list_of(lst.type, [lst])
    chunks = [Value(lst.type, elems[i : i + size]) for i in range(0, len(elems), size)]
    return list_of(lst.type, chunks)


def _compact(args: Sequence[Value]) -> Value:
    if not wholly_known(args[0]):
        return unknown(ListType(STRING))
    return list_of(STRING, [e for e in args[0].v if not e.is_null and e.v != ""])


def _distinct(args: Sequence[Value]) -> Value:
    lst = args[0]
    if not wholly_known(lst):
        return unknown(lst.type)
    out: list[Value] = []
    for e in lst.v:
        if not any(equal(e, o) for o in out):
            out.append(e)
    return Value(lst.type, out)


def _sort(args: Sequence[Value]) -> Value:
    lst = args[0]
    if not wholly_known(lst):
        return unknown(ListType(STRING))
    for i, e in enumerate(lst.v):
        if e.is_null:
            raise FunctionError(f"given list element {i} is null; a null string cannot be sorted")
    return list_of(STRING, sorted(lst.v, key=lambda e: e.v.encode("utf-8")))


def _reverse_type(args: Sequence[Value]) -> Type:
    t = args[0].type
    if isinstance(t, TupleType):
        return TupleType(tuple(reversed(t.elems)))
    if isinstance(t, ListType | SetType):
        return ListType(t.elem)
    raise ArgError(0, f"can only reverse list or tuple values, not {t.friendly()}")


def _reverse(args: Sequence[Value]) -> Value:
    t = _reverse_type(args)
    return Value(t, list(reversed(args[0].v)))


# ---- coalesce, coalescelist, concat, flatten --------------------------------------------------------


def _coalesce_type(args: Sequence[Value]) -> Type:
    t = unify_types([a.type for a in args]) if args else None
    if t is None:
        raise FunctionError("all arguments must have the same type")
    return t


def _coalesce(args: Sequence[Value]) -> Value:
    t = _coalesce_type(args)
    for a in args:
        a = convert(a, t)
        if not a.is_known:
            return unknown(t)
        if a.is_null or (t == STRING and a.v == ""):
            continue
        return a
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist_type(args: Sequence[Value]) -> Type:
    if not args:
        raise FunctionError("at least one argument is required")
    for a in args:
        if not a.is_known:
            return DYNAMIC
        if not isinstance(a.type, ListType | TupleType):
            raise FunctionError("coalescelist arguments must be lists or tuples")
    first = args[0].type
    return first if all(a.type == first for a in args) else DYNAMIC


def _coalescelist(args: Sequence[Value]) -> Value:
    ret = _coalescelist_type(args)
    for a in args:
        if not a.is_known:
            return unknown(ret)
        if a.is_null:
            continue
        if a.v:
            return a
    raise FunctionError("no non-null arguments")


def _concat_type(args: Sequence[Value]) -> Type:
    if not args:
        raise FunctionError("at least one argument is required")
    if all(isinstance(a.type, ListType) for a in args):
        common = unify_types([a.type for a in args])
        if common is not None:
            return common
    elems: list[Type] = []
    for i, a in enumerate(args):
        if isinstance(a.type, TupleType):
            elems.extend(a.type.elems)
        elif isinstance(a.type, ListType):
            if not a.is_known:
                return DYNAMIC
            elems.extend([a.type.elem] * len(a.v))
        else:
            raise ArgError(i, f"all arguments must be lists or tuples; got {a.type.friendly()}")
    return TupleType(tuple(elems))


def _concat(args: Sequence[Value]) -> Value:
    ret = _concat_type(args)
    if isinstance(ret, ListType):
        out: list[Value] = []
        for i, a in enumerate(args):
            try:
                out.extend(convert(a, ret).v)
            except ConversionError as err:
                raise ArgError(i, err.message) from None
        return Value(ret, out)
    return tuple_of([e for a in args for e in a.v])


def _flatten_elems(v: Value) -> tuple[list[Value], bool]:
    out: list[Value] = []
    known = True
    for e in v.v:
        if not e.is_known and isinstance(e.type, Dynamic):
            known = False
        if not e.is_null and isinstance(e.type, SEQUENCE):
            if not e.is_known:
                known = False
                out.append(e)
                continue
            sub, sub_known = _flatten_elems(e)
            known = known and sub_known
            out.extend(sub)
        else:
            out.append(e)
    return out, known


def _flatten_type(args: Sequence[Value]) -> Type:
    if not wholly_known(args[0]):
        return DYNAMIC
    if not isinstance(args[0].type, SEQUENCE):
        raise FunctionError("can only flatten lists, sets and tuples")
    elems, known = _flatten_elems(args[0])
    return TupleType(tuple(e.type for e in elems)) if known else DYNAMIC


def _flatten(args: Sequence[Value]) -> Value:
    ret = _flatten_type(args)
    if not wholly_known(args[0]) or isinstance(ret, Dynamic):
        return unknown(ret)
    return tuple_of(_flatten_elems(args[0])[0])


_ANY_LIST = ListType(DYNAMIC)
_SEQ = Param("list", DYNAMIC)

FUNCTIONS = {
    "chunklist": define(
        "chunklist",
        [Param("list", _ANY_LIST), Param("size", NUMBER)],
        _chunklist,
        lambda a: ListType(a[0].type),
    ),
    "compact": define("compact", [Param("list", ListType(STRING))], _compact, ListType(STRING)),
    "distinct": define("distinct", [Param("list", _ANY_LIST)], _distinct, lambda a: a[0].type),
    "sort": define("sort", [Param("list", ListType(STRING))], _sort, ListType(STRING)),
    "reverse": define("reverse", [_SEQ], _reverse, _reverse_type),
    "coalesce": define(
        "coalesce",
        [],
        _coalesce,
        _coalesce_type,
        variadic=Param("vals", DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic_type=True),
    ),
    "coalescelist": define(
        "coalescelist",
        [],
        _coalescelist,
        _coalescelist_type,
        variadic=Param("vals", DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic_type=True),
    ),
    "concat": define("concat", [], _concat, _concat_type, variadic=Param("seqs", DYNAMIC)),
    "flatten": define("flatten", [_SEQ], _flatten, _flatten_type),
}
