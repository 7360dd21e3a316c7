"""String functions (cty's stdlib string functions and Packer's additions)."""

from __future__ import annotations

from collections.abc import Sequence

from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import BOOL, NUMBER, STRING, ListType, Value, boolean, unknown

from ._support import (
    define,
    go_lower,
    go_title_rune,
    go_trim_space,
    go_upper,
    graphemes,
    is_go_separator,
    string,
    text,
    to_int,
)

_LIST_OF_STRING = ListType(STRING)


def _upper(args: Sequence[Value]) -> Value:
    return string(text(go_upper(args[0].v)))


def _lower(args: Sequence[Value]) -> Value:
    return string(text(go_lower(args[0].v)))


def _strrev(args: Sequence[Value]) -> Value:
    return string("".join(reversed(graphemes(args[0].v))))


def _title(args: Sequence[Value]) -> Value:
    out: list[str] = []
    prev = " "
    for ch in args[0].v:
        out.append(go_title_rune(ch) if is_go_separator(prev) else ch)
        prev = ch
    return string(text("".join(out)))


def _chomp(args: Sequence[Value]) -> Value:
    return string(args[0].v.rstrip("\r\n"))


def _trimspace(args: Sequence[Value]) -> Value:
    return string(go_trim_space(args[0].v))


def _trim(args: Sequence[Value]) -> Value:
    return string(args[0].v.strip(args[1].v) if args[1].v else args[0].v)


def _trimprefix(args: Sequence[Value]) -> Value:
    return string(args[0].v.removeprefix(args[1].v))


def _trimsuffix(args: Sequence[Value]) -> Value:
    return string(args[0].v.removesuffix(args[1].v))


def _indent(args: Sequence[Value]) -> Value:
    spaces = to_int(args[0])
    if spaces < 0:  # Go panics ("negative Repeat count"); say what is wrong instead
        raise ArgError(0, "the number of spaces must not be negative")
    pad = " " * spaces
    return string(args[1].v.replace("\n", "\n" + pad))


def _split(args: Sequence[Value]) -> Value:
    sep, s = args[0].v, args[1].v
    parts = list(s) if sep == "" else s.split(sep)
    return Value(_LIST_OF_STRING, [string(p) for p in parts])


def _join(args: Sequence[Value]) -> Value:
    if len(args) < 2:
        raise FunctionError("at least one list is required")
    items: list[str] = []
    for i, lst in enumerate(args[1:], start=1):
        for j, elem in enumerate(lst.v):
            if not elem.is_known:
                return unknown(STRING)
            if elem.is_null:
                raise ArgError(i, f"element {j} is null; cannot concatenate null values")
            items.append(elem.v)
    return string(args[0].v.join(items))


def _replace(args: Sequence[Value]) -> Value:
    s, old, new = args[0].v, args[1].v, args[2].v
    if old == "":  # Go's strings.Replace inserts at every rune boundary
        return string(text(new + new.join(s) + new if s else new))
    return string(text(s.replace(old, new)))


def _substr(args: Sequence[Value]) -> Value:
    # cty's scan, whose edge cases (negative offsets, overlong lengths) users rely on.
    offset, length = to_int(args[1]), to_int(args[2])
    sub = graphemes(args[0].v)
    if offset < 0:
        offset = max(offset + len(sub), 0)
    elif length == 0:
        return string("")
    pos = 0
    if offset > 0:
        i = 0
        total = len(sub)
        while i < total:
            i += 1
            pos += 1
            if pos == offset:
                break
            if i >= total:
                return string("")
        sub = sub[i:]
    if length < 0:
        return string("".join(sub))
    i = 0
    while i < len(sub):
        i += 1
        pos += 1
        if pos == offset + length:
            break
    return string("".join(sub[:i]))


def _startswith(args: Sequence[Value]) -> Value:
    return boolean(args[0].v.startswith(args[1].v))


def _endswith(args: Sequence[Value]) -> Value:
    return boolean(args[0].v.endswith(args[1].v))


def _strcontains(args: Sequence[Value]) -> Value:
    return boolean(args[1].v in args[0].v)


FUNCTIONS = {
    "upper": define("upper", [Param("str", STRING)], _upper, STRING),
    "lower": define("lower", [Param("str", STRING)], _lower, STRING),
    "strrev": define("strrev", [Param("str", STRING)], _strrev, STRING),
    "title": define("title", [Param("str", STRING)], _title, STRING),
    "chomp": define("chomp", [Param("str", STRING)], _chomp, STRING),
    "trimspace": define("trimspace", [Param("str", STRING)], _trimspace, STRING),
    "trim": define("trim", [Param("str", STRING), Param("cutset", STRING)], _trim, STRING),
    "trimprefix": define("trimprefix", [Param("str", STRING), Param("prefix", STRING)], _trimprefix, STRING),
    "trimsuffix": define("trimsuffix", [Param("str", STRING), Param("suffix", STRING)], _trimsuffix, STRING),
    "indent": define("indent", [Param("spaces", NUMBER), Param("str", STRING)], _indent, STRING),
    "split": define("split", [Param("separator", STRING), Param("str", STRING)], _split, _LIST_OF_STRING),
    "join": define(
        "join", [Param("separator", STRING)], _join, STRING, variadic=Param("lists", _LIST_OF_STRING)
    ),
    "replace": define(
        "replace", [Param("str", STRING), Param("substr", STRING), Param("replace", STRING)], _replace, STRING
    ),
    "substr": define(
        "substr", [Param("str", STRING), Param("offset", NUMBER), Param("length", NUMBER)], _substr, STRING
    ),
    "startswith": define("startswith", [Param("str", STRING), Param("prefix", STRING)], _startswith, BOOL),
    "endswith": define("endswith", [Param("str", STRING), Param("suffix", STRING)], _endswith, BOOL),
    "strcontains": define("strcontains", [Param("str", STRING), Param("substr", STRING)], _strcontains, BOOL),
}
