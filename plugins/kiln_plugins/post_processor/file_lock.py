"""An exclusive lock between processes on ``<path>.lock``, and an atomic file write.

The lock file is removed when released, as Packer's manifest does with its lock file. Removing a file
others may be waiting on is safe here: after ``flock`` returns, the holder checks that the name still
points at the inode it locked, and starts over if it does not.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def locked(path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path + ".lock"`` (blocks until it is free)."""
    lock_path = path + ".lock"
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)  # the holder before us removed it: lock the new one
    try:
        yield
    finally:
        try:
            os.unlink(lock_path)
        finally:
            os.close(fd)


def write_atomically(path: str, data: bytes, mode: int = 0o664) -> None:
    """Replace ``path`` with ``data`` in one rename. A new file gets ``mode`` (less the umask);
    an existing file keeps its permissions; a symlink keeps pointing at the (replaced) file."""
    if os.path.islink(path):  # write through a symlink, as writing the file in place would
        path = os.path.realpath(path)
    directory = os.path.dirname(path) or "."
    try:
        keep_mode: int | None = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        keep_mode = None
    tmp = tempfile.NamedTemporaryFile(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                      delete=False)
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        if keep_mode is not None:
            os.chmod(tmp.name, keep_mode)
        else:
            umask = _current_umask()
            os.chmod(tmp.name, mode & ~umask)
        os.replace(tmp.name, path)
    except BaseException:
        try:
            os.unlink(tmp.name)
        except FileNotFoundError:
            pass
        raise


def _current_umask() -> int:
    """The process umask, read from /proc when possible (setting it to read it races with threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022
