"""The compressors of the compress post-processor, as streams: ``write(bytes)`` then ``close()``.

gzip and BGZF compress blocks on every core, as Packer's pgzip and bgzf writers do (zlib releases the
GIL): gzip's blocks are raw deflate streams primed with the previous block's last 32 KiB and joined by
sync flushes into ONE gzip member (pigz's method); BGZF's blocks are independent gzip members. Headers
are Go's (no name, no time, OS 255). xz runs on one core, as in Packer.
"""

from __future__ import annotations

import lzma
import os
import struct
import zlib
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Protocol

GZIP_BLOCK_SIZE = 1 << 20  # input bytes per parallel gzip block (pgzip's default block size)
BGZF_BLOCK_SIZE = 0xFF00  # input bytes per BGZF block (biogo/hts)
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_WINDOW = 32 * 1024


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _deflater(level: int, zdict: bytes = b"") -> zlib._Compress:
    """Raw deflate with Go's level semantics: -1 default (6), -2 Huffman only, 1..9 as zlib."""
    strategy = zlib.Z_HUFFMAN_ONLY if level == -2 else zlib.Z_DEFAULT_STRATEGY
    zlevel = 1 if level == -2 else 6 if level == -1 else level
    if zdict:
        return zlib.compressobj(zlevel, zlib.DEFLATED, -15, 8, strategy, zdict=zdict)
    return zlib.compressobj(zlevel, zlib.DEFLATED, -15, 8, strategy)


def gzip_header(level: int, extra: bytes = b"") -> bytes:
    xfl = 2 if level == 9 else 4 if level == 1 else 0
    head = b"\x1f\x8b\x08" + bytes([0x04 if extra else 0]) + b"\0\0\0\0" + bytes([xfl, 0xFF])
    return head + (struct.pack("<H", len(extra)) + extra if extra else b"")


def _gzip_block(data: bytes, zdict: bytes, level: int, last: bool) -> bytes:
    deflate = _deflater(level, zdict)
    return deflate.compress(data) + deflate.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _bgzf_block(data: bytes, level: int) -> bytes:
    deflate = _deflater(level)
    body = deflate.compress(data) + deflate.flush()
    extra = b"BC" + struct.pack("<HH", 2, 18 + len(body) + 8 - 1)  # BSIZE: the whole block's size - 1
    return gzip_header(level, extra) + body + struct.pack("<II", zlib.crc32(data), len(data))


class _BlockPipeline(ABC):
    """Cuts the input into blocks, compresses them on a thread pool, writes the results in order."""

    def __init__(self, out: Sink, block_size: int, workers: int) -> None:
        self._out, self._block_size = out, block_size
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="compress")
        self._queue: deque[Future[bytes]] = deque()
        self._limit = 2 * max(1, workers)  # bounded memory: at most this many blocks in flight
        self._buf = bytearray()

    @abstractmethod
    def _job(self, block: bytes, last: bool) -> Callable[[], bytes]:
        """Called in order, in the writer's thread; returns the work to run on the pool."""

    def _submit(self, block: bytes, last: bool) -> None:
        self._queue.append(self._pool.submit(self._job(block, last)))
        while len(self._queue) > self._limit:
            self._out.write(self._queue.popleft().result())

    def write(self, data: bytes) -> None:
        self._buf += data
        while len(self._buf) >= self._block_size:
            block = bytes(self._buf[:self._block_size])
            del self._buf[:self._block_size]
            self._submit(block, last=False)

    def abort(self) -> None:
        """Stop after a failure: drop the blocks in flight."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _finish(self) -> None:
        try:
            self._submit(bytes(self._buf), last=True)
            self._buf.clear()
            while self._queue:
                self._out.write(self._queue.popleft().result())
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


class GzipWriter(_BlockPipeline):
    """One gzip member compressed in parallel blocks (Packer's pgzip)."""

    def __init__(self, out: Sink, level: int, workers: int | None = None) -> None:
        super().__init__(out, GZIP_BLOCK_SIZE, workers or cores())
        self._level, self._crc, self._size, self._tail = level, 0, 0, b""
        out.write(gzip_header(level))

    def _job(self, block: bytes, last: bool) -> Callable[[], bytes]:
        self._crc = zlib.crc32(block, self._crc)
        self._size += len(block)
        zdict, self._tail = self._tail, (self._tail + block)[-_WINDOW:]
        return partial(_gzip_block, block, zdict, self._level, last)

    def close(self) -> None:
        self._finish()
        self._out.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))


class BgzfWriter(_BlockPipeline):
    """Blocked gzip (BGZF): independent gzip members of at most 64 KiB, then the EOF block."""

    def __init__(self, out: Sink, level: int, workers: int | None = None) -> None:
        super().__init__(out, BGZF_BLOCK_SIZE, workers or cores())
        self._level = level

    def _job(self, block: bytes, last: bool) -> Callable[[], bytes]:
        return partial(_bgzf_block, block, self._level) if block else bytes

    def close(self) -> None:
        self._finish()
        self._out.write(BGZF_EOF)


class XzWriter:
    def __init__(self, out: Sink) -> None:
        self._out = out
        self._lzma = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)

    def write(self, data: bytes) -> None:
        self._out.write(self._lzma.compress(data))

    def close(self) -> None:
        self._out.write(self._lzma.flush())

    def abort(self) -> None:
        pass


class PlainWriter:
    def __init__(self, out: Sink) -> None:
        self._out = out

    def write(self, data: bytes) -> None:
        self._out.write(data)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


Writer = GzipWriter | BgzfWriter | XzWriter | PlainWriter


def make_writer(algorithm: str, out: Sink, level: int) -> Writer:
    if algorithm == "pgzip":
        return GzipWriter(out, level)
    if algorithm == "bgzf":
        return BgzfWriter(out, level)
    if algorithm == "xz":
        return XzWriter(out)
    return PlainWriter(out)
