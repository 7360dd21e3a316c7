"""Running translated Go regular expressions with Go's rules: ``FindAll`` (an empty match right after a
match is dropped), ``ReplaceAllString`` and ``Expand`` (``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

DUP = "__kiln_dup"  # Go allows a capture name twice, Python does not: later ones get this suffix


def group_names(compiled: Any) -> list[str]:
    """Go's ``SubexpNames()[1:]``: a name or "" for each capture group, in order."""
    if hasattr(compiled, "names"):  # a GoRegexp: Go's names, computed once
        return list(compiled.names)
    names = [""] * compiled.groups
    for name, idx in compiled.groupindex.items():
        names[idx - 1] = name.split(DUP, 1)[0]
    return names


def find_all(compiled: Any, s: str) -> Iterator[Any]:
    """Go's ``FindAll...``: successive matches, an empty match right after a match is dropped."""
    pos, prev_end = 0, -1
    while pos <= len(s):
        m = compiled.search(s, pos)
        if m is None:
            return
        accept = True
        if m.end() == m.start():
            if m.start() == prev_end:
                accept = False
            pos = m.end() + 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            yield m


def expand(template: str, m: Any, names: list[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out: list[str] = []
    t = template
    while True:
        before, sep, after = t.partition("$")
        out.append(before)
        if not sep:
            return "".join(out)
        t = after
        if t.startswith("$"):
            out.append("$")
            t = t[1:]
            continue
        parsed = _extract(t)
        if parsed is None:
            out.append("$")
            continue
        name, num, t = parsed
        if num >= 0:
            if num <= len(names) and m.start(num) >= 0:
                out.append(m.group(num))
        else:
            for idx, n in enumerate(names, start=1):
                if n == name and m.start(idx) >= 0:
                    out.append(m.group(idx))
                    break


def _extract(s: str) -> tuple[str, int, str] | None:
    brace = s.startswith("{")
    if brace:
        s = s[1:]
    i = 0
    while i < len(s) and (s[i].isalpha() or s[i].isdigit() or s[i] == "_"):
        i += 1
    if i == 0:
        return None
    name = s[:i]
    if brace:
        if i >= len(s) or s[i] != "}":
            return None
        i += 1
    num = int(name) if name.isascii() and name.isdigit() and not (name[0] == "0" and len(name) > 1) else -1
    if num >= 10**8:
        num = -1
    return name, num, s[i:]


def replace_all(compiled: Any, s: str, template: str) -> str:
    """Go's ``ReplaceAllString`` (no replacement for an empty match abutting the previous one)."""
    names = group_names(compiled)
    out: list[str] = []
    last_end, pos = 0, 0
    while pos <= len(s):
        m = compiled.search(s, pos)
        if m is None:
            break
        out.append(s[last_end : m.start()])
        if m.end() > last_end or m.start() == 0:
            out.append(expand(template, m, names))
        last_end = m.end()
        pos = pos + 1 if pos + 1 > m.end() else m.end()
    out.append(s[last_end:])
    return "".join(out)
