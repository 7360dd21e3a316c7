"""The Communicator interface (Packer's packersdk.Communicator), in plain Python.

Every method blocks until done. Output streams through callbacks as it arrives. ``cancel`` is an
event the caller sets to interrupt a running command (Ctrl-C in the core).

Directory transfers follow Packer's trailing-slash rule: ``upload_dir("/dst", "src/")`` puts the
*contents* of ``src`` into ``/dst``; ``upload_dir("/dst", "src")`` makes ``/dst/src``.
The primitives are tar streams (``upload_tar``/``download_tar``), so a directory crosses any boundary
(a gRPC stream, an SSH channel) as one stream; ``upload_dir``/``download_dir`` build on them.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO

OutputHandler = Callable[[bytes], None]


class RemoteCommandError(Exception):
    """A remote command could not be started or its connection dropped (not a non-zero exit)."""


class Communicator(ABC):
    """How a provisioner reaches the machine: run commands, upload and download files, tars and
    directories. SSHCommunicator and LocalCommunicator implement it."""
    @abstractmethod
    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Run ``command`` on the machine; return its exit status (-1 if it had none)."""

    @abstractmethod
    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        """Write the stream ``src`` to the remote file ``dst`` (chunked, never whole in memory)."""

    @abstractmethod
    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        """Extract an uncompressed tar stream into the remote directory ``dst`` (created if missing)."""

    @abstractmethod
    def download(self, src: str, dst: BinaryIO) -> None:
        """Copy the remote file ``src`` into the local stream ``dst``."""

    @abstractmethod
    def download_tar(self, src: str) -> Iterator[bytes]:
        """Yield an uncompressed tar stream of the remote path ``src`` (Packer's trailing-slash rule)."""

    def upload_dir(self, dst: str, src: str, exclude: Sequence[str] = ()) -> None:
        """Upload the local directory ``src`` to ``dst`` on the machine, leaving out ``exclude`` globs."""
        from kiln_sdk.communicator.tarstream import tar_local_dir

        with tar_local_dir(src, exclude) as stream:
            self.upload_tar(dst, stream)

    def download_dir(self, src: str, dst: str, exclude: Sequence[str] = ()) -> None:
        """Download the machine's directory ``src`` into the local ``dst``, leaving out ``exclude`` globs."""
        from kiln_sdk.communicator.tarstream import extract_tar_chunks

        extract_tar_chunks(self.download_tar(src), dst, exclude)

    def close(self) -> None:  # noqa: B027 - optional: most communicators hold nothing to release
        """Release connections. Safe to call twice."""
