"""Functions over lists, sets and tuples (cty's stdlib collection functions, Packer's ``index`` and
``length``, Terraform's ``one``, ``alltrue``/``anytrue``)."""

from __future__ import annotations

from collections.abc import Sequence

from kiln.hcl import numbers
from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.equality import equal
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    Dynamic,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Value,
    boolean,
    null,
    number,
    unknown,
)

from ._support import define, graphemes, to_int, unify_types

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
        raise FunctionError(f"invalid size: {err.message}") from None
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


# ---- contains, index, element, length, slice, range --------------------------------------------------


def _contains(args: Sequence[Value]) -> Value:
    coll, value = args
    if not isinstance(coll.type, SEQUENCE):
        raise FunctionError("argument must be list, tuple, or set")
    if coll.is_known and not coll.v:
        return boolean(False)
    if not coll.is_known or not value.is_known:
        return unknown(BOOL)
    has_unknown = False
    for e in coll.v:
        eq = equal(value, e)
        if eq is None:
            has_unknown = True
        elif eq:
            return boolean(True)
    return unknown(BOOL) if has_unknown else boolean(False)


def _index(args: Sequence[Value]) -> Value:
    coll, value = args
    if not isinstance(coll.type, ListType | TupleType):
        raise FunctionError("argument must be a list or tuple")
    if not coll.is_known:
        return unknown(NUMBER)
    if not coll.v:
        raise FunctionError("cannot search an empty list")
    for i, e in enumerate(coll.v):
        eq = equal(e, value)
        if eq is None:
            return unknown(NUMBER)
        if eq:
            return number(i)
    raise FunctionError("item not found")


def _element_index(v: Value) -> int:
    try:
        idx = to_int(v)
    except FunctionError as err:
        raise FunctionError(f"invalid index: {err.message}") from None
    if idx < 0:
        raise FunctionError("cannot use element function with a negative index")
    return idx


def _element_type(args: Sequence[Value]) -> Type:
    coll, index = args
    if index.is_known and index.v < 0:
        raise FunctionError("cannot use element function with a negative index")
    t = coll.type
    if isinstance(t, ListType):
        return t.elem
    if isinstance(t, TupleType):
        if not index.is_known:
            return DYNAMIC
        idx = _element_index(index)
        if not t.elems:
            raise FunctionError("cannot use element function with an empty list")
        return t.elems[idx % len(t.elems)]
    raise FunctionError(f"cannot read elements from {t.friendly()}")


def _element(args: Sequence[Value]) -> Value:
    ret = _element_type(args)
    idx = _element_index(args[1])
    if not args[0].is_known:
        return unknown(ret)
    elems = args[0].v
    if not elems:
        raise FunctionError("cannot use element function with an empty list")
    return elems[idx % len(elems)]


def _length_type(args: Sequence[Value]) -> Type:
    t = args[0].type
    if t == STRING or isinstance(t, ListType | SetType | MapType | TupleType | ObjectType | Dynamic):
        return NUMBER
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def _length(args: Sequence[Value]) -> Value:
    _length_type(args)
    v = args[0]
    t = v.type
    if isinstance(t, TupleType):
        return number(len(t.elems))
    if isinstance(t, ObjectType):
        return number(len(t.attrs))
    if isinstance(t, Dynamic) or not v.is_known:
        return unknown(NUMBER)
    if t == STRING:
        return number(len(graphemes(v.v)))
    return number(len(v.v))


def _slice_indexes(args: Sequence[Value]) -> tuple[int, int, bool]:
    lst, start_v, end_v = args
    length = len(lst.v) if isinstance(lst.type, TupleType) or lst.is_known else -1
    start = end = 0
    for which, v, pos in (("start", start_v, 1), ("end", end_v, 2)):
        if not v.is_known:
            continue
        try:
            n = to_int(v)
        except FunctionError as err:
            raise ArgError(pos, f"invalid {which} index: {err.message}") from None
        if n < 0:
            raise ArgError(pos, f"{which} index must not be less than zero")
        if length >= 0 and n > length:
            raise ArgError(pos, f"{which} index must not be greater than the length of the list")
        if pos == 1:
            start = n
        else:
            end = n
    known = start_v.is_known and end_v.is_known
    if known and start > end:
        raise ArgError(1, "start index must not be greater than end index")
    return start, end, known


