"""LocalCommunicator: the Communicator interface on this machine (subprocess and the file system).

Used by builders whose "machine" is the host itself, and as the reference implementation the wire
bridge and the provisioners are tested against.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from typing import IO, BinaryIO

from kiln_sdk.children import start_process
from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError
from kiln_sdk.communicator.tarstream import CHUNK_SIZE, extract_tar_chunks, iter_chunks, iter_local_tar
from kiln_sdk.diagnostics import Cancelled

_POLL = 0.05


def _pump(src: IO[bytes], handler: OutputHandler | None) -> None:
    fd = src.fileno()
    while True:
        data = os.read(fd, 65536)
        if not data:
            return
        if handler is not None:
            handler(data)


def _feed(stdin: BinaryIO, dst: IO[bytes]) -> None:
    try:
        for chunk in iter_chunks(stdin, CHUNK_SIZE):
            dst.write(chunk)
            dst.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass
    finally:
        try:
            dst.close()
        except OSError:
            pass


class LocalCommunicator(Communicator):
    """Run commands with ``shell`` (default ``/bin/sh -c``) and copy files locally."""

    def __init__(self, shell: tuple[str, ...] = ("/bin/sh", "-c"), env: dict[str, str] | None = None) -> None:
        self.shell = shell
        self.env = env

    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        try:
            proc = start_process(  # its own process group, killed when this process dies
                [*self.shell, command],
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
            )
        except OSError as exc:
            raise RemoteCommandError(f"local: cannot start {self.shell[0]}: {exc}") from exc
        assert proc.stdout is not None and proc.stderr is not None
        threads = [
            threading.Thread(target=_pump, args=(proc.stdout, stdout), daemon=True),
            threading.Thread(target=_pump, args=(proc.stderr, stderr), daemon=True),
        ]
        if stdin is not None and proc.stdin is not None:
            threads.append(threading.Thread(target=_feed, args=(stdin, proc.stdin), daemon=True))
        for t in threads:
            t.start()
        cancelled = False
        while True:
            try:
                proc.wait(timeout=_POLL)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set() and not cancelled:
                    cancelled = True
                    _kill_group(proc)
        for t in threads:
            t.join()
        proc.stdout.close()
        proc.stderr.close()
        if cancelled:
            raise Cancelled(f"local command interrupted: {command}")
        return proc.returncode if proc.returncode >= 0 else 128 - proc.returncode

    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        with open(dst, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK_SIZE)
        if mode is not None:
            os.chmod(dst, mode)

    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        extract_tar_chunks(iter_chunks(tar_stream), dst)

    def download(self, src: str, dst: BinaryIO) -> None:
        with open(src, "rb") as fh:
            shutil.copyfileobj(fh, dst, CHUNK_SIZE)

    def download_tar(self, src: str) -> Iterator[bytes]:
        return iter_local_tar(src)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
