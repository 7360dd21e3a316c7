"""YAML text to an HCL value as go-cty-yaml decodes it, on PyYAML's composer.

Plain scalars resolve with go-cty-yaml's table (YAML 1.1 booleans, cty numbers, timestamps as RFC 3339
strings); quoted and block scalars are strings; explicit tags are honoured as go-cty-yaml does;
mappings become objects (keys converted to strings, ``<<`` merges), sequences tuples. Errors carry
go-cty-yaml's "on line L, column C:" prefix where it gives one.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import yaml as pyyaml

from kiln.hcl import numbers
from kiln.hcl.convert import object_type
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, TupleType, Value

from ._support import string

_TAG = "tag:yaml.org,2002:"
_PLAIN = "!kiln-plain"
_QUOTED = "!kiln-quoted"


class YAMLDecodeError(Exception):
    pass


class _Resolver(pyyaml.resolver.BaseResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is pyyaml.ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return str(super().resolve(kind, value, implicit))


class _Loader(
    pyyaml.reader.Reader, pyyaml.scanner.Scanner, pyyaml.parser.Parser, pyyaml.composer.Composer, _Resolver
):
    def __init__(self, stream: str) -> None:
        pyyaml.reader.Reader.__init__(self, stream)
        pyyaml.scanner.Scanner.__init__(self)
        pyyaml.parser.Parser.__init__(self)
        pyyaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)
        self.node_anchors: dict[int, str] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        anchor = None if isinstance(event, pyyaml.AliasEvent) else event.anchor
        node = super().compose_node(parent, index)
        if anchor:
            self.node_anchors[id(node)] = anchor
        return node


_MAP: dict[str, Value] = {}
for _words, _val in (
    ("y Y yes Yes YES true True TRUE on On ON", Value(BOOL, True)),
    ("n N no No NO false False FALSE off Off OFF", Value(BOOL, False)),
    ("~ null Null NULL", Value(DYNAMIC, None)),
    (".inf .Inf .INF +.inf +.Inf +.INF", Value(NUMBER, numbers.INF)),
    ("-.inf -.Inf -.INF", Value(NUMBER, -numbers.INF)),
):
    for _w in _words.split():
        _MAP[_w] = _val
_MAP[""] = Value(DYNAMIC, None)

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:([Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(Z|[-+]\d{2}:\d{2})|"
    r" (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)?\Z"
)


def _timestamp(s: str) -> str | None:
    """go-cty-yaml's ``parseTimestamp`` and ``Format(time.RFC3339)``."""
    m = _TIMESTAMP.match(s)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hh, mi, ss = (
        (m.group(5), m.group(6), m.group(7)) if m.group(4) else (m.group(9), m.group(10), m.group(11))
    )
    tz = UTC
    if m.group(8) and m.group(8) != "Z":
        sign = -1 if m.group(8)[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(m.group(8)[1:3]), minutes=int(m.group(8)[4:6])))
    try:
        dt = datetime(y, mo, d, int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None
    off = dt.utcoffset() or timedelta(0)
    if not off:
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    total = int(off.total_seconds()) // 60
    sign_c = "-" if total < 0 else "+"
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign_c}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def _go_parse_int(plain: str) -> int | None:
    """Go's ``strconv.ParseInt(s, 0, 64)``/``ParseUint``: 0x, 0o, 0b and leading-0 octal prefixes."""
    m = re.fullmatch(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)", plain)
    if not m:
        return None
    body = m.group(2).lower()
    if body.startswith("0x"):
        n = int(body[2:], 16)
    elif body.startswith("0o"):
        n = int(body[2:], 8)
    elif body.startswith("0b"):
        n = int(body[2:], 2)
    elif body.startswith("0") and len(body) > 1:
        n = int(body[1:], 8)
    else:
        n = int(body)
    n = -n if m.group(1) == "-" else n
    return n if -(2**63) <= n < 2**64 else None


def resolve_scalar(tag: str, src: str) -> Value:
    """go-cty-yaml's ``resolveScalar`` (``tag`` is "" for a plain scalar)."""
    if tag not in ("", "str", "bool", "int", "float", "null", "timestamp", "binary"):
        raise YAMLDecodeError(f'unsupported tag "{_long(tag)}"')
    hint = "N" if src == "" else _hint(src[0])
    if hint and tag not in ("str", "binary"):
        if src in _MAP:
            return _MAP[src]
        if src in (".nan", ".NaN", ".NAN"):
            raise YAMLDecodeError("floating point NaN is not supported")
        if hint == ".":
            n = numbers.parse(src)
            if n is not None:
                return Value(NUMBER, n)
        elif hint in "DS":
            if tag in ("", "timestamp"):
                ts = _timestamp(src)
                if ts is not None:
                    return string(ts)
            plain = src.replace("_", "")
            n = numbers.parse(plain)
            if n is not None:
                return Value(NUMBER, n)
            if plain.startswith(("0b", "-0b")):
                tag = "int"
    if tag in ("str", "binary"):
        if tag == "binary":
            try:
                base64.b64decode(src, validate=True)
            except (binascii.Error, ValueError):
                raise YAMLDecodeError(f'cannot parse "{src}" as {_long(tag)}: not valid base64') from None
        return string(src)
    if tag == "bool":
        v = _MAP.get(src)
        if v is None or v.type != BOOL:
            raise YAMLDecodeError(f'cannot parse "{src}" as {_long(tag)}')
        return v
    if tag in ("int", "float"):
        plain = src.replace("_", "")
        n = numbers.parse(plain)
        if n is not None:
            return Value(NUMBER, n)
        i = _go_parse_int(plain)
        if i is not None:
            return Value(NUMBER, numbers.CONTEXT.plus(i))
        raise YAMLDecodeError(f'cannot parse "{src}" as {_long(tag)}')
    if tag == "timestamp":
        ts = _timestamp(src)
        if ts is None:
            raise YAMLDecodeError(f'cannot parse "{src}" as {_long(tag)}')
        return string(ts)
    if tag == "null":
        return Value(DYNAMIC, None)
    return string(src)


