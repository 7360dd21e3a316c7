"""Decoding a legacy JSON component object against a plugin's Schema, as Packer's mapstructure does.

Weak typing (``"true"`` for a bool, ``3`` for a string, ``"a,b"`` for a list of strings, one value
for a list), every string interpolated first, and every key the schema does not know reported as
``unknown configuration key: '"foo"'`` at the key's position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kiln_sdk.gotemplate.values import go_str
from kiln_sdk.schema import Schema

from kiln.hcl.syntax import Range
from kiln.template.legacy.jsonvalue import JValue

TypeExpr = tuple[Any, ...]  # ("string",) ("number",) ("bool",) ("any",) ("list", T) ("map", T) ("object", {..})


def parse_type(text: str) -> TypeExpr:
    """An HCL type expression (``list(map(string))``, ``object({a=string})``) as nested tuples."""
    t, rest = _type(text.replace(" ", ""))
    return t if not rest else ("any",)


def _type(s: str) -> tuple[TypeExpr, str]:
    m = re.match(r"(list|set|map)\(", s)
    if m:
        inner, rest = _type(s[m.end():])
        return ("map" if m.group(1) == "map" else "list", inner), rest[1:]
    if s.startswith("object({"):
        s = s[len("object({"):]
        attrs: dict[str, TypeExpr] = {}
        while s and not s.startswith("})"):
            name, _, s = s.partition("=")
            attrs[name], s = _type(s)
            s = s[1:] if s.startswith(",") else s
        return ("object", attrs), s[2:]
    if s.startswith("tuple("):
        depth, end = 0, len(s) - 1
        for end in range(len("tuple"), len(s)):
            depth += s[end] in "([{"
            depth -= s[end] in ")]}"
            if depth == 0:
                break
        return ("list", ("any",)), s[end + 1:]
    m = re.match(r"string|number|bool|any", s)
    return ((m.group(0),), s[m.end():]) if m else (("any",), s)


@dataclass
class Problem:
    message: str
    path: tuple[str, ...]
    range: Range


@dataclass
class DecodeState:
    interpolate: Callable[[str, JValue, tuple[str, ...]], str | None]  # None when it failed (reported)
    problems: list[Problem] = field(default_factory=list)

    def fail(self, message: str, path: tuple[str, ...], rng: Range) -> None:
        self.problems.append(Problem(message, path, rng))


def mapstructure_path(path: tuple[str, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if out and p.isdigit() else (f".{p}" if out else p)
    return out


def format_float(f: float) -> str:
    """strconv.FormatFloat(f, 'f', -1, 64)."""
    s = format(Decimal(repr(f)), "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def decode_object(st: DecodeState, obj: JValue, schema: Schema, path: tuple[str, ...] = (),
                  skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    assert isinstance(obj.value, dict)
    unknown: list[str] = []
    for key, jv in obj.value.items():
        if key in skip or (not path and key.startswith("packer_")):
            continue
        attr, block = schema.attribute(key), schema.block(key)
        if attr is None and block is None:
            unknown.append(key)
            continue
        if jv.value is None:
            continue  # null: the setting's zero value, as mapstructure
        if attr is not None:
            val = decode_value(st, jv, parse_type(attr.type), path + (key,))
        else:
            assert block is not None
            val = _decode_block(st, jv, block.schema, block.nesting, path + (key,))
        if val is not _FAILED:
            out[key] = val
    for key in sorted(unknown):
        full = mapstructure_path(path + (key,))
        st.fail(f"unknown configuration key: '\"{full}\"'", path + (key,), obj.key_ranges[key])
    return out


_FAILED: Any = object()


def _decode_block(st: DecodeState, jv: JValue, schema: Schema, nesting: str, path: tuple[str, ...]) -> Any:
    if nesting == "single":
        if isinstance(jv.value, list) and len(jv.value) == 1:
            jv = jv.value[0]
        if not isinstance(jv.value, dict):
            _unconvertible(st, jv, "struct", path)
            return _FAILED
        return decode_object(st, jv, schema, path)
    items = jv.value if isinstance(jv.value, list) else [jv]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item.value, dict):
            _unconvertible(st, item, "struct", path + (str(i),))
            continue
        out.append(decode_object(st, item, schema, path + (str(i),)))
    return out


def _unconvertible(st: DecodeState, jv: JValue, want: str, path: tuple[str, ...]) -> None:
    st.fail(f"'{mapstructure_path(path)}' expected type '{want}', got unconvertible type '{jv.go_type()}', "
            f"value: '{go_str(jv.plain())}'", path, jv.range)


def _text(st: DecodeState, jv: JValue, path: tuple[str, ...]) -> Any:
    """An interpolated string, or the scalar itself."""
    if isinstance(jv.value, str):
        s = st.interpolate(jv.value, jv, path)
        return _FAILED if s is None else s
    return jv.value


def decode_value(st: DecodeState, jv: JValue, t: TypeExpr, path: tuple[str, ...], interpolated: bool = False) -> Any:
    """``jv`` as type ``t``; ``interpolated``: a string that was already interpolated."""
    kind = t[0]
    v = jv.value
    if kind == "any":
        return _decode_any(st, jv, path)
    if kind == "object":
        if not isinstance(v, dict):
            _unconvertible(st, jv, "struct", path)
            return _FAILED
        attrs: dict[str, TypeExpr] = t[1]
        obj: dict[str, Any] = {}
        for key, item in v.items():
            if key not in attrs:
                st.fail(f"unknown configuration key: '\"{mapstructure_path(path + (key,))}\"'", path + (key,),
                        jv.key_ranges[key])
            elif item.value is not None:
                val = decode_value(st, item, attrs[key], path + (key,))
                if val is not _FAILED:
                    obj[key] = val
        return obj
    if kind == "list":
        if isinstance(v, str):  # mapstructure.StringToSliceHookFunc(","), then each part decoded
            s = _text(st, jv, path)
            if s is _FAILED or s == "":
                return [] if s == "" else s
            parts = [decode_value(st, JValue(part, jv.range), t[1], path + (str(i),), interpolated=True)
                     for i, part in enumerate(s.split(","))]
            return [x for x in parts if x is not _FAILED]
        items = v if isinstance(v, list) else [jv]  # weak: one value for a list
        if isinstance(v, dict):
            _unconvertible(st, jv, "slice", path)
            return _FAILED
        vals = [decode_value(st, item, t[1], path + (str(i),)) for i, item in enumerate(items)]
        return [x for x in vals if x is not _FAILED]
    if kind == "map":
        if isinstance(v, list) and all(isinstance(i.value, dict) for i in v):
            merged: dict[str, Any] = {}
            for i, item in enumerate(v):
                merged.update(decode_value(st, item, t, path + (str(i),)) or {})
            return merged
        if not isinstance(v, dict):
            _unconvertible(st, jv, "map", path)
            return _FAILED
        res = {k: decode_value(st, item, t[1], path + (k,)) for k, item in v.items() if item.value is not None}
        return _keys(st, jv, {k: x for k, x in res.items() if x is not _FAILED}, path)
    if isinstance(v, (list, dict)):
        _unconvertible(st, jv, {"string": "string", "bool": "bool"}.get(kind, "number"), path)
        return _FAILED
    val = jv.value if interpolated else _text(st, jv, path)
    if val is _FAILED:
        return val
    return _scalar(st, jv, val, kind, path)


def _scalar(st: DecodeState, jv: JValue, val: Any, kind: str, path: tuple[str, ...]) -> Any:
    name = mapstructure_path(path)
    if kind == "string":
        if isinstance(val, bool):
            return "1" if val else "0"
        if isinstance(val, float):
            return format_float(val)
        return str(val)
    if kind == "bool":
        if isinstance(val, (bool, int, float)):
            return bool(val)
        if val == "":
            return False
        if val in _TRUE or val in _FALSE:
            return val in _TRUE
        st.fail(f"cannot parse '{name}' as bool: strconv.ParseBool: parsing \"{val}\": invalid syntax", path, jv.range)
        return _FAILED
    # number
    if isinstance(val, bool):
        return int(val)
    if isinstance(val, (int, float)):
        return val
    if val == "":
        return 0
    try:
        return int(val, 0)
    except ValueError:
        pass
    try:
        return float(val)
    except ValueError:
        st.fail(f"cannot parse '{name}' as int: strconv.ParseInt: parsing \"{val}\": invalid syntax", path, jv.range)
        return _FAILED


def _decode_any(st: DecodeState, jv: JValue, path: tuple[str, ...]) -> Any:
    v = jv.value
    if isinstance(v, list):
        vals = [_decode_any(st, item, path + (str(i),)) for i, item in enumerate(v)]
        return [x for x in vals if x is not _FAILED]
    if isinstance(v, dict):
        res = {k: _decode_any(st, item, path + (k,)) for k, item in v.items()}
        return _keys(st, jv, {k: x for k, x in res.items() if x is not _FAILED}, path)
    return _text(st, jv, path)


def _keys(st: DecodeState, jv: JValue, values: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """A map's keys are interpolated too (Packer renders map keys as well as values)."""
    out: dict[str, Any] = {}
    for k, x in values.items():
        key = st.interpolate(k, JValue(k, jv.key_ranges.get(k, jv.range)), path + (k,)) if "{{" in k else k
        if key is not None:
            out[key] = x
    return out
