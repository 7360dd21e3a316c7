"""Starting a plugin process, reading its handshake, asking what it supports, and stopping it.

One process serves every component instance of its executable for a whole run. Its stdout and stderr
are read for its whole life by two threads: the first stdout line is the handshake; every later
line (a component's ``print``) and every stderr line go to the sinks (the core's log), so a plugin
that writes much can never block on a full pipe, and nothing it writes is lost.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiln_sdk._wire.handshake import (
    APP_PROTOCOL_VERSION,
    MAGIC_COOKIE_KEY,
    MAGIC_COOKIE_VALUE,
    Handshake,
    HandshakeError,
    parse,
)
from kiln_sdk.children import start_process

if TYPE_CHECKING:
    import grpc

DEFAULT_START_TIMEOUT = 30.0
DEFAULT_CALL_TIMEOUT = 120.0
"""Seconds a short call (GetInfo, GetSchema, Prepare, Configure, Close) may take (KILN_PLUGIN_CALL_TIMEOUT)."""
STDERR_TAIL_LINES = 20
_MAX_LINE = 64 * 1024  # a longer stdout "line" goes to the log in pieces


class PluginStartError(Exception):
    """The plugin did not start: no handshake, a bad one, another protocol, or it exited."""


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin process says about itself (GetInfo)."""

    version: str
    protocol_major: int
    protocol_minor: int
    capabilities: frozenset[str]
    source: str = ""

    def supports(self, capability: str) -> bool:
        return capability in self.capabilities


