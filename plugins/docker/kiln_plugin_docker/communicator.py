"""The docker communicator (Packer's docker Communicator) behind the SDK's Communicator interface.

- ``run``: ``docker exec -i [-t] [-u USER] CONTAINER /bin/sh -c "(COMMAND)"``; stdout and stderr stream as
  they arrive; the exit status is the command's. Commands run one at a time, as in Packer.
- ``upload``: one tar entry piped into ``docker cp - CONTAINER:DIR``; ``upload_tar``: the caller's tar
  stream piped into ``docker cp - CONTAINER:DST`` (after ``mkdir -p DST``). Both then give the upload to
  the container's user (``chown -R``) when ``fix_upload_owner`` is on (Packer's default).
- ``download``: the first entry of ``docker cp CONTAINER:SRC -``; ``download_tar``: that tar stream as it
  comes (``SRC/`` streams the directory's contents, ``SRC`` the directory itself).

The builder's plugin process serves this object to the provisioners (they run in their own processes),
exactly as the null builder's SSH communicator is served.
"""

from __future__ import annotations

import io
import os
import posixpath
import shlex
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO

from kiln_sdk import BuildError, Cancelled, Communicator, RemoteCommandError

from kiln_plugin_docker.driver import Driver

OutputHandler = Callable[[bytes], None]
_CHUNK = 256 * 1024


def _pump(src: IO[bytes], handler: OutputHandler | None) -> None:
    fd = src.fileno()
    while True:
        data = os.read(fd, 65536)
        if not data:
            return
        if handler is not None:
            handler(data)


def _feed(src: BinaryIO, dst: IO[bytes] | None) -> None:
    if dst is None:
        return
    try:
        while True:
            data = src.read(_CHUNK)
            if not data:
                break
            dst.write(data)
            dst.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass
    finally:
        try:
            dst.close()
        except OSError:
            pass


