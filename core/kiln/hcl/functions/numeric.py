"""Numeric functions. Numbers are ``Decimal``; ``log`` and ``pow`` go through float64 as cty does."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from kiln.hcl import numbers
from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import (
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Value,
    number,
    unknown,
)

from ._support import define, to_int


def _abs(args: Sequence[Value]) -> Value:
    return number(abs(args[0].v))


def _round(d: Decimal, rounding: str) -> Decimal:
    return d if not d.is_finite() else d.to_integral_value(rounding=rounding)


def _ceil(args: Sequence[Value]) -> Value:
    return number(_round(args[0].v, ROUND_CEILING))


def _floor(args: Sequence[Value]) -> Value:
    return number(_round(args[0].v, ROUND_FLOOR))


def _from_float(f: float) -> Value:
    if math.isnan(f):
        raise FunctionError("the result is not a number")
    return number(Decimal(repr(f)) if math.isfinite(f) else Decimal(f))


def _log(args: Sequence[Value]) -> Value:
    num, base = float(args[0].v), float(args[1].v)

    def ln(x: float) -> float:
        if x == 0:
            return -math.inf
        if x < 0:
            return math.nan
        return math.log(x)

    a, b = ln(num), ln(base)
    try:
        return _from_float(a / b)
    except ZeroDivisionError:
        return _from_float(math.copysign(math.inf, a) if a else math.nan)


def _pow(args: Sequence[Value]) -> Value:
    x, y = float(args[0].v), float(args[1].v)
    try:
        r = math.pow(x, y)
    except OverflowError:
        r = math.inf
    except ValueError:  # 0 ** negative in Go is +Inf, negative ** fraction is NaN
        r = math.inf if x == 0 else math.nan
    return _from_float(r)


def _signum(args: Sequence[Value]) -> Value:
    d: Decimal = args[0].v
    return number(0 if d == 0 else (1 if d > 0 else -1))


def _max(args: Sequence[Value]) -> Value:
    if not args:
        raise FunctionError("must pass at least one number")
    return number(max(a.v for a in args))


def _min(args: Sequence[Value]) -> Value:
    if not args:
        raise FunctionError("must pass at least one number")
    return number(min(a.v for a in args))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_big_int(s: str, base: int) -> int | None:
    """Go's ``big.Int.SetString(s, base)`` for 2 <= base <= 62 (no prefixes, no underscores)."""
    neg = False
    if s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    if not s:
        return None
    n = 0
    for ch in s:
        d = _DIGITS.find(ch)
        if base <= 36 and d >= 36:
            d -= 26
        if d < 0 or d >= base:
            return None
        n = n * base + d
    return -n if neg else n


def _parseint_type(args: Sequence[Value]) -> Type:
    if args[0].type != STRING:
        raise ArgError(0, f"first argument must be a string, not {args[0].type.friendly()}")
    return NUMBER


def _parseint(args: Sequence[Value]) -> Value:
    s = args[0].v
    base = to_int(args[1], 1)
    if base < 2 or base > 62:
        raise ArgError(1, "base must be a whole number between 2 and 62 inclusive")
    n = _parse_big_int(s, base)
    if n is None:
        raise ArgError(0, f'cannot parse "{s}" as a base {base} integer')
    return number(Decimal(n))


def _sum(args: Sequence[Value]) -> Value:
    coll = args[0]
    if not isinstance(coll.type, ListType | SetType | TupleType | MapType | ObjectType):
        raise ArgError(0, "cannot sum noniterable")
    elems = list(coll.v.values()) if isinstance(coll.v, dict) else coll.v
    if not elems:
        raise ArgError(0, "cannot sum an empty list")
    if not isinstance(coll.type, ListType | SetType | TupleType):
        raise ArgError(0, f"argument must be list, set, or tuple. Received {coll.type.friendly()}")
    total = Decimal(0)
    for elem in elems:
        if not elem.is_known:
            return unknown(NUMBER)
    for elem in elems:
        if elem.is_null:
            raise ArgError(0, "argument must be list, set, or tuple of number values")
        try:
            total = numbers.CONTEXT.add(total, convert(elem, NUMBER).v)
        except ConversionError:
            raise ArgError(0, "argument must be list, set, or tuple of number values") from None
        if total.is_nan():
            raise FunctionError("can't compute sum of opposing infinities")
    return number(total)


_NUM = Param("num", NUMBER)

FUNCTIONS = {
    "abs": define("abs", [_NUM], _abs, NUMBER),
    "ceil": define("ceil", [_NUM], _ceil, NUMBER),
    "floor": define("floor", [_NUM], _floor, NUMBER),
    "log": define("log", [_NUM, Param("base", NUMBER)], _log, NUMBER),
    "pow": define("pow", [_NUM, Param("power", NUMBER)], _pow, NUMBER),
    "signum": define("signum", [_NUM], _signum, NUMBER),
    "max": define("max", [], _max, NUMBER, variadic=Param("numbers", NUMBER, allow_dynamic_type=True)),
    "min": define("min", [], _min, NUMBER, variadic=Param("numbers", NUMBER, allow_dynamic_type=True)),
    "parseint": define(
        "parseint", [Param("number", DYNAMIC), Param("base", NUMBER)], _parseint, _parseint_type
    ),
    "sum": define("sum", [Param("list", DYNAMIC)], _sum, NUMBER),
}
