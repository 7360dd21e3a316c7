"""Functions that search, measure and cut sequences: ``contains``, ``index`` (Packer's), ``element``,
``length`` (Packer's), ``slice``, ``range``, ``one``, ``alltrue``/``anytrue``."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kiln.hcl import numbers
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

from ._support import define, graphemes, to_int
from .collection import SEQUENCE, list_of

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
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
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


_SEQ = Param("list", DYNAMIC)

FUNCTIONS = {
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
