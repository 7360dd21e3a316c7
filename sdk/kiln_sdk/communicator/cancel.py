"""Streams that stop a transfer when the build is cancelled (Ctrl-C), one chunk at most later."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from kiln_sdk.diagnostics import Cancelled


class CancellableReader(io.RawIOBase):
    """Reads ``stream``; raises Cancelled once ``cancel`` is set."""

    def __init__(self, stream: BinaryIO, cancel: threading.Event) -> None:
        self._stream = stream
        self._cancel = cancel

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``b``; Cancelled once the cancel event is set."""
        if self._cancel.is_set():
            raise Cancelled("transfer interrupted")
        data = self._stream.read(len(b))
        n = len(data)
        memoryview(b).cast("B")[:n] = data
        return n

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes; Cancelled once the cancel event is set."""
        if self._cancel.is_set():
            raise Cancelled("transfer interrupted")
        return self._stream.read(size)


class CancellableWriter:
    """Writes to ``stream``; raises Cancelled once ``cancel`` is set."""

    def __init__(self, stream: BinaryIO, cancel: threading.Event) -> None:
        self._stream = stream
        self._cancel = cancel

    def write(self, data: bytes) -> int:
        """Write ``data``; Cancelled once the cancel event is set."""
        if self._cancel.is_set():
            raise Cancelled("transfer interrupted")
        return self._stream.write(data)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self._stream.flush()


def cancellable_chunks(chunks: Iterable[bytes], cancel: threading.Event) -> Iterator[bytes]:
    """Yield ``chunks``; raise Cancelled (and close the source) once ``cancel`` is set."""
    iterator = iter(chunks)
    try:
        for chunk in iterator:
            if cancel.is_set():
                raise Cancelled("transfer interrupted")
            yield chunk
    finally:
        close = getattr(iterator, "close", None)
        if callable(close):
            close()
