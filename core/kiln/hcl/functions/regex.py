"""``regex``, ``regexall`` and ``regex_replace`` with Go's (RE2) pattern syntax, run by RE2 (linear time)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kiln.hcl.convert import object_type
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import DYNAMIC, STRING, ListType, ObjectType, TupleType, Type, Value

from ._re2 import compile_regexp
from ._regex import GoSyntaxError
from ._regexrun import find_all, group_names, replace_all
from ._support import define, string


def _result_type(pattern: str) -> Type:
    try:
        compiled = compile_regexp(pattern)
    except GoSyntaxError as err:
        raise ArgError(0, f"invalid regexp pattern: {err.code} in {err.expr}") from None
    names = group_names(compiled)
    named = [n for n in names if n]
    unnamed = len(names) - len(named)
    if not names:
        return STRING
    if named and unnamed:
        raise ArgError(0, "invalid regexp pattern: cannot mix both named and unnamed capture groups")
    if unnamed:
        return TupleType((STRING,) * unnamed)
    return object_type(dict.fromkeys(named, STRING))


def _regex_type(args: Sequence[Value]) -> Type:
    if not args[0].is_known:
        return DYNAMIC
    return _result_type(args[0].v)


def _regexall_type(args: Sequence[Value]) -> Type:
    if not args[0].is_known:
        return ListType(DYNAMIC)
    return ListType(_result_type(args[0].v))


def _match_value(m: Any, ty: Type, names: list[str]) -> Value:
    def group(i: int) -> Value:
        return Value(STRING, None) if m.start(i) < 0 else string(m.group(i))

    if ty == STRING:
        return string(m.group(0))
    if isinstance(ty, TupleType):
        elems = [group(i) for i in range(1, len(names) + 1)]
        return Value(ty, elems)
    assert isinstance(ty, ObjectType)
    return Value(ty, {name: group(i) for i, name in enumerate(names, start=1)})


def _regex(args: Sequence[Value]) -> Value:
    ty = _result_type(args[0].v)
    compiled = compile_regexp(args[0].v)
    m = compiled.search(args[1].v)
    if m is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _match_value(m, ty, group_names(compiled))


def _regexall(args: Sequence[Value]) -> Value:
    ty = _result_type(args[0].v)
    compiled = compile_regexp(args[0].v)
    names = group_names(compiled)
    return Value(ListType(ty), [_match_value(m, ty, names) for m in find_all(compiled, args[1].v)])


def _regex_replace(args: Sequence[Value]) -> Value:
    try:
        compiled = compile_regexp(args[1].v)
    except GoSyntaxError as err:
        raise FunctionError(f"error parsing regexp: {err}") from None
    return string(replace_all(compiled, args[0].v, args[2].v))


FUNCTIONS = {
    "regex": define("regex", [Param("pattern", STRING), Param("string", STRING)], _regex, _regex_type),
    "regexall": define(
        "regexall", [Param("pattern", STRING), Param("string", STRING)], _regexall, _regexall_type
    ),
    "regex_replace": define(
        "regex_replace",
        [Param("str", STRING), Param("substr", STRING), Param("replace", STRING)],
        _regex_replace,
        STRING,
    ),
}
