"""Remote paths for POSIX machines: shell quoting and SFTP's view, keeping ``~/`` meaning home.

Kept free of paramiko so that provisioners can import it cheaply.
"""

from __future__ import annotations

import shlex


def shell_path(path: str) -> str:
    """``path`` quoted for a POSIX shell, keeping a leading ``~/`` meaning the login directory."""
    if path == "~":
        return '"$HOME"'
    if path.startswith("~/"):
        return '"$HOME"/' + shlex.quote(path[2:])
    return shlex.quote(path)


def sftp_path(path: str) -> str:
    """``path`` for SFTP: ``~/x`` becomes ``x`` (SFTP resolves relative paths from the login directory)."""
    if path == "~":
        return "."
    return path[2:] if path.startswith("~/") else path


GLOB_CHARS = "*?["


def has_glob(path: str) -> bool:
    """Whether ``path`` has shell glob characters (Packer downloads those as directories)."""
    return any(c in path for c in GLOB_CHARS)


def shell_glob(pattern: str) -> str:
    """``pattern`` for a POSIX shell: its ``*``, ``?`` and ``[...]`` expand, everything else is quoted."""
    out: list[str] = []
    literal = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        end = pattern.find("]", i + 2) if c == "[" else -1
        if c in "*?" or end > 0:
            if literal:
                out.append(shlex.quote(literal))
                literal = ""
            raw = c if c in "*?" else pattern[i:end + 1]
            out.append(raw.replace("'", "").replace("\\", ""))  # no quote tricks inside a bracket
            i += len(raw)
            continue
        literal += c
        i += 1
    if literal:
        out.append(shlex.quote(literal))
    return "".join(out)