def _slice_type(args: Sequence[Value]) -> Type:
    t = args[0].type
    if isinstance(t, SetType):
        raise ArgError(
            0,
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if needed",
        )
    if not isinstance(t, ListType | TupleType):
        raise ArgError(0, "must be a list or tuple value")
    start, end, known = _slice_indexes(args)
    if isinstance(t, ListType):
        return t
    return TupleType(t.elems[start:end]) if known else DYNAMIC


def _slice(args: Sequence[Value]) -> Value:
    ret = _slice_type(args)
    start, end, _ = _slice_indexes(args)
    return Value(ret, list(args[0].v[start:end]))


def _range(args: Sequence[Value]) -> Value:
    from decimal import Decimal

    nums = [a.v for a in args]
    if len(nums) == 1:
        start, end, step = Decimal(0), nums[0], Decimal(-1 if nums[0] < 0 else 1)
    elif len(nums) == 2:
        start, end, step = nums[0], nums[1], Decimal(-1 if nums[1] < nums[0] else 1)
    elif len(nums) == 3:
        start, end, step = nums
    else:
        raise FunctionError("must have one, two, or three arguments")
    if step == 0:
        raise ArgError(2, "step must not be zero")
    down = step < 0
    if down and end > start:
        raise ArgError(1, "end must be less than start when step is negative")
    if not down and end < start:
        raise ArgError(1, "end must be greater than start when step is positive")
    out: list[Value] = []
    n = start
    while (n > end) if down else (n < end):
        if len(out) >= 1024:
            raise FunctionError(
                "more than 1024 values were generated; either decrease the difference between start and end "
                "or use a smaller step"
            )
        out.append(number(n))
        n = numbers.CONTEXT.add(n, step)
    return list_of(NUMBER, out)


# ---- one, alltrue, anytrue ---------------------------------------------------------------------------

_ONE_ERROR = "must be a list, set, or tuple value with either zero or one elements"


def _one_type(args: Sequence[Value]) -> Type:
    t = args[0].type
    if isinstance(t, ListType | SetType):
        return t.elem
    if isinstance(t, TupleType) and len(t.elems) <= 1:
        return t.elems[0] if t.elems else DYNAMIC
    raise ArgError(0, _ONE_ERROR)


def _one(args: Sequence[Value]) -> Value:
    ret = _one_type(args)
    elems = args[0].v
    if not elems:
        return null(ret)
    if len(elems) == 1:
        return elems[0]
    raise ArgError(0, _ONE_ERROR)


def _alltrue(args: Sequence[Value]) -> Value:
    has_unknown = False
    for e in args[0].v:
        if not e.is_known:
            has_unknown = True
        elif e.is_null or not e.v:
            return boolean(False)
    return unknown(BOOL) if has_unknown else boolean(True)


def _anytrue(args: Sequence[Value]) -> Value:
    has_unknown = False
    for e in args[0].v:
        if not e.is_known:
            has_unknown = True
        elif not e.is_null and e.v:
            return boolean(True)
    return unknown(BOOL) if has_unknown else boolean(False)


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
    "contains": define("contains", [_SEQ, Param("value", DYNAMIC)], _contains, BOOL),
    "index": define("index", [_SEQ, Param("value", DYNAMIC)], _index, NUMBER),
    "element": define("element", [_SEQ, Param("index", NUMBER)], _element, _element_type),
    "length": define(
        "length",
        [Param("value", DYNAMIC, allow_unknown=True, allow_dynamic_type=True)],
        _length,
        _length_type,
    ),
    "slice": define(
        "slice", [_SEQ, Param("start_index", NUMBER), Param("end_index", NUMBER)], _slice, _slice_type
    ),
    "range": define("range", [], _range, ListType(NUMBER), variadic=Param("params", NUMBER)),
    "one": define("one", [_SEQ], _one, _one_type),
    "alltrue": define("alltrue", [Param("list", ListType(BOOL))], _alltrue, BOOL),
    "anytrue": define("anytrue", [Param("list", ListType(BOOL))], _anytrue, BOOL),
}
