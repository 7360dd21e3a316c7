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
