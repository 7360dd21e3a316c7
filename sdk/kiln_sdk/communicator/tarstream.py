"""Directories as one uncompressed tar stream, produced and consumed chunk by chunk.

``tar_local_dir`` follows Packer's trailing-slash rule: ``"src/"`` streams the *contents* of ``src``,
``"src"`` streams ``src`` itself (every entry under ``src/``). The tar is generated lazily (header,
file data in chunks, padding), so a 10 GiB directory never sits in memory and no helper thread runs.
``extract_tar_chunks`` extracts such a stream safely: no absolute paths, nothing outside ``dst``.
"""

from __future__ import annotations

import fnmatch
import functools
import io
import os
import stat
import tarfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import BinaryIO

CHUNK_SIZE = 256 * 1024
_BLOCK = tarfile.BLOCKSIZE


class ChunkStream(io.RawIOBase):
    """A read-only binary file object over an iterator of ``bytes`` chunks."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b).cast("B")
        while not self._buf:
            try:
                self._buf = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(view), len(self._buf))
        view[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if callable(close):
            close()
        super().close()


def stream_from_chunks(chunks: Iterable[bytes]) -> BinaryIO:
    """A buffered binary stream reading from ``chunks`` (e.g. a gRPC request stream)."""
    return io.BufferedReader(ChunkStream(chunks), CHUNK_SIZE)


def iter_chunks(stream: BinaryIO, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Read ``stream`` in chunks of at most ``size`` bytes until EOF."""
    while True:
        data = stream.read(size)
        if not data:
            return
        yield data


def is_excluded(relpath: str, exclude: Sequence[str]) -> bool:
    """True when ``relpath`` (``/``-separated) or any of its parents matches an exclude pattern."""
    if not exclude:
        return False
    parts = relpath.strip("/").split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for pattern in exclude:
            pat = pattern.strip("/")
            if fnmatch.fnmatchcase(prefix, pat) or fnmatch.fnmatchcase(parts[i - 1], pat):
                return True
    return False


def _walk(src: str, arc_root: str, exclude: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(local path, archive name) pairs, parents before children, sorted for reproducible tars."""
    if arc_root:
        yield src, arc_root
    for dirpath, dirnames, filenames in os.walk(src):
        rel_dir = os.path.relpath(dirpath, src)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        keep_dirs = []
        for name in sorted(dirnames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if is_excluded(rel, exclude):
                continue
            full = os.path.join(dirpath, name)
            arc = f"{arc_root}/{rel}" if arc_root else rel
            yield full, arc
            if not os.path.islink(full):
                keep_dirs.append(name)
        dirnames[:] = keep_dirs
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not is_excluded(rel, exclude):
                yield os.path.join(dirpath, name), (f"{arc_root}/{rel}" if arc_root else rel)


def _tarinfo(path: str, arcname: str) -> tarfile.TarInfo | None:
    st = os.lstat(path)
    info = tarfile.TarInfo(arcname)
    info.mode = stat.S_IMODE(st.st_mode)
    info.mtime = int(st.st_mtime)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(st.st_mode):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
    elif stat.S_ISREG(st.st_mode):
        info.type = tarfile.REGTYPE
        info.size = st.st_size
    else:
        return None  # sockets, fifos, devices: Packer skips them too
    return info


def iter_tar(
    entries: Iterable[tuple[tarfile.TarInfo, Callable[[], BinaryIO] | None]], chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """Yield a tar of ``entries`` (header, and an opener for regular files' data) in chunks."""
    pending = bytearray()
    for info, opener in entries:
        pending += info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        if info.type != tarfile.REGTYPE or opener is None:
            continue
        remaining = info.size
        with opener() as fh:
            while remaining > 0:
                data = fh.read(min(chunk_size, remaining))
                if not data:  # the file shrank while we read it: pad with zeros as tar does
                    data = bytes(min(chunk_size, remaining))
                remaining -= len(data)
                if pending and len(pending) + len(data) <= chunk_size:
                    pending += data
                    continue
                if pending:
                    yield bytes(pending)
                    pending.clear()
                yield data
        pending += bytes((-info.size) % _BLOCK)
        if len(pending) >= chunk_size:
            yield bytes(pending)
            pending.clear()
    pending += bytes(2 * _BLOCK)
    yield bytes(pending)


def _local_entries(
    root: str, arc_root: str, exclude: Sequence[str]
) -> Iterator[tuple[tarfile.TarInfo, Callable[[], BinaryIO] | None]]:
    for path, arcname in _walk(root, arc_root, exclude):
        info = _tarinfo(path, arcname)
        if info is not None:
            yield info, functools.partial(open, path, "rb")  # type: ignore[misc]


def split_trailing_slash(src: str) -> tuple[str, bool]:
    """(path without trailing slash, contents_only) per Packer's trailing-slash rule."""
    contents_only = src.endswith("/") or src.endswith(os.sep)
    return src.rstrip("/" + os.sep) or "/", contents_only


def iter_local_tar(src: str, exclude: Sequence[str] = (), chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield a tar of ``src`` (trailing-slash rule) in chunks, reading files as it goes."""
    root, contents_only = split_trailing_slash(src)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"{src}: no such directory")
    arc_root = "" if contents_only else os.path.basename(root)
    return iter_tar(_local_entries(root, arc_root, exclude), chunk_size)


@contextmanager
def tar_local_dir(src: str, exclude: Sequence[str] = ()) -> Iterator[BinaryIO]:
    """A readable binary stream of a tar of ``src`` (see ``iter_local_tar``), closed on exit."""
    stream = stream_from_chunks(iter_local_tar(src, exclude))
    try:
        yield stream
    finally:
        stream.close()


def check_member_name(member: tarfile.TarInfo, dst: str) -> None:
    """Refuse absolute names and ``..`` components (raise ``tarfile.OutsideDestinationError``)."""
    name = member.name
    if name.startswith("/") or ".." in name.replace("\\", "/").split("/"):
        raise tarfile.OutsideDestinationError(member, os.path.join(dst, name))


def _safe_member(member: tarfile.TarInfo, dst: str) -> tarfile.TarInfo:
    check_member_name(member, dst)
    return tarfile.tar_filter(member, dst)


def extract_tar_chunks(chunks: Iterable[bytes], dst: str, exclude: Sequence[str] = ()) -> int:
    """Extract a tar arriving as ``chunks`` into ``dst`` (created if missing); return entry count.

    Absolute names, ``..`` components and links that would write outside ``dst`` are refused
    (``tarfile.OutsideDestinationError`` / ``tarfile.FilterError``).
    """
    count = 0
    with stream_from_chunks(chunks) as stream, tarfile.open(fileobj=stream, mode="r|") as tf:
        os.makedirs(dst, exist_ok=True)  # only once the source proved to exist
        for member in tf:
            if is_excluded(member.name, exclude):
                continue
            tf.extract(member, dst, filter=_safe_member)
            count += 1
    return count
