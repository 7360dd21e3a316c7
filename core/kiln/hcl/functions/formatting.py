"""``format`` and ``formatlist``: Go-style verbs with cty's rules for each value type."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    SetType,
    TupleType,
    Value,
    unknown,
)

from . import _gofmt
from ._json import JSONEncodeError, encode, go_json_string, number_text
from ._support import define, graphemes, string


class _TooManyArgs(Exception):
    def __init__(self, used: int) -> None:
        super().__init__(f"too many arguments; only {used} used by format string")
        self.used = used


def _wholly_known(v: Value) -> bool:
    if not v.is_known:
        return False
    if isinstance(v.v, list):
        return all(_wholly_known(e) for e in v.v)
    if isinstance(v.v, dict):
        return all(_wholly_known(e) for e in v.v.values())
    return True


def _pad_width(verb: _gofmt.Verb, s: str) -> str:
    if verb.width < 0:
        return s
    have = len(graphemes(s))
    if have >= verb.width:
        return s
    pads = ("0" if verb.zero else " ") * (verb.width - have)
    return s + pads if verb.minus else pads + s


def _unsupported(verb: _gofmt.Verb, why: str) -> FunctionError:
    return FunctionError(f'unsupported value for "{verb.raw}" at {verb.offset}: {why}')


def _as_is(verb: _gofmt.Verb, arg: Value) -> str:
    if not verb.sharp and not arg.is_null:
        if arg.type == STRING:
            return _pad_width(verb, arg.v)
        if arg.type == NUMBER:
            return _pad_width(
                verb,
                _gofmt.float_text(abs(arg.v), "g", -1)
                if arg.v >= 0
                else "-" + _gofmt.float_text(-arg.v, "g", -1),
            )
    try:
        return _pad_width(verb, encode(arg))
    except JSONEncodeError as err:
        raise _unsupported(verb, str(err)) from None


def _convert(verb: _gofmt.Verb, arg: Value, ty: object) -> Value:
    try:
        return convert(arg, ty)  # type: ignore[arg-type]
    except ConversionError as err:
        raise _unsupported(verb, err.message) from None


def _append(verb: _gofmt.Verb, args: Sequence[Value]) -> str:
    if verb.arg_num > len(args):
        raise FunctionError(
            f'not enough arguments for "{verb.raw}" at {verb.offset}: need index {verb.arg_num} but have {len(args)} total'
        )
    arg = args[verb.arg_num - 1]
    if verb.mode != "v" and arg.is_null:
        raise _unsupported(verb, "null value cannot be formatted")
    mode = verb.mode
    if mode == "v":
        return _as_is(verb, arg)
    if mode == "t":
        return "true" if _convert(verb, arg, BOOL).v else "false"
    if mode in "bdoxXeEfgG":
        n: Decimal = _convert(verb, arg, NUMBER).v
        if mode in "bdoxX":
            if not n.is_finite() or n != n.to_integral_value():
                raise _unsupported(verb, "an integer is required")
            return _gofmt.format_int(verb, int(n))
        return _gofmt.format_float(verb, n)
    s: str = _convert(verb, arg, STRING).v
    if verb.prec > 0:
        s = "".join(graphemes(s)[: verb.prec])
    return _pad_width(verb, s if mode == "s" else go_json_string(s))


def format_values(fmt: str, args: Sequence[Value]) -> str:
    try:
        pieces = _gofmt.parse(fmt)
    except _gofmt.FormatSyntaxError as err:
        raise FunctionError(str(err)) from None
    out: list[str] = []
    used = 0
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            out.append(_append(piece, args))
            used = max(used, piece.arg_num)
    if len(args) > used:
        raise _TooManyArgs(used)
    return "".join(out)


def _format(args: Sequence[Value]) -> Value:
    rest = args[1:]
    if not all(_wholly_known(a) for a in rest):
        return unknown(STRING)
    try:
        return string(format_values(args[0].v, rest))
    except _TooManyArgs as err:
        raise ArgError(1 + err.used, str(err)) from None


_LIST_OF_STRING = ListType(STRING)


def _formatlist(args: Sequence[Value]) -> Value:
    fmt, rest = args[0], list(args[1:])
    if not rest:
        return Value(_LIST_OF_STRING, [_format([fmt])])
    iter_len, chooser = -1, -1
    columns: list[list[Value] | None] = []
    for i, arg in enumerate(rest):
        if isinstance(arg.type, ListType | SetType | TupleType) and not arg.is_null:
            if not arg.is_known:
                return unknown(_LIST_OF_STRING)
            this_len = len(arg.v)
            if iter_len == -1:
                iter_len, chooser = this_len, i
            elif this_len != iter_len:
                raise ArgError(
                    i + 1,
                    f"argument {i + 1} has length {this_len}, which is inconsistent with argument "
                    f"{chooser + 1} of length {iter_len}",
                )
            columns.append(list(arg.v))
        elif not arg.is_known and arg.type == DYNAMIC:
            return unknown(_LIST_OF_STRING)
        else:
            columns.append(None)
    if iter_len == 0:
        return Value(_LIST_OF_STRING, [])
    results: list[Value] = []
    for idx in range(max(iter_len, 1)):
        call_args = [col[idx] if col is not None else rest[i] for i, col in enumerate(columns)]
        if not all(_wholly_known(a) for a in call_args):
            results.append(unknown(STRING))
            continue
        try:
            results.append(string(format_values(fmt.v, call_args)))
        except (FunctionError, _TooManyArgs) as err:
            raise FunctionError(f"error on format iteration {idx}: {err}") from None
    return Value(_LIST_OF_STRING, results)


FUNCTIONS = {
    "format": define(
        "format",
        [Param("format", STRING)],
        _format,
        STRING,
        variadic=Param("args", DYNAMIC, allow_null=True, allow_dynamic_type=True),
    ),
    "formatlist": define(
        "formatlist",
        [Param("format", STRING)],
        _formatlist,
        _LIST_OF_STRING,
        variadic=Param("args", DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic_type=True),
    ),
}

__all__ = ["FUNCTIONS", "format_values", "number_text"]
