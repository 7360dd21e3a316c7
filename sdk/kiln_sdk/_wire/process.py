"""Starting a plugin process, reading its handshake, and stopping it (the host side of the handshake)."""

from __future__ import annotations

import collections
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from kiln_sdk._wire.handshake import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, Handshake, HandshakeError, parse

if TYPE_CHECKING:
    import grpc

DEFAULT_START_TIMEOUT = 30.0
STDERR_TAIL_LINES = 20


class PluginStartError(Exception):
    """The plugin did not start: no handshake, a bad one, or it exited."""


class PluginProcess:
    """One running plugin process serving one component.

    ``stderr_sink`` receives every stderr line (the core's log); the last lines are kept for errors.
    """

    def __init__(
        self,
        command: Sequence[str],
        kind: str,
        name: str,
        *,
        label: str | None = None,
        env: Mapping[str, str] | None = None,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        stderr_sink: Callable[[str], None] | None = None,
    ) -> None:
        self.command = list(command)
        self.kind = kind
        self.name = name
        self.label = label or f"{kind} {name!r} ({os.path.basename(self.command[-1] if self.command else '?')})"
        self._env = dict(os.environ if env is None else env)
        self._env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
        self._start_timeout = start_timeout
        self._stderr_sink = stderr_sink
        self._tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr_thread: threading.Thread | None = None
        self.handshake: Handshake | None = None
        self.channel: grpc.Channel | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def _spawn(self, args: Sequence[str]) -> None:
        try:
            self._proc = subprocess.Popen(
                [*self.command, *args],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=self._env, start_new_session=True,
            )
        except OSError as exc:
            raise PluginStartError(f"could not start the plugin for {self.label}: {exc}") from None
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True, name=f"stderr {self.label}")
        self._stderr_thread.start()

    def start(self) -> PluginProcess:
        self._spawn(["start", self.kind, self.name])
        return self._handshake()

    @classmethod
    def standby(cls, command: Sequence[str], env: Mapping[str, str] | None = None) -> PluginProcess:
        """Start ``command standby``: it loads its runtime now and serves a component once assigned."""
        process = cls(command, "", "", label=f"standby plugin ({os.path.basename(command[-1])})", env=env)
        process._spawn(["standby"])
        return process

    def assign(self, kind: str, name: str, *, label: str | None = None, start_timeout: float | None = None,
               stderr_sink: Callable[[str], None] | None = None) -> PluginProcess:
        """Make a standby process serve component ``name`` of ``kind``; read its handshake."""
        assert self._proc is not None and self._proc.stdin is not None and not self.kind, "not a standby process"
        self.kind, self.name = kind, name
        self.label = label or f"{kind} {name!r}"
        self._start_timeout = start_timeout or self._start_timeout
        self._stderr_sink = stderr_sink
        try:
            self._proc.stdin.write(f"{kind} {name}\n".encode())
            self._proc.stdin.flush()
        except OSError:
            pass  # it died: the handshake read below says how
        return self._handshake()

    def _handshake(self) -> PluginProcess:
        line = self._read_handshake_line()
        try:
            self.handshake = parse(line)
        except HandshakeError as exc:
            self.stop(timeout=0.5)
            raise PluginStartError(f"plugin for {self.label} gave a bad handshake: {exc}{self.stderr_tail()}") from None
        from kiln_sdk._wire import channels  # gRPC loads here, not when a standby process is spawned

        self.channel = channels.channel(self.handshake.target)
        return self

    def _read_handshake_line(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        buf = b""
        deadline = time.monotonic() + self._start_timeout
        with selectors.DefaultSelector() as sel:
            sel.register(out, selectors.EVENT_READ)
            while b"\n" not in buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.stop(timeout=0.5)
                    raise PluginStartError(
                        f"plugin for {self.label} printed no handshake within {self._start_timeout:g}s; "
                        f"it may be hung or not a kiln plugin{self.stderr_tail()}"
                    )
                if not sel.select(remaining):
                    continue
                chunk = os.read(out.fileno(), 4096)
                if not chunk:
                    code = self._proc.wait()
                    self._join_stderr()
                    what = f"exited with status {code}" if code >= 0 else f"was killed by signal {-code}"
                    raise PluginStartError(
                        f"plugin for {self.label} {what} before its handshake{self.stderr_tail()}"
                        + (f"; it printed {buf[:200].decode(errors='replace')!r}" if buf.strip() else "")
                    )
                buf += chunk
        return buf.split(b"\n", 1)[0].decode(errors="replace")

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self._tail.append(line)
            sink = self._stderr_sink  # read each time: a standby process gets its sink when assigned
            if sink is not None:
                sink(line)

    def _join_stderr(self) -> None:
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout=2)

    def stderr_tail(self) -> str:
        self._join_stderr() if self._proc is not None and self._proc.poll() is not None else None
        if not self._tail:
            return ""
        return "\nThe plugin's last error output:\n  " + "\n  ".join(self._tail)

    def exit_description(self) -> str:
        """Why the process is gone (for "plugin crashed" messages), or "" if it still runs."""
        if self._proc is None:
            return "was never started"
        code = self._proc.poll()
        if code is None:
            try:
                code = self._proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                return ""
        return f"exited with status {code}" if code >= 0 else f"was killed by signal {-code}"

    def stop(self, timeout: float = 5.0) -> None:
        """Close stdin (the plugin's cue to exit), then SIGTERM, then SIGKILL its process group."""
        if self.handshake is not None:
            from kiln_sdk._wire import channels

            channels.forget(self.handshake.target)
        proc = self._proc
        if proc is None or proc.poll() is not None:
            self._join_stderr()
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        for sig, wait in ((None, timeout), (signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            if sig is not None:
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self._join_stderr()

    def kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
