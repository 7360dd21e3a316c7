"""JSON text exactly as Go's ``json.MarshalIndent(v, "", "  ")`` writes it.

Differences from Python's ``json.dumps(indent=2)`` that matter for byte-identical files: Go escapes
``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u003c``...; control characters other than ``\\n``, ``\\r``
and ``\\t`` as ``\\u00XX`` (``\\b``, ``\\f`` too); other non-ASCII characters are written as they are;
map keys are sorted (a struct's fields keep their declared order, which callers give as a dict).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def go_string(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
            continue
        code = ord(ch)
        if code < 0x20 or ch in "<>&\u2028\u2029":
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:  # a lone surrogate: Go writes the replacement character
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class GoMap(dict[str, Any]):
    """A dict that encodes like a Go map: keys sorted."""


def marshal_indent(value: Any, indent: str = "  ") -> str:
    parts: list[str] = []
    _encode(value, parts, "", indent)
    return "".join(parts)


def _encode(value: Any, out: list[str], prefix: str, indent: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(repr(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value))
    elif isinstance(value, str):
        out.append(go_string(value))
    elif isinstance(value, Mapping):
        keys = sorted(value) if isinstance(value, GoMap) else list(value)
        if not keys:
            out.append("{}")
            return
        inner = prefix + indent
        out.append("{\n")
        for i, key in enumerate(keys):
            out.append(inner + go_string(str(key)) + ": ")
            _encode(value[key], out, inner, indent)
            out.append(",\n" if i < len(keys) - 1 else "\n")
        out.append(prefix + "}")
    elif isinstance(value, Sequence):
        if not value:
            out.append("[]")
            return
        inner = prefix + indent
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(inner)
            _encode(item, out, inner, indent)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(prefix + "]")
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as JSON")
