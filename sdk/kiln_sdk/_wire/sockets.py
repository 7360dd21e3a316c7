"""Private folders for Unix sockets, short enough for ``sun_path``.

A socket path is limited to 107 bytes on Linux (103 on macOS): under a long ``$TMPDIR`` (CI systems
nest them deeply) the socket cannot be bound. The folder is made under ``$TMPDIR`` when the socket
path fits, else under the first short system temporary folder that does (``$XDG_RUNTIME_DIR``,
``/tmp``, ``/var/tmp``, ``/dev/shm``). It is made by ``mkdtemp``: mode 0700, never a folder that
already existed, so another user can neither read it nor plant a socket in it.
"""

from __future__ import annotations

import os
import sys
import tempfile

__all__ = ["SOCKET_PATH_MAX", "private_socket_dir"]

SOCKET_PATH_MAX = 103 if sys.platform == "darwin" else 107
_SUFFIX = 8  # the random part mkdtemp adds to the prefix


def _fallbacks() -> list[str]:
    return [d for d in (os.environ.get("XDG_RUNTIME_DIR"), "/tmp", "/var/tmp", "/dev/shm") if d]


def private_socket_dir(prefix: str, socket_name: str) -> str:
    """A new 0700 folder in which ``socket_name`` can be bound; ``OSError`` when no place fits."""
    tried: list[str] = []
    for base in [tempfile.gettempdir(), *_fallbacks()]:
        base = os.path.abspath(base)
        if base in tried:
            continue
        tried.append(base)
        if len(os.path.join(base, prefix + "x" * _SUFFIX, socket_name).encode()) > SOCKET_PATH_MAX:
            continue
        try:
            return tempfile.mkdtemp(prefix=prefix, dir=base)
        except OSError:
            continue
    raise OSError(
        f"no temporary folder short enough for a Unix socket (tried {', '.join(tried)}): "
        "set TMPDIR to a shorter, writable path"
    )
