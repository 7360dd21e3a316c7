"""The ``docker`` command, driven as Packer's docker driver drives it (one process per operation).

Everything goes through the ``docker`` executable found on PATH, so the plugin works with Docker Engine
and with podman behind a ``docker`` command. Every call can be interrupted: when the build's cancel event
is set, the running ``docker`` process is terminated and ``Cancelled`` is raised. Cleanup calls (kill,
rm) run without the cancel event, so that a cancelled build still removes its container.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import IO, BinaryIO

from kiln_sdk import BuildError, Cancelled, Ui, start_process

_POLL = 0.05
EXECUTABLE = "docker"


class DockerError(BuildError):
    """A docker command failed (non-zero exit); the message has its stderr, as Packer shows it."""


def not_found_message() -> str:
    return (f'exec: "{EXECUTABLE}": executable file not found in $PATH (kiln drives the docker command: '
            "install Docker Engine, or podman with a docker command on PATH, and try again)")


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def _pump(src: IO[bytes], sink: Callable[[bytes], None] | None) -> None:
    fd = src.fileno()
    while True:
        data = os.read(fd, 65536)
        if not data:
            return
        if sink is not None:
            sink(data)


class Driver:
    """Runs ``docker`` sub-commands. ``cancel`` (the build's event) interrupts a running command."""

    def __init__(self, ui: Ui | None = None, cancel: threading.Event | None = None,
                 secrets: Sequence[str] = ()) -> None:
        self.ui = ui
        self.cancel = cancel
        self.secrets = [s for s in secrets if s]
        self._lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------------------

    def executable(self) -> str:
        path = shutil.which(EXECUTABLE)
        if path is None:
            raise BuildError(not_found_message())
        return path

    def popen(self, args: Sequence[str], *, stdin: int | IO[bytes] | None = subprocess.DEVNULL,
              stdout: int | IO[bytes] | None = subprocess.PIPE) -> subprocess.Popen[bytes]:
        try:
            return start_process([self.executable(), *args], stdin=stdin, stdout=stdout,  # dies with the plugin
                                 stderr=subprocess.PIPE)
        except OSError as exc:
            raise BuildError(f"cannot run {EXECUTABLE}: {exc}") from exc

    def wait(self, proc: subprocess.Popen[bytes], cancel: threading.Event | None, what: str) -> int:
        """Wait for ``proc``; terminate it and raise Cancelled when ``cancel`` is set."""
        while True:
            try:
                return proc.wait(timeout=_POLL)
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    _terminate(proc)
                    raise Cancelled(f"interrupted: docker {what}") from None

    def call(self, args: Sequence[str], *, input_stream: BinaryIO | None = None, output: BinaryIO | None = None,
             cancellable: bool = True, error: str = "") -> str:
        """Run ``docker ARGS``; return its stdout (stripped) or raise DockerError with its stderr.

        ``input_stream`` is copied to its stdin, ``output`` receives its stdout (then "" is returned).
        ``error`` is Packer's wording for the failure ("Error committing container").
        """
        cancel = self.cancel if cancellable else None
        proc = self.popen(args, stdin=subprocess.PIPE if input_stream is not None else subprocess.DEVNULL)
        assert proc.stdout is not None and proc.stderr is not None
        out = bytearray()
        err = bytearray()
        sink: Callable[[bytes], None] = output.write if output is not None else out.extend  # type: ignore[assignment]
        threads = [threading.Thread(target=_pump, args=(proc.stdout, sink), daemon=True),
                   threading.Thread(target=_pump, args=(proc.stderr, err.extend), daemon=True)]
        if input_stream is not None:
            threads.append(threading.Thread(target=_feed, args=(input_stream, proc.stdin), daemon=True))
        for t in threads:
            t.start()
        try:
            code = self.wait(proc, cancel, args[0] if args else "")
        finally:
            for t in threads:
                t.join()
            proc.stdout.close()
            proc.stderr.close()
        if code != 0:
            stderr = self.mask(err.decode(errors="replace").strip())
            prefix = f"{error}: " if error else ""
            raise DockerError(f"{prefix}exit status {code}\nStderr: {stderr}")
        return out.decode(errors="replace").strip()

    def stream(self, args: Sequence[str], *, input_bytes: bytes | None = None) -> None:
        """Run ``docker ARGS`` showing its output on the Ui as it comes (Packer's RunAndStream)."""
        proc = self.popen(args, stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL)
        assert proc.stdout is not None and proc.stderr is not None
        if input_bytes is not None and proc.stdin is not None:
            try:
                proc.stdin.write(input_bytes)
                proc.stdin.close()
            except OSError:
                pass
        # Packer's localexec.RunAndStream shows both streams as messages (podman writes its push and pull
        # progress to stderr: shown as errors, every push would look like it failed)
        say_out = _Lines(self._message)
        say_err = _Lines(self._message)
        threads = [threading.Thread(target=_pump, args=(proc.stdout, say_out), daemon=True),
                   threading.Thread(target=_pump, args=(proc.stderr, say_err), daemon=True)]
        for t in threads:
            t.start()
        try:
            code = self.wait(proc, self.cancel, args[0] if args else "")
        finally:
            for t in threads:
                t.join()
            say_out.flush()
            say_err.flush()
            proc.stdout.close()
            proc.stderr.close()
        if code != 0:
            raise DockerError(f"Bad exit status: {code}")

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<sensitive>")
        return text

    def _message(self, line: str) -> None:
        if self.ui is not None:
            self.ui.message(self.mask(line))

    # -- operations (Packer's Driver interface) -------------------------------------------------------

    def verify(self) -> str:
        """The docker command exists and its daemon answers; return the server's version."""
        self.executable()
        try:
            return self.call(["version", "--format", "{{.Server.Version}}"])
        except DockerError as exc:
            detail = str(exc).split("Stderr: ", 1)[-1].strip()
            raise BuildError(f"The docker daemon is not answering ({EXECUTABLE} version failed): {detail}\n"
                             "Start the Docker daemon (or check DOCKER_HOST / the podman setup) and try again."
                             ) from exc

    def pull(self, image: str, platform: str = "") -> None:
        self.stream(["pull", image, *(["--platform", platform] if platform else [])])

    def login(self, server: str, username: str, password: str) -> None:
        """``docker login`` with the password on stdin (never on a command line)."""
        self._lock.acquire()
        args = ["login"]
        if username:
            args += ["-u", username]
        if password:
            args += ["--password-stdin"]
        if server:
            args.append(server)
        try:
            self.stream(args, input_bytes=password.encode() if password else None)
        except BaseException:
            self._lock.release()
            raise

    def logout(self, server: str) -> None:
        try:
            self.stream(["logout", *([server] if server else [])])
        finally:
            if self._lock.locked():
                self._lock.release()

    def start_container(self, args: Sequence[str]) -> str:
        try:
            return self.call(["run", *args])
        except DockerError as exc:
            stderr = str(exc).split("Stderr: ", 1)[-1]
            raise DockerError(f"Docker exited with a non-zero exit status.\nStderr: {stderr}") from exc

    def kill_container(self, container_id: str) -> None:
        """Packer's KillContainer: ``docker kill`` then ``docker rm`` (not interrupted by a cancel)."""
        for args in (["kill", container_id], ["rm", container_id]):
            try:
                self.call(args, cancellable=False)
            except DockerError:
                continue

    def remove_container(self, container_id: str) -> None:
        """``docker rm -f`` (kiln cleanup); a container that is already gone counts as removed."""
        try:
            self.call(["rm", "-f", container_id], cancellable=False)
        except DockerError as exc:
            try:
                self.call(["container", "inspect", container_id], cancellable=False)
            except DockerError:
                return  # no such container: nothing left to remove
            raise BuildError(f"Error removing container {container_id}: {exc}") from exc

    def commit(self, container_id: str, author: str, changes: Sequence[str], message: str) -> str:
        args = ["commit"]
        if author:
            args += ["--author", author]
        for change in changes:
            args += ["--change", change]
        if message:
            args += ["--message", message]
        return self.call([*args, container_id], error="Error committing container")

    def export(self, container_id: str, dst: BinaryIO) -> None:
        self.call(["export", container_id], output=dst, error="Error exporting")

    def import_tar(self, src: BinaryIO, changes: Sequence[str], repo: str, platform: str = "") -> str:
        args = ["import"]
        for change in changes:
            args += ["--change", change]
        if platform:
            args += ["--platform", platform]
        return self.call([*args, "-", *([repo] if repo else [])], input_stream=src,
                         error="Error importing container")

    def sha256(self, image_id: str) -> str:
        return self.call(["inspect", "--format", "{{ .Id }}", image_id])

    def container_user(self, container_id: str) -> str:
        try:
            return self.call(["inspect", "--format", "{{.Config.User}}", container_id])
        except DockerError as exc:
            raise DockerError(f"Failed to inspect the container: {exc}") from exc

    def tag(self, image_id: str, repo: str) -> None:
        self.call(["tag", image_id, repo], error="Error tagging image")

    def save(self, image_id: str, dst: BinaryIO) -> None:
        self.call(["save", image_id], output=dst, error="Error exporting")

    def push(self, name: str, platform: str = "") -> None:
        self.stream(["push", name, *(["--platform", platform] if platform else [])])

    def delete_image(self, image_id: str) -> None:
        self.call(["rmi", image_id], cancellable=False, error="Error deleting image")


def _feed(src: BinaryIO, dst: IO[bytes] | None) -> None:
    if dst is None:
        return
    try:
        while True:
            data = src.read(256 * 1024)
            if not data:
                break
            dst.write(data)
    except Exception:  # noqa: BLE001 - a failed or cancelled source ends the input; docker reports the rest
        pass
    finally:
        try:
            dst.close()
        except OSError:
            pass


class _Lines:
    """Bytes in, complete decoded lines out (the last partial line on ``flush``)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._buf = bytearray()

    def __call__(self, data: bytes) -> None:
        self._buf += data
        while (idx := self._buf.find(b"\n")) >= 0:
            line = bytes(self._buf[:idx])
            del self._buf[: idx + 1]
            self._line(line)

    def _line(self, raw: bytes) -> None:
        text = raw.decode(errors="replace").rstrip()
        text = text[text.rfind("\r") + 1:]
        if text:
            self._emit(text)

    def flush(self) -> None:
        if self._buf:
            line = bytes(self._buf)
            self._buf.clear()
            self._line(line)
