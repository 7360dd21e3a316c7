"""SSHCommunicator: Packer's SSH communicator on paramiko.

- Commands stream stdout/stderr as they arrive; ``cancel`` sends SIGTERM to the remote command
  (an SSH ``signal`` request) and closes its channel.
- Files move with the scp protocol (Packer's default) or pipelined SFTP; directories go as ONE tar
  stream over one channel when the remote has ``tar``, else file by file over SFTP.
- After the connection drops (an expected reboot), the next call reconnects, waiting up to ssh_timeout.
"""

from __future__ import annotations

import select
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import BinaryIO, TypeVar

import paramiko
from paramiko.common import cMSG_CHANNEL_REQUEST

from kiln_sdk.children import on_kill_all
from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError
from kiln_sdk.communicator.errors import ConnectionLost
from kiln_sdk.communicator.paths import has_glob, shell_glob, shell_path
from kiln_sdk.communicator.ssh_config import SSHConfig
from kiln_sdk.communicator.ssh_connect import MAX_PACKET, WINDOW_SIZE, Connection, connect, endpoints
from kiln_sdk.communicator.ssh_sftp_tree import iter_sftp_tar, sftp_upload_tar
from kiln_sdk.communicator.ssh_transfer import (
    exec_channel,
    finish,
    scp_download,
    scp_upload,
    send_stream,
    sftp_download,
    sftp_upload,
)
from kiln_sdk.communicator.ssh_tunnels import LocalTunnel, Tunnel, start_remote_tunnel
from kiln_sdk.communicator.tarstream import CHUNK_SIZE, split_trailing_slash
from kiln_sdk.diagnostics import Cancelled
from kiln_sdk.duration import format_duration

T = TypeVar("T")
_LOST = (EOFError, socket.error, paramiko.SSHException)