class DockerCommunicator(Communicator):
    def __init__(self, driver: Driver, container_id: str, *, exec_user: str = "", container_user: str = "",
                 fix_upload_owner: bool = True, pty: bool = False,
                 entrypoint: tuple[str, ...] = ("/bin/sh", "-c")) -> None:
        self.driver = driver
        self.container_id = container_id
        self.exec_user = exec_user
        self.container_user = container_user
        self.fix_upload_owner = fix_upload_owner
        self.pty = pty
        self.entrypoint = entrypoint
        self._lock = threading.Lock()

    # -- commands ---------------------------------------------------------------------------------------

    def exec_args(self, command: str) -> list[str]:
        args = ["exec", "-i"]
        if self.exec_user:
            args += ["-u", self.exec_user]
        if self.pty:
            args.append("-t")
        return [*args, self.container_id, *self.entrypoint, f"({command})"]

    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        with self._lock:  # Packer serializes remote commands on one container
            try:
                proc = self.driver.popen(self.exec_args(command),
                                         stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
            except BuildError as exc:
                raise RemoteCommandError(str(exc)) from exc
            assert proc.stdout is not None and proc.stderr is not None
            threads = [threading.Thread(target=_pump, args=(proc.stdout, stdout), daemon=True),
                       threading.Thread(target=_pump, args=(proc.stderr, stderr), daemon=True)]
            if stdin is not None:
                threads.append(threading.Thread(target=_feed, args=(stdin, proc.stdin), daemon=True))
            for t in threads:
                t.start()
            try:
                code = self.driver.wait(proc, cancel or self.driver.cancel, "exec")
            finally:
                for t in threads:
                    t.join()
                proc.stdout.close()
                proc.stderr.close()
            return code if code >= 0 else 128 - code

    def _root_sh(self, script: str) -> None:
        """Run ``script`` in the container as root, for the communicator's own housekeeping."""
        try:
            self.driver.call(["exec", "--user", "root", self.container_id, "/bin/sh", "-c", script])
        except Cancelled:
            raise
        except BuildError as exc:
            raise RemoteCommandError(str(exc)) from exc

    def _fix_owner(self, dst: str) -> None:
        """Packer's fixDestinationOwner: the upload belongs to the container's user (default root)."""
        if not self.fix_upload_owner:
            return
        owner = self.container_user or "root"
        try:
            self._root_sh(f"chown -R {shlex.quote(owner)} {shlex.quote(dst)}")
        except RemoteCommandError as exc:
            raise RemoteCommandError(f"Failed to set owner of the uploaded file: {exc}") from exc

    # -- uploads --------------------------------------------------------------------------------------

    def _cp_in(self, dst_dir: str, tar_stream: BinaryIO, what: str) -> None:
        try:
            self.driver.call(["cp", "-", f"{self.container_id}:{dst_dir}"], input_stream=tar_stream)
        except Cancelled:
            raise
        except BuildError as exc:
            detail = str(exc).split("Stderr: ", 1)[-1].strip()
            raise RemoteCommandError(f"Failed to upload to '{what}' in container: {detail}") from exc

    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        spooled: IO[bytes] | None = None
        if size is None:  # a tar header needs the size first: spool the stream (Packer does too)
            spooled = tempfile.TemporaryFile()
            while chunk := src.read(_CHUNK):
                spooled.write(chunk)
            size = spooled.tell()
            spooled.seek(0)
            src = spooled  # type: ignore[assignment]
        try:
            info = tarfile.TarInfo(posixpath.basename(dst))
            info.size = size
            info.mode = 0o600 if mode is None else mode & 0o7777
            info.mtime = int(time.time())
            stream = _SingleFileTar(info, src)
            self._cp_in(posixpath.dirname(dst) or ".", stream, dst)  # type: ignore[arg-type]
        finally:
            if spooled is not None:
                spooled.close()
        self._fix_owner(dst)

    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        self._root_sh(f"mkdir -p {shlex.quote(dst)}")
        self._cp_in(dst, tar_stream, dst)
        self._fix_owner(dst)

    # -- downloads ------------------------------------------------------------------------------------

    def _cp_out(self, src: str) -> subprocess.Popen[bytes]:
        try:
            return self.driver.popen(["cp", f"{self.container_id}:{src}", "-"])
        except BuildError as exc:
            raise RemoteCommandError(str(exc)) from exc

    def _finish(self, proc: subprocess.Popen[bytes], src: str) -> None:
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace").strip()
        code = self.driver.wait(proc, self.driver.cancel, "cp")
        if code != 0:
            if "could not be found" in err or "No such" in err or "no such" in err:
                raise FileNotFoundError(f"Error downloading file: {err}")
            raise RemoteCommandError(f"Failed to download '{src}' from container: {err or f'exit status {code}'}")

    def download(self, src: str, dst: BinaryIO) -> None:
        proc = self._cp_out(src)
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tf:
                for member in tf:
                    if not member.isfile():
                        raise RemoteCommandError(f"Error downloading file: {src} is not a regular file")
                    fh = tf.extractfile(member)
                    assert fh is not None
                    while chunk := fh.read(_CHUNK):
                        dst.write(chunk)
                    break
        except tarfile.ReadError:
            pass  # no tar at all: the error is on stderr
        finally:
            proc.stdout.close()
        self._finish(proc, src)

    def download_tar(self, src: str) -> Iterator[bytes]:
        path = src.rstrip("/") + "/." if src.endswith("/") and src.strip("/") else src
        proc = self._cp_out(path)
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read(_CHUNK):
                yield chunk
        except GeneratorExit:  # the consumer stopped early (cancelled, extraction failed)
            proc.kill()
            proc.wait()
            raise
        finally:
            proc.stdout.close()
        self._finish(proc, src)


class _SingleFileTar(io.RawIOBase):
    """A tar of one regular file, produced as it is read: header, the file's data, padding, end blocks."""

    def __init__(self, info: tarfile.TarInfo, data: BinaryIO) -> None:
        self._parts: Iterator[bytes] = self._generate(info, data)
        self._buf = b""

    @staticmethod
    def _generate(info: tarfile.TarInfo, data: BinaryIO) -> Iterator[bytes]:
        yield info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        remaining = info.size
        while remaining > 0:
            chunk = data.read(min(_CHUNK, remaining))
            if not chunk:
                raise RemoteCommandError(f"the upload of {info.name} ended {remaining} bytes early")
            remaining -= len(chunk)
            yield chunk
        yield bytes((-info.size) % tarfile.BLOCKSIZE) + bytes(2 * tarfile.BLOCKSIZE)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        while not self._buf:
            try:
                self._buf = next(self._parts)
            except StopIteration:
                return b""
        if size is None or size < 0 or size >= len(self._buf):
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out
