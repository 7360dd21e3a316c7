"""``yamlencode`` and ``yamldecode`` (decoding in ``_yamldecode``) as go-cty-yaml does them.

Encoding reproduces go-yaml v2's emitter as go-cty-yaml drives it (every string double-quoted,
multi-line strings as literal blocks, 80-column folding, escapes). Decoding parses with PyYAML's
composer and resolves plain scalars with go-cty-yaml's rules (YAML 1.1 booleans, cty numbers,
timestamps as RFC 3339 strings, merge keys).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kiln.hcl import numbers
from kiln.hcl.function import FunctionError, Param
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, STRING, Dynamic, Value, unknown

from ._support import define, string
from .collection import wholly_known

_BEST_WIDTH = 80

# ---- encoding ----------------------------------------------------------------------------------------


def _printable(ch: str) -> bool:
    """go-yaml's ``is_printable`` (4-byte UTF-8 sequences count as not printable)."""
    cp = ord(ch)
    return (
        cp == 0x0A or 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xD7FF or (0xE000 <= cp <= 0xFFFD and cp != 0xFEFF)
    )


_BREAKS = "\r\n\x85\u2028\u2029"
_ESCAPES = {
    0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r", 0x1B: "e",
    0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P",
}  # fmt: skip


def _double_quoted(s: str, indent: int, column: int, allow_breaks: bool) -> str:
    out = ['"']
    column += 1
    spaces = False
    for i, ch in enumerate(s):
        cp = ord(ch)
        if not _printable(ch) or cp == 0xFEFF or ch in _BREAKS or ch in '"\\':
            if cp in _ESCAPES:
                esc = "\\" + _ESCAPES[cp]
            elif cp <= 0xFF:
                esc = f"\\x{cp:02X}"
            elif cp <= 0xFFFF:
                esc = f"\\u{cp:04X}"
            else:
                esc = f"\\U{cp:08X}"
            out.append(esc)
            column += len(esc)
            spaces = False
        elif ch == " ":
            if allow_breaks and not spaces and column > _BEST_WIDTH and 0 < i < len(s) - 1:
                out.append("\n" + " " * indent)
                column = indent
                if s[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(ch)
                column += 1
            spaces = True
        else:
            out.append(ch)
            column += 1
            spaces = False
    out.append('"')
    return "".join(out)


def _literal_allowed(s: str) -> bool:
    if any(not _printable(c) or ord(c) == 0xFEFF for c in s if c not in _BREAKS):
        return False
    if s.endswith(" ") or re.search(r" [\r\n\x85\u2028\u2029]", s):
        return False
    return "\r" not in s and "\x85" not in s


def _literal(s: str, indent: int) -> str:
    hints = "|"
    if s[:1] in (" ",) or s[:1] in _BREAKS:
        hints += "2"
    if not s.endswith("\n"):
        hints += "-"
    elif s == "\n" or s.endswith("\n\n"):
        hints += "+"
    body = s[:-1] if s.endswith("\n") else s
    lines = body.split("\n")
    return hints + "\n" + "\n".join((" " * indent + line) if line else "" for line in lines)


def _scalar(v: Value, indent: int, column: int, simple_key: bool = False) -> str:
    if v.v is None:
        return "null"
    if v.type == BOOL:
        return "true" if v.v else "false"
    if v.type == NUMBER:
        return numbers.text(v.v)
    s: str = v.v
    if "\n" in s and not simple_key and _literal_allowed(s):
        return _literal(s, indent)
    return _double_quoted(s, indent, column, allow_breaks=not simple_key)


def _is_block(v: Value) -> bool:
    return v.v is not None and isinstance(v.v, list | dict) and bool(v.v)


def _empty(v: Value) -> str:
    return "[]" if isinstance(v.v, list) else "{}"


def _emit_mapping(v: Value, indent: int, inline_first: bool) -> str:
    parts = []
    for i, key in enumerate(sorted(v.v)):
        pad = "" if i == 0 and inline_first else " " * indent
        value = v.v[key]
        if "\n" in key:
            head = f"{pad}? {_scalar(Value(STRING, key), indent + 2, indent + 2)}\n{' ' * indent}:"
        else:
            head = pad + _scalar(Value(STRING, key), indent + 2, indent, simple_key=True) + ":"
        if _is_block(value) and isinstance(value.v, dict):
            parts.append(head + "\n" + _emit_mapping(value, indent + 2, inline_first=False))
        elif _is_block(value):
            parts.append(head + "\n" + _emit_sequence(value, indent, inline_first=False))
        else:
            column = len(head.rsplit("\n", 1)[-1]) + 1
            parts.append(f"{head} {_emit_inline(value, indent + 2, column)}")
    return "\n".join(parts)


def _emit_sequence(v: Value, indent: int, inline_first: bool) -> str:
    parts = []
    for i, e in enumerate(v.v):
        pad = "" if i == 0 and inline_first else " " * indent
        if _is_block(e) and isinstance(e.v, dict):
            body = _emit_mapping(e, indent + 2, inline_first=True)
        elif _is_block(e):
            body = _emit_sequence(e, indent + 2, inline_first=True)
        else:
            body = _emit_inline(e, indent + 2, indent + 2)
        parts.append(pad + "- " + body)
    return "\n".join(parts)


def _emit_inline(v: Value, indent: int, column: int) -> str:
    """A scalar or an empty collection, written where the cursor is (``column``)."""
    if v.v is not None and isinstance(v.v, list | dict):
        return _empty(v)
    return _scalar(v, indent, column)


def _emit(v: Value) -> str:
    if _is_block(v) and isinstance(v.v, dict):
        return _emit_mapping(v, 0, inline_first=True)
    if _is_block(v):
        return _emit_sequence(v, 0, inline_first=True)
    return _emit_inline(v, 2, 0)


def encode(v: Value) -> str:
    text = _emit(v)
    if v.v is None or v.type in (BOOL, NUMBER):
        return text + "\n...\n"
    return text + "\n"


def _yamlencode(args: Sequence[Value]) -> Value:
    if not wholly_known(args[0]):
        return unknown(STRING)
    return string(encode(args[0]))


# ---- decoding ----------------------------------------------------------------------------------------


def _yamldecode(args: Sequence[Value]) -> Value:
    from . import _yamldecode as _yamldecode_mod  # lazy: PyYAML loads on first use, not with kiln

    try:
        value = _yamldecode_mod.decode(args[0].v)
    except _yamldecode_mod.YAMLDecodeError as err:
        raise FunctionError(str(err)) from None
    # go-cty-yaml's type pass finds no type for a document that is only null, and cty then returns
    # an unknown value (Packer's console prints it as unknown)
    return unknown(DYNAMIC) if isinstance(value.type, Dynamic) else value


FUNCTIONS = {
    "yamlencode": define(
        "yamlencode", [Param("value", DYNAMIC, allow_null=True, allow_unknown=True)], _yamlencode, STRING
    ),
    "yamldecode": define("yamldecode", [Param("src", STRING)], _yamldecode, DYNAMIC),
}