class PluginProcess:
    """One running plugin process (``PLUGIN serve``), serving every component of its executable.

    ``stderr_sink`` receives every stderr line, ``stdout_sink`` every stdout line after the handshake
    (the core's log); the last stderr lines are kept for error messages.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        label: str | None = None,
        env: Mapping[str, str] | None = None,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        stderr_sink: Callable[[str], None] | None = None,
        stdout_sink: Callable[[str], None] | None = None,
    ) -> None:
        self.command = list(command)
        self.label = label or f"plugin {os.path.basename(self.command[-1] if self.command else '?')}"
        self._env = dict(os.environ if env is None else env)
        self._env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.stderr_sink = stderr_sink
        self.stdout_sink = stdout_sink
        self._tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._proc: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []
        self._handshake_line: bytes | None = None
        self._early_output = b""
        self._handshake_read = threading.Event()
        self._ready = threading.Event()
        self._ready_error: PluginStartError | None = None
        self._ready_lock = threading.Lock()
        self._held: list[tuple[Callable[[str], None] | None, str]] | None = None
        self._held_lock = threading.Lock()
        self.handshake: Handshake | None = None
        self.channel: grpc.Channel | None = None
        self.info: PluginInfo | None = None
        self.schemas: dict[tuple[str, str], object] = {}  # (kind, name) -> schema, asked once per process
        self.stdout_lines = 0  # lines the plugin printed after its handshake (they went to the sink)
        self.interrupt: threading.Event | None = None
        """Set (by the core's Ctrl-C) to stop waiting: for the handshake, and in every short call."""

    @property
    def pid(self) -> int | None:
        """The process id, once started."""
        return self._proc.pid if self._proc else None

    # -- starting

    def spawn(self) -> PluginProcess:
        """Start ``PLUGIN serve``; the handshake is read in the background (see :meth:`wait_ready`)."""
        try:
            self._proc = start_process(  # its own process group, SIGTERM when the core dies
                [*self.command, "serve"], death_signal=signal.SIGTERM,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self._env,
            )
        except OSError as exc:
            raise PluginStartError(f"could not start {self.label}: {exc}") from None
        for target, what in ((self._drain_stdout, "stdout"), (self._drain_stderr, "stderr")):
            thread = threading.Thread(target=target, daemon=True, name=f"{what} {self.label}")
            thread.start()
            self._threads.append(thread)
        return self

    def start(self) -> PluginProcess:
        """Spawn the process and wait until it serves (handshake read, GetInfo answered)."""
        self.spawn()
        self.wait_ready()
        return self

    def wait_ready(self) -> PluginProcess:
        """Wait for the handshake (``start_timeout``), connect, and ask GetInfo. Safe to call from many
        threads: the first does the work, the others wait for it."""
        with self._ready_lock:
            if not self._ready.is_set():
                try:
                    self._connect()
                except PluginStartError as exc:
                    self._ready_error = exc
                self._ready.set()
        if self._ready_error is not None:
            raise self._ready_error
        return self

    def _connect(self) -> None:
        if self._proc is None:
            raise PluginStartError(f"{self.label} was never started")
        deadline = time.monotonic() + self.start_timeout
        while not self._handshake_read.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
            if self.interrupt is not None and self.interrupt.is_set():
                self.stop(timeout=0.5)
                raise PluginStartError(f"{self.label} was still starting when kiln was interrupted")
            if time.monotonic() >= deadline:
                break
        if not self._handshake_read.is_set():
            self.stop(timeout=0.5)
            raise PluginStartError(
                f"{self.label} printed no handshake within {self.start_timeout:g}s; "
                f"it may be hung or not a kiln plugin{self.stderr_tail()}"
            )
        line = self._handshake_line
        if line is None:  # stdout closed first
            code = self._proc.wait()
            self._join()
            what = f"exited with status {code}" if code >= 0 else f"was killed by signal {-code}"
            early = self._early_output.strip()
            raise PluginStartError(
                f"{self.label} {what} before its handshake{self.stderr_tail()}"
                + (f"; it printed {early[:200].decode(errors='replace')!r}" if early else "")
            )
        try:
            self.handshake = parse(line.decode(errors="replace"))
        except HandshakeError as exc:
            self.stop(timeout=0.5)
            raise PluginStartError(f"{self.label}: {exc}") from None
        from kiln_sdk._wire import channels  # gRPC loads here, not when the process is spawned
        from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
        from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc

        self.channel = channels.channel(self.handshake.target)
        import grpc

        try:
            r = rpc.PluginStub(self.channel).GetInfo(pb.GetInfoRequest(), timeout=self.call_timeout)
        except grpc.RpcError as exc:
            why = self.exit_description()
            self.stop(timeout=0.5)
            raise PluginStartError(
                f"{self.label} did not answer GetInfo"
                + (f" within {self.call_timeout:g}s" if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED else "")
                + f": {why or exc.code().name}{self.stderr_tail()}"
            ) from None
        if r.protocol_major != APP_PROTOCOL_VERSION:
            self.stop(timeout=0.5)
            raise PluginStartError(
                f"{self.label} speaks plugin protocol v{r.protocol_major}, this kiln speaks v{APP_PROTOCOL_VERSION}: "
                f"install a version of the plugin built for protocol v{APP_PROTOCOL_VERSION}"
            )
        self.info = PluginInfo(r.plugin_version, r.protocol_major, r.protocol_minor, frozenset(r.capabilities),
                               r.source)

    # -- the pipes

    def _drain_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        buf = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            if not self._handshake_read.is_set():
                if b"\n" not in buf:
                    if len(buf) > _MAX_LINE:  # not a handshake: keep reading so the plugin never blocks
                        self._early_output, buf = buf[:200], b""
                    continue
                line, buf = buf.split(b"\n", 1)
                self._handshake_line = line
                self._handshake_read.set()
            while b"\n" in buf or len(buf) > _MAX_LINE:
                if b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                else:
                    line, buf = buf[:_MAX_LINE], buf[_MAX_LINE:]
                self._stdout_line(line)
        if not self._handshake_read.is_set():
            self._early_output = self._early_output or buf
            self._handshake_read.set()
        elif buf:
            self._stdout_line(buf)
        self._proc.stdout.close()

    def _stdout_line(self, raw: bytes) -> None:
        self.stdout_lines += 1
        self._relay(self.stdout_sink, raw.decode(errors="replace").rstrip("\r"))

    def _relay(self, sink: Callable[[str], None] | None, line: str) -> None:
        with self._held_lock:
            if self._held is not None:
                self._held.append((sink, line))
                return
        if sink is not None:
            sink(line)

    @contextlib.contextmanager
    def holding_output(self) -> Iterator[None]:
        """Keep what the plugin writes (stdout after the handshake, stderr) from the sinks until the
        block ends: a data source's output that turns out to be sensitive is known to the core's mask
        only once Execute returns, and what the plugin printed meanwhile must be masked too."""
        with self._held_lock:
            self._held = []
        try:
            yield
        finally:
            with self._held_lock:
                held, self._held = self._held or [], None
            for sink, line in held:
                if sink is not None:
                    sink(line)

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            self._tail.append(line)
            self._relay(self.stderr_sink, line)

    def _join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=2)

    def stderr_tail(self) -> str:
        """The plugin's last lines of error output, as a paragraph for an error message ("" if none)."""
        if self._proc is not None and self._proc.poll() is not None:
            self._join()
        if not self._tail:
            return ""
        return "\nThe plugin's last error output:\n  " + "\n  ".join(self._tail)

    # -- ending

    def alive(self) -> bool:
        """True while the process runs."""
        return self._proc is not None and self._proc.poll() is None

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
            self._join()
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
        self._join()

    def kill(self) -> None:
        """Kill the plugin's process group (SIGKILL) and wait for it."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
