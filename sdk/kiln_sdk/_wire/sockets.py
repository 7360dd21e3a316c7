"""Private folders for Unix sockets, short enough for ``sun_path``.

A socket path is limited to 107 bytes on Linux (103 on macOS): under a long ``$TMPDIR`` (CI systems
nest them deeply) the socket cannot be bound. The folder is made under ``$TMPDIR`` when the socket
path fits, else under the first short system temporary folder that does (``$XDG_RUNTIME_DIR``,
``/tmp``, ``/var/tmp``, ``/dev/shm``). It is made by ``mkdtemp``: mode 0700, never a folder that
already existed, so another user can neither read it nor plant a socket in it. Its name carries the
id of the process that made it (``kiln-core-1234-…``): a run killed with SIGKILL cannot remove its
folders, and the next run removes them (:func:`sweep_stale_socket_dirs`) once that process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile

__all__ = ["SOCKET_PATH_MAX", "private_socket_dir", "sweep_stale_socket_dirs"]

SOCKET_PATH_MAX = 103 if sys.platform == "darwin" else 107
_SUFFIX = 8  # the random part mkdtemp adds to the prefix


def _fallbacks() -> list[str]:
    return [d for d in (os.environ.get("XDG_RUNTIME_DIR"), "/tmp", "/var/tmp", "/dev/shm") if d]


def private_socket_dir(prefix: str, socket_name: str) -> str:
    """A new 0700 folder in which ``socket_name`` can be bound; ``OSError`` when no place fits."""
    prefix = f"{prefix}{os.getpid()}-"
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


_OWNED = re.compile(r"^kiln-(?:core|plugin)-(\d+)-")


def sweep_stale_socket_dirs() -> list[str]:
    """Remove the socket folders of kiln processes that are gone (a run killed with SIGKILL cannot
    remove its own): folders named ``kiln-core-PID-…`` or ``kiln-plugin-PID-…``, owned by this user,
    whose PID no longer runs. Returns what was removed."""
    removed: list[str] = []
    uid = os.getuid()
    seen: set[str] = set()
    for base in [tempfile.gettempdir(), *_fallbacks()]:
        base = os.path.abspath(base)
        if base in seen:
            continue
        seen.add(base)
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            match = _OWNED.match(name)
            if match is None or _alive(int(match[1])):
                continue
            path = os.path.join(base, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
