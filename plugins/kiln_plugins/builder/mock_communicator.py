"""The communicator the file builder hands its provisioners: Packer's MockCommunicator.

There is no machine, so every command "succeeds" without output, uploads are read and dropped, and
downloads produce empty files (or an empty directory tree) — what Packer 1.6.6 does with provisioners
under the file builder.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import BinaryIO

from kiln_sdk import Communicator, OutputHandler

_CHUNK = 1 << 20
EMPTY_TAR = b"\0" * 1024  # an archive with no entries: two zero blocks


def _drain(stream: BinaryIO) -> None:
    while stream.read(_CHUNK):
        pass


class MockCommunicator(Communicator):
    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        return 0

    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        _drain(src)

    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        _drain(tar_stream)

    def download(self, src: str, dst: BinaryIO) -> None:
        return None  # Packer's mock writes its (empty) DownloadData

    def download_tar(self, src: str) -> Iterator[bytes]:
        yield EMPTY_TAR