def _hint(ch: str) -> str:
    if ch in "+-":
        return "S"
    if ch in "0123456789":
        return "D"
    if ch in "yYnNtTfFoO~":
        return "M"
    return "." if ch == "." else ""


def _long(tag: str) -> str:
    return _TAG + tag if tag and not tag.startswith("!") else tag


def _where(mark: Any, text: str) -> str:
    """go-cty-yaml's position prefix (its line is zero-based; nothing at all on the first line)."""
    line, col = mark.line, mark.column + 1
    if mark.index >= len(text) and not text.endswith("\n"):
        line, col = line + 1, 1
    return f"on line {line}, column {col}: " if line else ""


def _scalar(node: pyyaml.ScalarNode, text: str) -> Value:
    tag = node.tag
    if tag == _QUOTED or node.style is not None:
        return string(node.value)
    short = "" if tag == _PLAIN else tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    try:
        return resolve_scalar(short, node.value)
    except YAMLDecodeError as err:
        raise YAMLDecodeError(_where(node.start_mark, text) + str(err)) from None


MAX_NODES = 200_000


class _Decoder:
    def __init__(self, text: str, anchors: dict[int, str]) -> None:
        self.text = text
        self.anchors = anchors
        self.active: set[int] = set()
        self.count = 0

    def node(self, node: pyyaml.Node) -> Value:
        self.count += 1
        if self.count > MAX_NODES:  # aliases of aliases ("billion laughs"): go-yaml stops too
            raise YAMLDecodeError("document contains excessive aliasing")
        if id(node) in self.active:
            name = self.anchors.get(id(node), "")
            raise YAMLDecodeError(f'cannot refer to anchor "{name}" from inside its own definition')
        self.active.add(id(node))
        try:
            return _node(node, self.text, self)
        finally:
            self.active.discard(id(node))


def _node(node: pyyaml.Node, text: str, d: _Decoder) -> Value:
    if isinstance(node, pyyaml.ScalarNode):
        return _scalar(node, text)
    want = _TAG + ("seq" if isinstance(node, pyyaml.SequenceNode) else "map")
    if node.tag != want:
        kind = "sequence" if isinstance(node, pyyaml.SequenceNode) else "mapping"
        raise YAMLDecodeError(_where(node.start_mark, text) + f"can't interpret {kind} as {node.tag}")
    if isinstance(node, pyyaml.SequenceNode):
        elems = [d.node(n) for n in node.value]
        return Value(TupleType(tuple(e.type for e in elems)), elems)
    attrs: dict[str, Value] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, pyyaml.ScalarNode):
            raise YAMLDecodeError(
                _where(key_node.start_mark, text) + "only strings are allowed as mapping keys"
            )
        if key_node.tag == _PLAIN and key_node.value == "<<":
            merged = d.node(value_node)
            if not isinstance(merged.v, dict):
                raise YAMLDecodeError(
                    _where(key_node.start_mark, text) + f"cannot merge {merged.type.friendly()} into mapping"
                )
            attrs.update(merged.v)
            continue
        key = _scalar(key_node, text)
        if key.v is None:
            raise YAMLDecodeError(_where(key_node.start_mark, text) + "mapping key cannot be null")
        if key.type == BOOL:
            key = string("true" if key.v else "false")
        elif key.type == NUMBER:
            key = string(numbers.text(key.v))
        attrs[key.v] = d.node(value_node)
    return Value(object_type({k: v.type for k, v in attrs.items()}), attrs)


_PROBLEMS = {
    "mapping values are not allowed here": "mapping values are not allowed in this context",
    "expected the node content": "did not find expected node content",
    "expected ',' or ']'": "did not find expected ',' or ']'",
    "expected ',' or '}'": "did not find expected ',' or '}'",
}


def _problem(err: pyyaml.MarkedYAMLError) -> str:
    problem = err.problem or err.context or "invalid YAML syntax"
    for prefix, go in _PROBLEMS.items():
        if problem.startswith(prefix):
            return go
    if problem.startswith("expected <block end>"):
        return (
            "did not find expected '-' indicator"
            if "collection" in (err.context or "")
            else "did not find expected key"
        )
    return problem


def decode(text: str) -> Value:
    """The value of a YAML document; raises ``YAMLDecodeError`` with go-cty-yaml's wording."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except pyyaml.MarkedYAMLError as err:
        problem = _problem(err)
        mark = err.problem_mark
        if isinstance(err, pyyaml.scanner.ScannerError):
            where = f"on line {mark.line + 1}, column 1: " if mark is not None and mark.line else ""
        elif isinstance(err, pyyaml.composer.ComposerError) and "single document" in (err.context or ""):
            where, problem = (_where(mark, text) if mark else ""), "unexpected extra content after value"
        else:
            where = _where(mark, text) if mark is not None else ""
        if problem.startswith("found undefined alias"):
            problem = (
                'reference to undefined anchor "' + problem.split("'")[1] + '"' if "'" in problem else problem
            )
        raise YAMLDecodeError(where + problem) from None
    if root is None:
        raise YAMLDecodeError("on line 1, column 1: missing start of document")
    return _Decoder(text, loader.node_anchors).node(root)
