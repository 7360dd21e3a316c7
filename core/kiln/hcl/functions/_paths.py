"""Go's ``path/filepath`` on POSIX (Clean, Dir, Base, Join), ``homedir.Expand`` and doublestar globs."""

from __future__ import annotations

import os
import re


def clean(path: str) -> str:
    """Go's ``filepath.Clean``: the shortest equivalent path, lexically."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def join(*elems: str) -> str:
    nonempty = [e for e in elems if e]
    return clean("/".join(nonempty)) if nonempty else ""


def dirname(path: str) -> str:
    i = path.rfind("/")
    return clean(path[: i + 1])


def basename(path: str) -> str:
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1 :]


class HomeError(ValueError):
    pass


def expand_home(path: str) -> str:
    """mitchellh/go-homedir's ``Expand``."""
    if not path or path[0] != "~":
        return path
    if len(path) > 1 and path[1] not in "/\\":
        raise HomeError("cannot expand user-specific home dir")
    home = os.environ.get("HOME") or os.path.expanduser("~")
    return home + path[1:]


def resolve(base_dir: str, path: str) -> str:
    """A file function's path: ``~`` expanded, relative to ``base_dir``, cleaned."""
    path = expand_home(path)
    if not path.startswith("/"):
        path = join(base_dir, path)
    return clean(path)


# ---- doublestar (bmatcuk/doublestar) globbing --------------------------------------------------------


class GlobError(ValueError):
    pass


def _segment_regex(seg: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "\\" and i + 1 < len(seg):
            out.append(re.escape(seg[i + 1]))
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = seg.find("]", i + 2 if seg[i + 1 : i + 2] in ("!", "^") else i + 1)
            if end < 0:
                raise GlobError("syntax error in pattern")
            body = seg[i + 1 : end]
            neg = body[:1] in ("!", "^")
            body = body[1:] if neg else body
            out.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "{":
            end = seg.find("}", i)
            if end < 0:
                raise GlobError("syntax error in pattern")
            alts = seg[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_segment_regex(a) for a in alts) + ")")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _has_meta(seg: str) -> bool:
    return any(c in seg for c in "*?[{\\")


def glob(pattern: str) -> list[str]:
    """Files and directories matching ``pattern`` (absolute or relative), ``**`` spanning directories."""
    segments = pattern.split("/")
    base_parts: list[str] = []
    while segments and not _has_meta(segments[0]):
        base_parts.append(segments.pop(0))
    base = "/".join(base_parts) or ("/" if pattern.startswith("/") else ".")
    if pattern.startswith("/") and not base.startswith("/"):
        base = "/" + base
    if not segments:
        return [base] if os.path.lexists(base) else []
    regex_parts: list[str] = []
    for i, seg in enumerate(segments):
        if seg == "**":
            regex_parts.append("(?:[^/]+/)*" if i < len(segments) - 1 else "(?:[^/]+(?:/[^/]+)*)?")
        else:
            regex_parts.append(_segment_regex(seg) + ("/" if i < len(segments) - 1 else ""))
    rx = re.compile("".join(regex_parts) + r"\Z")
    matches: list[str] = []
    if not os.path.isdir(base):
        return []
    for root, dirs, files in os.walk(base):
        dirs.sort()
        rel_root = os.path.relpath(root, base)
        for name in sorted(dirs + files):
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if rx.match(rel):
                matches.append(base.rstrip("/") + "/" + rel if base != "/" else "/" + rel)
    return sorted(matches)
