"""ssh_proxy_*: connecting through a SOCKS5 proxy (a small real one, run by the test on loopback)."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from kiln_sdk.communicator.ssh_connect import SSHConnectError

from tests.sshd_fixture import SSHServer


class Socks5Server:
    """A minimal SOCKS5 server (CONNECT, username/password auth) that records where it connected."""

    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.connected: list[tuple[str, int]] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, c: socket.socket) -> None:
        def exact(n: int) -> bytes:
            data = b""
            while len(data) < n:
                chunk = c.recv(n - len(data))
                if not chunk:
                    raise OSError("closed")
                data += chunk
            return data

        try:
            _, n = exact(2)
            if 2 not in exact(n):
                c.sendall(b"\x05\xff")
                return
            c.sendall(b"\x05\x02")
            exact(1)
            user = exact(exact(1)[0]).decode()
            pw = exact(exact(1)[0]).decode()
            if (user, pw) != (self.username, self.password):
                c.sendall(b"\x01\x01")
                return
            c.sendall(b"\x01\x00")
            _, _, _, atyp = exact(4)
            host = socket.inet_ntoa(exact(4)) if atyp == 1 else exact(exact(1)[0]).decode()
            port = struct.unpack(">H", exact(2))[0]
            upstream = socket.create_connection((host, port))
            self.connected.append((host, port))
            c.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack(">H", 0))
        except OSError:
            c.close()
            return
        for a, b in ((c, upstream), (upstream, c)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self.sock.close()


def _pipe(a: socket.socket, b: socket.socket) -> None:
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def proxy() -> Iterator[Socks5Server]:
    server = Socks5Server("kiln", "s3cret")
    yield server
    server.close()


def test_connect_through_a_socks5_proxy(sshd: SSHServer, proxy: Socks5Server) -> None:
    comm = sshd.config(ssh_host="localhost", ssh_proxy_host="127.0.0.1", ssh_proxy_port=proxy.port,
                       ssh_proxy_username="kiln", ssh_proxy_password="s3cret").open_communicator()
    assert comm is not None
    out: list[bytes] = []
    assert comm.run("echo proxied", stdout=out.append) == 0 and out == [b"proxied\n"]
    assert proxy.connected == [("localhost", sshd.port)]  # the proxy resolved the name
    comm.close()


def test_wrong_proxy_password(sshd: SSHServer, proxy: Socks5Server) -> None:
    cfg = sshd.config(ssh_proxy_host="127.0.0.1", ssh_proxy_port=proxy.port, ssh_proxy_username="kiln",
                      ssh_proxy_password="nope", ssh_timeout="1s")
    with pytest.raises(SSHConnectError, match=rf"via SOCKS proxy 127.0.0.1:{proxy.port}: the SOCKS proxy rejected"):
        cfg.open_communicator()
