"""A SOCKS5 client handshake (RFC 1928, with RFC 1929 username/password) for Packer's ssh_proxy_*."""

from __future__ import annotations

import ipaddress
import socket
import struct

_REPLIES = {
    1: "general SOCKS server failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
    4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
    8: "address type not supported",
}


class SocksError(OSError):
    """The SOCKS5 proxy refused or failed the connection."""


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SocksError("the SOCKS proxy closed the connection")
        data += chunk
    return data


def socks5_connect(sock: socket.socket, host: str, port: int, username: str = "", password: str = "") -> None:
    """Ask the SOCKS5 proxy connected on ``sock`` to connect to ``host:port``; raise SocksError if refused."""
    methods = b"\x00\x02" if username else b"\x00"
    sock.sendall(b"\x05" + bytes([len(methods)]) + methods)
    version, method = _recv_exact(sock, 2)
    if version != 5 or method == 0xFF:
        raise SocksError("the SOCKS proxy accepts none of our authentication methods (set ssh_proxy_username?)")
    if method == 2:
        user, pw = username.encode(), password.encode()
        sock.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(pw)]) + pw)
        if _recv_exact(sock, 2)[1] != 0:
            raise SocksError("the SOCKS proxy rejected ssh_proxy_username/ssh_proxy_password")
    try:
        ip = ipaddress.ip_address(host)
        addr = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
    except ValueError:
        name = host.encode("idna")
        addr = b"\x03" + bytes([len(name)]) + name
    sock.sendall(b"\x05\x01\x00" + addr + struct.pack(">H", port))
    _, reply, _, atyp = _recv_exact(sock, 4)
    if reply != 0:
        raise SocksError(f"the SOCKS proxy could not connect to {host}:{port}: {_REPLIES.get(reply, reply)}")
    length = {1: 4, 4: 16}.get(atyp)
    if length is None:
        length = _recv_exact(sock, 1)[0]
    _recv_exact(sock, length + 2)  # the bound address and port