class SSHCommunicator(Communicator):
    """A Communicator over SSH, configured by ``SSHConfig`` (see ``CommunicatorConfig.open_communicator``)."""

    def __init__(
        self,
        config: SSHConfig,
        *,
        host: str | None = None,
        port: int | None = None,
        extra_keys: list[paramiko.PKey] | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.target, self.bastion = endpoints(config, host, port, extra_keys)
        self.use_tar = True  # False: directories go file by file over SFTP even when the remote has tar
        self._has_tar: bool | None = None
        self._say = say
        self._conn: Connection | None = None
        self._sftp: paramiko.SFTPClient | None = None
        self._lock = threading.RLock()
        self._local_tunnels: list[LocalTunnel] = []

    def __str__(self) -> str:
        return f"ssh {self.target}"

    @property
    def host_key(self) -> str:
        """The server's host key fingerprint (``ssh-ed25519 SHA256:...``), once connected."""
        return self._conn.host_key if self._conn else ""

    # ------------------------------------------------------------------------------- connection

    def connect(self, cancel: threading.Event | None = None, pause: float = 0.0, timeout: float | None = None) -> None:
        """Connect now (waiting up to ssh_timeout); ``pause`` is pause_before_connecting."""
        if pause > 0:
            if self._say:
                self._say(f"Pausing {format_duration(pause)} before connecting...")
            if cancel is None:
                time.sleep(pause)
            elif cancel.wait(pause):
                raise Cancelled(f"cancelled before connecting to {self.target}")
        with self._lock:
            self._drop()
            self._conn = connect(self.target, self.bastion, self.config, cancel=cancel, timeout=timeout, say=self._say)
            self._start_tunnels()
        if self._say:
            self._say("Connected to SSH!")

    def _drop(self) -> None:
        """Forget the connection (closing what can still be closed: it may already be dead)."""
        sftp, conn = self._sftp, self._conn
        self._sftp = self._conn = None
        for closer in (sftp, conn):
            if closer is not None:
                try:
                    closer.close()
                except (*_LOST, OSError):
                    pass
        self._has_tar = None

    def transport(self, cancel: threading.Event | None = None) -> paramiko.Transport:
        """The live transport, reconnecting (up to ssh_timeout) if the connection dropped."""
        with self._lock:
            if self._conn is None or not self._conn.active:
                self._drop()
                self._conn = connect(self.target, self.bastion, self.config, cancel=cancel)  # quietly, as Packer
                self._start_tunnels()
            return self._conn.transport

    def _start_tunnels(self) -> None:
        """ssh_remote_tunnels on every new connection; ssh_local_tunnels once (they follow reconnects)."""
        assert self._conn is not None
        for spec in self.config.ssh_remote_tunnels:
            tunnel = Tunnel.parse(spec)
            try:
                start_remote_tunnel(self._conn.transport, tunnel)
            except (paramiko.SSHException, OSError) as exc:
                raise RemoteCommandError(f"{self}: the server refused ssh_remote_tunnels {spec!r} ({exc}); "
                                         "sshd needs AllowTcpForwarding yes") from None
        if self.config.ssh_local_tunnels and not self._local_tunnels:
            for spec in self.config.ssh_local_tunnels:
                try:
                    self._local_tunnels.append(LocalTunnel(Tunnel.parse(spec), self.transport))
                except OSError as exc:
                    raise RemoteCommandError(f"ssh_local_tunnels {spec!r}: cannot listen on 127.0.0.1: {exc}") from None

    def _session(self, cancel: threading.Event | None) -> paramiko.Channel:
        for attempt in (1, 2):
            transport = self.transport(cancel)
            try:
                return transport.open_session(timeout=30)
            except _LOST as exc:
                if attempt == 2:
                    raise ConnectionLost(f"{self}: cannot open a session: {exc or type(exc).__name__}") from None
                with self._lock:  # a half-dead connection: start over once
                    if self._conn is not None and self._conn.transport is transport:
                        self._drop()
        raise AssertionError("unreachable")

    def sftp(self) -> paramiko.SFTPClient:
        """The connection's SFTP client, opened on first use and reopened when it closed."""
        with self._lock:
            if self._sftp is None or self._sftp.sock.closed:
                transport = self.transport()
                try:
                    client = paramiko.SFTPClient.from_transport(
                        transport, window_size=WINDOW_SIZE, max_packet_size=MAX_PACKET
                    )
                except _LOST as exc:
                    raise RemoteCommandError(f"{self}: the SFTP subsystem is not available ({exc}); "
                                             'use ssh_file_transfer_method = "scp"') from None
                if client is None:
                    raise RemoteCommandError(f"{self}: could not start SFTP")
                self._sftp = client
            return self._sftp

    def close(self) -> None:
        with self._lock:
            self._drop()
            for tunnel in self._local_tunnels:
                tunnel.close()
            self._local_tunnels.clear()

    def _guard(self, what: str, fn: Callable[[], T]) -> T:
        """Run a transfer; a dropped connection becomes a RemoteCommandError naming the host."""
        try:
            return fn()
        except (FileNotFoundError, PermissionError, NotADirectoryError, RemoteCommandError) as exc:
            if str(self.target) in str(exc):
                raise
            raise type(exc)(f"{self}: {exc}") from None  # name the host
        except _LOST as exc:
            alive = self._conn is not None and self._conn.active
            if alive and not isinstance(exc, (EOFError, ConnectionError, TimeoutError)):
                raise RemoteCommandError(f"{self}: {what}: {exc or type(exc).__name__}") from None  # e.g. SFTP refused
            raise ConnectionLost(f"{self}: connection lost while {what}: {exc or type(exc).__name__}") from None

    # ---------------------------------------------------------------------------------- commands

    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        chan = self._session(cancel)
        try:
            if self.config.ssh_pty:
                chan.get_pty(term="xterm", width=80, height=40)
            if self.config.ssh_agent_auth and not self.config.ssh_disable_agent_forwarding:
                paramiko.agent.AgentRequestHandler(chan)
            chan.exec_command(command)
        except _LOST as exc:
            chan.close()
            raise ConnectionLost(f"{self}: cannot start {command!r}: {exc}") from None
        _RUNNING.add(chan)
        if stdin is not None:
            threading.Thread(target=_feed, args=(chan, stdin), daemon=True).start()
        else:
            chan.shutdown_write()
        try:
            return self._pump(chan, command, stdout, stderr, cancel)
        finally:
            _RUNNING.discard(chan)
            chan.close()

    def _pump(self, chan: paramiko.Channel, command: str, stdout: OutputHandler | None,
              stderr: OutputHandler | None, cancel: threading.Event | None) -> int:
        limit = self.config.seconds("ssh_read_write_timeout")
        deadline = time.monotonic() + limit if limit > 0 else None
        while True:
            if chan.eof_received:
                chan.status_event.wait(0.1)
            else:
                select.select([chan], [], [], 0.1)
            _drain(chan, stdout, stderr)
            # exit-status is not subject to the window, so it can overtake output: wait for EOF as well
            if chan.exit_status_ready() and (chan.eof_received or chan.closed):
                _drain(chan, stdout, stderr)
                status = chan.recv_exit_status()
                if status == -1 and _connection_lost(chan):  # closed without exit-status or exit-signal
                    raise ConnectionLost(f"{self}: connection lost while running {command!r} "
                                         "(the machine rebooted or sshd stopped?)")
                return status
            if cancel is not None and cancel.is_set():
                _signal(chan, "TERM")
                chan.status_event.wait(1.0)
                raise Cancelled(f"remote command interrupted: {command}")
            if deadline is not None and time.monotonic() > deadline:
                _signal(chan, "KILL")
                raise RemoteCommandError(f"{self}: {command!r} did not finish within "
                                         f"{format_duration(limit)} (ssh_read_write_timeout)")

    # ------------------------------------------------------------------------------------- files

    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        if self.config.ssh_file_transfer_method == "sftp":
            self._guard(f"uploading {dst}", lambda: sftp_upload(self.sftp(), dst, src, mode))
        else:
            self._guard(f"uploading {dst}", lambda: scp_upload(self.transport(), dst, src, mode, size))

    def download(self, src: str, dst: BinaryIO) -> None:
        if self.config.ssh_file_transfer_method == "sftp":
            self._guard(f"downloading {src}", lambda: sftp_download(self.sftp(), src, dst))
        else:
            self._guard(f"downloading {src}", lambda: scp_download(self.transport(), src, dst))

    def remote_has_tar(self) -> bool:
        """Whether directories can stream as one tar (probed once per connection)."""
        if not self.use_tar:
            return False
        if self._has_tar is None:
            chan = exec_channel(self.transport(), "command -v tar >/dev/null 2>&1")
            chan.shutdown_write()
            self._has_tar = chan.recv_exit_status() == 0
            chan.close()
        return self._has_tar

    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        what = f"uploading a directory to {dst}"
        if not self._guard(what, self.remote_has_tar):
            self._guard(what, lambda: sftp_upload_tar(self.sftp(), dst, tar_stream))
            return
        path = shell_path(dst)

        def go() -> None:
            chan = exec_channel(self.transport(), f"mkdir -p {path} && tar -x -o -f - -C {path}")
            send_stream(chan, tar_stream)
            finish(chan, what)

        self._guard(what, go)

    def download_tar(self, src: str) -> Iterator[bytes]:
        what = f"downloading {src}"
        if not self._guard(what, self.remote_has_tar):
            if has_glob(src):
                raise RemoteCommandError(f"{self}: {what}: downloading a glob needs tar on the remote machine")
            return self._guard(what, lambda: iter_sftp_tar(self.sftp(), src))
        root, contents_only = split_trailing_slash(src)
        parent, _, base = root.rpartition("/")
        parent_dir = shell_path(parent or ("/" if root.startswith("/") else "."))
        if has_glob(base) and not contents_only:  # every match, each under its own name
            command = (f'cd {parent_dir} || exit 66; set -- {shell_glob(base)}; [ -e "$1" ] || exit 66; '
                       'tar -cf - -- "$@"')
            chan = self._guard(what, lambda: exec_channel(self.transport(), command))
            return self._tar_chunks(chan, src, what)
        if contents_only:
            command = f"tar -C {shell_path(root)} -cf - ."
        else:
            command = f"tar -C {parent_dir} -cf - {shell_path(base)}"
        chan = self._guard(what, lambda: exec_channel(
            self.transport(), f"[ -d {shell_path(root)} ] || exit 66; {command}"))
        return self._tar_chunks(chan, src, what)

    def _tar_chunks(self, chan: paramiko.Channel, src: str, what: str) -> Iterator[bytes]:
        try:
            chan.shutdown_write()
            while True:
                data = self._guard(what, lambda: chan.recv(CHUNK_SIZE))
                if not data:
                    break
                yield data
            status = chan.recv_exit_status()
            if status == 66:
                raise FileNotFoundError(f"{self}: {what}: no such remote directory (or nothing matches)")
            if status != 0:
                err = chan.recv_stderr(65536).decode(errors="replace").strip()
                raise RemoteCommandError(f"{self}: {what}: tar failed: {err or f'exit status {status}'}")
        finally:
            chan.close()

    # ---------------------------------------------------------------------------------- cleanup

    def clear_authorized_keys(self, public_key: str) -> None:
        """Remove ``public_key``'s line from ~/.ssh/authorized_keys (Packer's ssh_clear_authorized_keys)."""
        parts = public_key.split()
        body = parts[1] if len(parts) > 1 else public_key
        f = '"$HOME"/.ssh/authorized_keys'
        script = (f"[ -f {f} ] || exit 0; grep -vF {shell_path(body)} {f} > {f}.kiln; "
                  f"cat {f}.kiln > {f}; rm -f {f}.kiln")
        err: list[bytes] = []
        status = self.run(script, stderr=err.append)
        if status != 0:
            raise RemoteCommandError(f"{self}: could not clear the temporary key from authorized_keys: "
                                     f"{b''.join(err).decode(errors='replace').strip()}")


def _drain(chan: paramiko.Channel, stdout: OutputHandler | None, stderr: OutputHandler | None) -> None:
    while chan.recv_ready():
        data = chan.recv(65536)
        if not data:
            break
        if stdout is not None:
            stdout(data)
    while chan.recv_stderr_ready():
        data = chan.recv_stderr(65536)
        if not data:
            break
        if stderr is not None:
            stderr(data)


def _connection_lost(chan: paramiko.Channel) -> bool:
    """A channel closed without an exit status: did the whole connection go (or just the command)?"""
    transport = chan.get_transport()
    for _ in range(20):
        if transport is None or not transport.is_active():
            return True
        time.sleep(0.05)
    return False


def _feed(chan: paramiko.Channel, stdin: BinaryIO) -> None:
    try:
        send_stream(chan, stdin)
        chan.shutdown_write()
    except _LOST:
        pass


_RUNNING: weakref.WeakSet[paramiko.Channel] = weakref.WeakSet()
"""Channels running a command: when this plugin process ends (its core gone), their commands are killed
(sshd does not stop a command whose connection dropped: it would run on, an orphan on the machine)."""


def _kill_running() -> None:
    for chan in list(_RUNNING):
        _signal(chan, "KILL")


on_kill_all(_kill_running)


def _signal(chan: paramiko.Channel, name: str) -> None:
    """Send an SSH ``signal`` channel request (RFC 4254 6.9), honoured by OpenSSH >= 7.9."""
    transport = chan.get_transport()
    if transport is None or not transport.is_active() or chan.closed:
        return
    msg = paramiko.Message()
    msg.add_byte(cMSG_CHANNEL_REQUEST)
    msg.add_int(chan.remote_chanid)
    msg.add_string("signal")
    msg.add_boolean(False)
    msg.add_string(name)
    try:
        transport._send_user_message(msg)  # type: ignore[attr-defined]  # paramiko has no public API for signal requests
    except _LOST:
        pass
