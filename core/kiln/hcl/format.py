"""Values as ``packer console`` (1.6.6) prints them.

Packer converts the value to plain Go data (``hcl2shim``) and prints it with Terraform's old REPL
formatter: a top-level string raw, nested strings Go-quoted, whole numbers that fit int64 as integers
and other numbers as Go's ``%g`` of a float64, lists as ``[`` items with ``,`` ``]``, maps and objects
as sorted ``"key" = value`` lines (null attributes left out), and ``<unknown>`` for any value that is
not wholly known. A sensitive value prints as ``<sensitive>``: Packer 1.6.6 substitutes that text for
sensitive variables, kiln marks the value, so it stays hidden through any expression.
"""

from __future__ import annotations

import unicodedata

from kiln.hcl import numbers
from kiln.hcl.values import Value

__all__ = ["console_value", "go_quote", "is_wholly_known"]

SENSITIVE_TEXT = "<sensitive>"


def is_wholly_known(v: Value) -> bool:
    if not v.is_known:
        return False
    if isinstance(v.v, list):
        return all(is_wholly_known(e) for e in v.v)
    if isinstance(v.v, dict):
        return all(is_wholly_known(e) for e in v.v.values())
    return True


def console_value(v: Value) -> str:
    """The text ``packer console`` prints for ``v``."""
    if not is_wholly_known(v):
        return "<unknown>"
    return _format(v, nested=False)


def _format(v: Value, nested: bool) -> str:
    if v.is_sensitive:
        return go_quote(SENSITIVE_TEXT) if nested else SENSITIVE_TEXT
    p = v.v
    if p is None:
        return "null"
    if isinstance(p, bool):
        return "true" if p else "false"
    if isinstance(p, str):
        return go_quote(p) if nested else p
    if isinstance(p, list):
        if not p:
            return "[]"
        return "[\n" + "".join(_indent(_format(e, True)) + ",\n" for e in p) + "]"
    if isinstance(p, dict):
        keys = sorted(k for k, e in p.items() if not e.is_null or e.is_sensitive)
        if not keys:
            return "{}"
        lines = [_indent(f"{go_quote(k)} = {_format(p[k], True)}") + "\n" for k in keys]
        return "{\n" + "".join(lines) + "}"
    return numbers.console(p)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


def go_quote(s: str) -> str:
    """Go's ``%q`` of a string: printable runes as they are, others escaped."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch in "\a\b\f\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}[ch])
        elif _go_printable(ch):
            out.append(ch)
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def _go_printable(ch: str) -> bool:
    """Go's ``strconv.IsPrint``: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    if ch == " ":
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "LMNPS"
