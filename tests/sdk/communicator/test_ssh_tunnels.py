"""ssh_local_tunnels and ssh_remote_tunnels through a real sshd."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from kiln_sdk.communicator.ssh_config import CommunicatorConfig
from kiln_sdk.communicator.ssh_tunnels import Tunnel
from kiln_sdk.diagnostics import ConfigError

from tests.sshd_fixture import SSHServer, free_port


@pytest.fixture
def upper_server() -> Iterator[int]:
    """A TCP service on loopback that answers each line in upper case."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(1024)
                conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    yield sock.getsockname()[1]
    sock.close()


def test_local_tunnel(sshd: SSHServer, upper_server: int) -> None:
    port = free_port()
    comm = sshd.config(ssh_local_tunnels=[f"{port}:127.0.0.1:{upper_server}"]).open_communicator()
    assert comm is not None
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"through the local tunnel\n")
        assert s.recv(1024) == b"THROUGH THE LOCAL TUNNEL\n"
    comm.close()


def test_remote_tunnel(sshd: SSHServer, upper_server: int) -> None:
    port = free_port()
    comm = sshd.config(ssh_remote_tunnels=[f"{port}:127.0.0.1:{upper_server}"]).open_communicator()
    assert comm is not None
    out: list[bytes] = []
    script = (f"import socket; s = socket.create_connection(('127.0.0.1', {port})); "
              "s.sendall(b'from the machine\\n'); print(s.recv(1024).decode(), end='')")
    assert comm.run(f'python3 -c "{script}"', stdout=out.append) == 0
    assert b"".join(out) == b"FROM THE MACHINE\n"
    comm.close()


def test_bad_tunnel_specs() -> None:
    with pytest.raises(ValueError, match="port:host:hostport"):
        Tunnel.parse("8080:localhost")
    cfg = CommunicatorConfig(ssh_username="u", ssh_local_tunnels=["x:y:z"], ssh_remote_tunnels=["1:h:70000"])
    with pytest.raises(ConfigError) as info:
        cfg.validate_communicator()
    assert {d.path for d in info.value.diagnostics} == {("ssh_local_tunnels", "0"), ("ssh_remote_tunnels", "0")}
