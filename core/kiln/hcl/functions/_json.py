"""cty's JSON encoding of values (``jsonencode``, ``%#v``), byte for byte like Go's encoding/json."""

from __future__ import annotations

from decimal import Decimal

from kiln.hcl import numbers
from kiln.hcl.values import Value


class JSONEncodeError(Exception):
    pass


def go_json_string(s: str) -> str:
    """A JSON string as Go's ``json.Marshal`` writes it (HTML characters and U+2028/9 escaped)."""
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif cp < 0x20 or ch in "<>&" or cp in (0x2028, 0x2029):
            out.append(f"\\u{cp:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def number_text(d: Decimal) -> str:
    """A number as cty writes it in JSON and string conversion (big.Float ``Text('f', -1)``)."""
    return numbers.text(d)


def encode(value: Value) -> str:
    if not value.is_known:
        raise JSONEncodeError("value is not known")
    v = value.v
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return go_json_string(v)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise JSONEncodeError("unsupported value: infinity")
        return number_text(v)
    if isinstance(v, list):
        return "[" + ",".join(encode(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(go_json_string(k) + ":" + encode(v[k]) for k in sorted(v)) + "}"
    raise JSONEncodeError(f"cannot encode {value.type.friendly()} value")
