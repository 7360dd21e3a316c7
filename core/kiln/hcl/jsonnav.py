"""Where a byte offset sits in a JSON file, as HCL's JSON navigation names it for a diagnostic's
header (``on vars.pkrvars.json line 3, in tags:``, ``in variable.region``, ``in build[0]``).

Go HCL walks down the objects and arrays whose span holds the offset: ``.key`` for an object
property, ``[i]`` for an array element, and stops at the first scalar. A file that is not valid JSON
has no such path (its parse errors come without one).
"""

from __future__ import annotations

import json
import re

__all__ = ["json_context"]

_SPACE = re.compile(r"[ \t\r\n]*")
_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null', re.DOTALL)


class _Invalid(Exception):
    pass


class _Node:
    __slots__ = ("end", "items", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.end = start
        self.items: list[tuple[str, _Node | None]] = []  # (".key" or "[i]", container or None)


def json_context(source: str, offset: int) -> str:
    """The navigation path to ``offset`` (e.g. ``variable.v``), or ``""``. Offsets count characters, as
    the positions of kiln's JSON readers do."""
    try:
        root, end = _value(source, _skip(source, 0))
        if _skip(source, end) != len(source):
            raise _Invalid
    except (_Invalid, ValueError):
        return ""
    steps: list[str] = []
    node = root
    while node is not None:
        inner = next(((step, child) for step, child in node.items
                      if child is not None and child.start <= offset < child.end), None)
        if inner is None:
            break
        steps.append(inner[0])
        node = inner[1]
    return "".join(steps).removeprefix(".")


def _skip(src: str, i: int) -> int:
    m = _SPACE.match(src, i)
    return m.end() if m else i


def _value(src: str, i: int) -> tuple[_Node | None, int]:
    """Parse the value at ``i``: a container node (None for a scalar) and the offset after it."""
    ch = src[i:i + 1]
    if ch == "{":
        return _container(src, i, "}", keyed=True)
    if ch == "[":
        return _container(src, i, "]", keyed=False)
    m = _SCALAR.match(src, i)
    if not m:
        raise _Invalid
    return None, m.end()


def _container(src: str, i: int, close: str, keyed: bool) -> tuple[_Node, int]:
    node = _Node(i)
    i = _skip(src, i + 1)
    if src[i:i + 1] == close:
        node.end = i + 1
        return node, node.end
    index = 0
    while True:
        if keyed:
            m = _SCALAR.match(src, i)
            if not m or src[i:i + 1] != '"':
                raise _Invalid
            step = "." + json.loads(m.group())
            i = _skip(src, m.end())
            if src[i:i + 1] != ":":
                raise _Invalid
            i = _skip(src, i + 1)
        else:
            step = f"[{index}]"
        child, i = _value(src, i)
        node.items.append((step, child))
        index += 1
        i = _skip(src, i)
        if src[i:i + 1] == ",":
            i = _skip(src, i + 1)
            continue
        if src[i:i + 1] != close:
            raise _Invalid
        node.end = i + 1
        return node, node.end
