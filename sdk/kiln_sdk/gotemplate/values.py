"""Go's view of Python values: printing (fmt's %v), truth, comparison and the builtin functions."""

from __future__ import annotations

import html as _html
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any


class _NoValue:
    """What a missing map key or nil data evaluates to; prints as ``<no value>``."""

    def __repr__(self) -> str:
        return "<no value>"


NO_VALUE: Any = _NoValue()


def go_float(x: float) -> str:
    """fmt's %v for a float64: shortest digits, exponent form below 1e-4 and from 1e6 up."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    sign, digits, exp = Decimal(repr(x)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    assert isinstance(exp, int)
    e10 = exp + len(digits) - 1
    prefix = "-" if sign else ""
    if e10 < -4 or e10 >= 6:
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{prefix}{mant}e{'-' if e10 < 0 else '+'}{abs(e10):02d}"
    if e10 < 0:
        return f"{prefix}0.{'0' * (-e10 - 1)}{ds}"
    whole = ds[:e10 + 1].ljust(e10 + 1, "0")
    frac = ds[e10 + 1:]
    return f"{prefix}{whole}{'.' + frac if frac else ''}"


def go_str(v: Any) -> str:
    """``fmt.Sprint(v)``."""
    if v is NO_VALUE:
        return "<no value>"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, Mapping):
        return "map[" + " ".join(f"{go_str(k)}:{go_str(v[k])}" for k in sorted(v, key=str)) + "]"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(go_str(x) for x in v) + "]"
    return str(v)


def go_type(v: Any) -> str:
    if v is None or v is NO_VALUE:
        return "<nil>"
    return {bool: "bool", int: "int", float: "float64", str: "string"}.get(type(v), type(v).__name__)


def truth(v: Any) -> bool:
    if v is None or v is NO_VALUE:
        return False
    if isinstance(v, (bool, int, float)):
        return bool(v)
    if isinstance(v, (str, Sequence, Mapping)):
        return len(v) > 0
    return True


def go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out) + '"'


_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def sprintf(fmt: str, *args: Any) -> str:
    """``fmt.Sprintf`` for the verbs templates use (v s d q t f e g x X o b c)."""
    out: list[str] = []
    pos = 0
    argi = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, prec, verb = m.group(1), m.group(2) or "", m.group(3), m.group(4)
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(_format_one(flags, width, prec, verb, arg))
    out.append(fmt[pos:])
    if argi < len(args):
        extra = ", ".join(f"{go_type(a)}={go_str(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _format_one(flags: str, width: str, prec: str | None, verb: str, arg: Any) -> str:
    spec = flags.replace("#", "") + width
    bad = f"%!{verb}({go_type(arg)}={go_str(arg)})"
    if verb in "vs":
        text = go_str(arg) if verb == "v" or isinstance(arg, str) else None
        if text is None:
            return bad
        if prec is not None:
            text = text[:int(prec)]
        return f"%{flags.replace('0', '').replace('#', '')}{width}s" % text
    if verb == "q":
        return f"%{spec}s" % go_quote(go_str(arg)) if isinstance(arg, str) else bad
    if verb == "t":
        return f"%{spec}s" % go_str(arg) if isinstance(arg, bool) else bad
    if verb in "dxXobc" and isinstance(arg, int) and not isinstance(arg, bool):
        if verb == "c":
            return chr(arg)
        return f"%{spec}{'d' if verb == 'd' else verb}" % arg if verb != "b" else format(arg, f"{spec}b")
    if verb in "xX" and isinstance(arg, str):
        h = arg.encode().hex()
        return h.upper() if verb == "X" else h
    if verb in "feEgG" and isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return f"%{spec}{'.' + prec if prec is not None else ''}{verb}" % float(arg)
    return bad


class FuncError(Exception):
    """Raised by a template function: Go reports it as ``error calling NAME: MESSAGE``."""


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if v is None or v is NO_VALUE:
        return "nil"
    raise FuncError("invalid type for comparison")


def _eq(a: Any, *bs: Any) -> bool:
    if not bs:
        raise FuncError("missing argument for comparison")
    ka = _kind(a)
    for b in bs:
        if _kind(b) != ka:
            raise FuncError("incompatible types for comparison")
        if a == b:
            return True
    return False


def _lt(a: Any, b: Any) -> bool:
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    if ka in ("bool", "nil"):
        raise FuncError("invalid type for comparison")
    return bool(a < b)


def _and(first: Any, *rest: Any) -> Any:
    for v in (first, *rest):
        if not truth(v):
            return v
    return rest[-1] if rest else first


def _or(first: Any, *rest: Any) -> Any:
    for v in (first, *rest):
        if truth(v):
            return v
    return rest[-1] if rest else first


def _len(v: Any) -> int:
    if isinstance(v, (str, Sequence, Mapping)):
        return len(v.encode()) if isinstance(v, str) else len(v)
    raise FuncError(f"len of type {go_type(v)}")


def _index(item: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(item, Mapping):
            item = item.get(k, NO_VALUE if not item else "")
        elif isinstance(item, (list, tuple, str)):
            seq = item.encode() if isinstance(item, str) else item  # a string indexes to a byte
            if not isinstance(k, int) or not 0 <= k < len(seq):
                raise FuncError(f"index out of range: {go_str(k)}")
            item = seq[k]
        else:
            raise FuncError(f"can't index item of type {go_type(item)}")
    return item


def _print(*args: Any) -> str:
    out = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_str(a))
    return "".join(out)


BUILTIN_FUNCS: dict[str, Callable[..., Any]] = {
    "and": _and,
    "or": _or,
    "not": lambda v: not truth(v),
    "eq": _eq,
    "ne": lambda a, b: not _eq(a, b),
    "lt": _lt,
    "le": lambda a, b: _lt(a, b) or _eq(a, b),
    "gt": lambda a, b: not (_lt(a, b) or _eq(a, b)),
    "ge": lambda a, b: not _lt(a, b),
    "len": _len,
    "index": _index,
    "print": _print,
    "printf": sprintf,
    "println": lambda *a: " ".join(go_str(x) for x in a) + "\n",
    "html": lambda *a: _html.escape(_print(*a)).replace("&#x27;", "&#39;"),
    "urlquery": lambda *a: urllib.parse.quote_plus(_print(*a)),
    "js": lambda *a: _print(*a).replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"'),
}
