"""Packer's ssh_local_tunnels and ssh_remote_tunnels (``port:host:hostport``), over the live transport.

- local ``8080:web:80``: this machine listens on 127.0.0.1:8080; connections go through SSH to web:80
  as the remote machine sees it.
- remote ``8080:proxy:3128``: the remote machine listens on its 127.0.0.1:8080; connections come back
  through SSH to proxy:3128 as this machine sees it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

import paramiko


@dataclass(frozen=True)
class Tunnel:
    port: int
    host: str
    host_port: int

    @classmethod
    def parse(cls, spec: str) -> Tunnel:
        parts = spec.split(":")
        if len(parts) != 3 or not parts[1] or not parts[0].isdigit() or not parts[2].isdigit():
            raise ValueError(f'"{spec}" is not a tunnel: use "port:host:hostport", e.g. "8080:localhost:80"')
        port, host_port = int(parts[0]), int(parts[2])
        if not (0 < port < 65536 and 0 < host_port < 65536):
            raise ValueError(f'"{spec}": ports must be between 1 and 65535')
        return cls(port, parts[1], host_port)


def _pipe(a: socket.socket | paramiko.Channel, b: socket.socket | paramiko.Channel) -> None:
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except (OSError, EOFError, paramiko.SSHException):
        pass
    finally:
        for end in (a, b):
            try:
                end.close()
            except (OSError, EOFError):
                pass


def _join(a: socket.socket | paramiko.Channel, b: socket.socket | paramiko.Channel) -> None:
    threading.Thread(target=_pipe, args=(a, b), daemon=True).start()
    threading.Thread(target=_pipe, args=(b, a), daemon=True).start()


class LocalTunnel:
    """Listen on 127.0.0.1:port here; forward each connection through ``transport()``."""

    def __init__(self, tunnel: Tunnel, transport: Callable[[], paramiko.Transport]) -> None:
        self.tunnel = tunnel
        self._transport = transport
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", tunnel.port))
        self._sock.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, addr = self._sock.accept()
            except OSError:
                return
            try:
                chan = self._transport().open_channel(
                    "direct-tcpip", (self.tunnel.host, self.tunnel.host_port), addr, timeout=30)
            except (OSError, EOFError, paramiko.SSHException):
                client.close()
                continue
            _join(client, chan)

    def close(self) -> None:
        self._sock.close()


def start_remote_tunnel(transport: paramiko.Transport, tunnel: Tunnel) -> None:
    """Ask the server to listen on its 127.0.0.1:port and send connections back to host:hostport here."""

    def handler(chan: paramiko.Channel, origin: tuple[str, int], server: tuple[str, int]) -> None:
        try:
            sock = socket.create_connection((tunnel.host, tunnel.host_port), timeout=30)
        except OSError:
            chan.close()
            return
        _join(sock, chan)

    transport.request_port_forward("127.0.0.1", tunnel.port, handler)
