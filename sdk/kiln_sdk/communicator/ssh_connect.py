"""Opening an authenticated paramiko Transport, optionally through a bastion, retrying until ssh_timeout.

Every error names ``user@host:port`` and says what to check. Refused, timed-out, reset and unresolved
connections are retried until ``ssh_timeout`` (a machine that is still booting); a rejected key or
password is retried ``ssh_handshake_attempts`` times; a host key mismatch fails at once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import paramiko

from kiln_sdk.communicator.base import RemoteCommandError
from kiln_sdk.communicator.socks import socks5_connect
from kiln_sdk.communicator.ssh_config import SSHConfig
from kiln_sdk.communicator.ssh_keys import load_private_key
from kiln_sdk.diagnostics import Cancelled
from kiln_sdk.duration import format_duration

WINDOW_SIZE = 16 * 1024 * 1024
MAX_PACKET = 32768
# AEAD ciphers first: no separate HMAC pass per packet, markedly faster in paramiko.
_FAST_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr")


class SSHConnectError(RemoteCommandError):
    """SSH could not be reached or did not let us in (the message names the host and the fix)."""


class SSHAuthError(SSHConnectError):
    """The server rejected every key and password we offered."""


class SSHHostKeyError(SSHConnectError):
    """The server's host key is unknown or differs from ssh_known_hosts_file."""


class _Retry(Exception):
    """A failure worth retrying until the deadline (the machine may still be booting)."""


@dataclass
class Endpoint:
    host: str
    port: int
    username: str
    password: str = ""
    keys: list[paramiko.PKey] = field(default_factory=list)
    agent: bool = False

    def __str__(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"


def endpoints(
    cfg: SSHConfig, host: str | None, port: int | None, extra_keys: list[paramiko.PKey] | None
) -> tuple[Endpoint, Endpoint | None]:
    """The target (and bastion, if any) described by ``cfg``; ``host``/``port`` override ssh_host/port."""
    keys = list(extra_keys or [])
    if cfg.ssh_private_key_file:
        key = load_private_key(os.path.expanduser(cfg.ssh_private_key_file))
        if cfg.ssh_certificate_file:
            try:
                key.load_certificate(os.path.expanduser(cfg.ssh_certificate_file))
            except (OSError, ValueError) as exc:
                raise SSHConnectError(f"ssh_certificate_file {cfg.ssh_certificate_file}: {exc}") from None
        keys.append(key)
    target = Endpoint(host or cfg.ssh_host, port or cfg.ssh_port, cfg.ssh_username, cfg.ssh_password, keys,
                      cfg.ssh_agent_auth)
    if not target.host:
        raise SSHConnectError("ssh: no host to connect to: set ssh_host (or the builder must provide one)")
    bastion = None
    if cfg.ssh_bastion_host:
        bkeys = []
        key_file = cfg.ssh_bastion_private_key_file or cfg.ssh_private_key_file  # Packer's default
        if key_file:
            bkeys.append(load_private_key(os.path.expanduser(key_file)))
        bastion = Endpoint(cfg.ssh_bastion_host, cfg.ssh_bastion_port, cfg.ssh_bastion_username or cfg.ssh_username,
                           cfg.ssh_bastion_password, bkeys, cfg.ssh_bastion_agent_auth)
    return target, bastion


def _socket(ep: Endpoint, timeout: float, cfg: SSHConfig) -> socket.socket:
    """A TCP connection to ``ep`` (through the SOCKS5 proxy ssh_proxy_host, if set)."""
    proxy = cfg.ssh_proxy_host
    hop = (proxy, cfg.ssh_proxy_port) if proxy else (ep.host, ep.port)
    what = f"SOCKS proxy {proxy}:{cfg.ssh_proxy_port}" if proxy else f"{ep.host}:{ep.port}"
    try:
        sock = socket.create_connection(hop, timeout=timeout)
    except socket.gaierror as exc:
        name = "ssh_proxy_host" if proxy else "ssh_host"
        raise _Retry(f"unknown host {hop[0]!r} ({exc.strerror}); check {name}") from None
    except ConnectionRefusedError:
        raise _Retry(f"connection refused by {what} (is it running and listening there?)") from None
    except TimeoutError:
        raise _Retry(f"no answer from {what} within {timeout:g}s (firewall? wrong address?)") from None
    except OSError as exc:
        raise _Retry(f"cannot reach {what}: {exc.strerror or exc}") from None
    if proxy:
        try:
            socks5_connect(sock, ep.host, ep.port, cfg.ssh_proxy_username, cfg.ssh_proxy_password)
        except OSError as exc:
            sock.close()
            raise _Retry(f"via {what}: {exc}") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _tcp_keepalive(sock, keep_alive_seconds(cfg))
    return sock


def keep_alive_seconds(cfg: SSHConfig) -> float:
    """ssh_keep_alive_interval as Packer reads it: 0 means the default 5s, negative disables."""
    interval = cfg.seconds("ssh_keep_alive_interval")
    return 5.0 if interval == 0 else max(interval, 0.0)


def _tcp_keepalive(sock: socket.socket, interval: float) -> None:
    """Let the kernel drop a peer that vanished (a VM powered off): after ~4 silent intervals.

    paramiko's own keep-alive sends packets but never waits for answers, so alone it cannot notice.
    """
    if interval <= 0:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    secs = max(1, int(interval))
    for name, value in (("TCP_KEEPIDLE", secs), ("TCP_KEEPINTVL", secs), ("TCP_KEEPCNT", 3)):
        option = getattr(socket, name, None)
        if option is not None:
            sock.setsockopt(socket.IPPROTO_TCP, option, value)


def _check_host_key(transport: paramiko.Transport, ep: Endpoint, known_hosts: str) -> str:
    key = transport.get_remote_server_key()
    fingerprint = f"{key.get_name()} SHA256:{key.fingerprint.split(':', 1)[-1]}"
    if not known_hosts:
        return fingerprint  # Packer accepts any host key: the machine was just created
    hosts = paramiko.HostKeys(os.path.expanduser(known_hosts))
    name = ep.host if ep.port == 22 else f"[{ep.host}]:{ep.port}"
    entry = hosts.lookup(name)
    if entry is None or key.get_name() not in entry:
        raise SSHHostKeyError(f"ssh {ep}: host key {fingerprint} is not in {known_hosts}; add it "
                              f"(ssh-keyscan -p {ep.port} {ep.host} >> {known_hosts}) or unset ssh_known_hosts_file")
    if entry[key.get_name()] != key:
        raise SSHHostKeyError(f"ssh {ep}: HOST KEY MISMATCH: the server presented {fingerprint}, which differs from "
                              f"the key recorded in {known_hosts}; someone may be intercepting the connection")
    return fingerprint


def _authenticate(transport: paramiko.Transport, ep: Endpoint) -> None:
    keys = list(ep.keys)
    if ep.agent:
        keys.extend(paramiko.Agent().get_keys())
    if not keys and not ep.password:
        raise SSHAuthError(f"ssh {ep}: no way to authenticate: set ssh_password, ssh_private_key_file "
                           "or ssh_agent_auth")
    tried: list[str] = []
    for key in keys:
        try:
            transport.auth_publickey(ep.username, key)
            return
        except paramiko.AuthenticationException:
            tried.append(f"{key.get_name()} key {key.fingerprint}")
    if ep.password:
        try:
            transport.auth_password(ep.username, ep.password)
            return
        except paramiko.BadAuthenticationType as exc:
            if "keyboard-interactive" not in exc.allowed_types:
                tried.append("password (not allowed by the server)")
            else:
                try:
                    transport.auth_interactive(ep.username, lambda _t, _i, prompts: [ep.password] * len(prompts))
                    return
                except paramiko.AuthenticationException:
                    tried.append("keyboard-interactive password")
        except paramiko.AuthenticationException:
            tried.append("password")
    raise SSHAuthError(f"ssh {ep}: authentication failed (tried {', '.join(tried)}); check ssh_username, "
                       "ssh_password and ssh_private_key_file")


def _handshake(ep: Endpoint, sock: socket.socket | paramiko.Channel, cfg: SSHConfig, timeout: float
               ) -> tuple[paramiko.Transport, str]:
    transport = paramiko.Transport(sock, default_window_size=WINDOW_SIZE, default_max_packet_size=MAX_PACKET)
    opts = transport.get_security_options()
    if cfg.ssh_ciphers:
        opts.ciphers = tuple(cfg.ssh_ciphers)
    else:
        available = tuple(c for c in _FAST_CIPHERS if c in opts.ciphers)
        opts.ciphers = available + tuple(c for c in opts.ciphers if c not in available)
    if cfg.ssh_key_exchange_algorithms:
        opts.kex = tuple(cfg.ssh_key_exchange_algorithms)
    try:
        transport.start_client(timeout=timeout)
        fingerprint = _check_host_key(transport, ep, cfg.ssh_known_hosts_file)
        _authenticate(transport, ep)
    except SSHConnectError:
        transport.close()
        raise
    except (paramiko.SSHException, EOFError, OSError) as exc:
        transport.close()
        raise _Retry(f"SSH handshake with {ep.host}:{ep.port} failed: {exc or type(exc).__name__}") from None
    keepalive = keep_alive_seconds(cfg)
    if keepalive > 0:
        transport.set_keepalive(max(1, int(keepalive)))
    return transport, fingerprint


@dataclass
class Connection:
    transport: paramiko.Transport
    target: Endpoint
    host_key: str
    bastion: paramiko.Transport | None = None

    def close(self) -> None:
        self.transport.close()
        if self.bastion is not None:
            self.bastion.close()

    @property
    def active(self) -> bool:
        return self.transport.is_active()


def _attempt(target: Endpoint, bastion: Endpoint | None, cfg: SSHConfig, timeout: float) -> Connection:
    if bastion is None:
        transport, fp = _handshake(target, _socket(target, timeout, cfg), cfg, timeout)
        return Connection(transport, target, fp)
    hop, _ = _handshake(bastion, _socket(bastion, timeout, cfg), cfg, timeout)
    try:
        chan = hop.open_channel("direct-tcpip", (target.host, target.port), ("127.0.0.1", 0), timeout=timeout)
    except (paramiko.SSHException, OSError) as exc:
        hop.close()
        raise _Retry(f"bastion {bastion} could not open a connection to {target.host}:{target.port}: {exc}") from None
    try:
        transport, fp = _handshake(target, chan, cfg, timeout)
    except BaseException:
        hop.close()
        raise
    return Connection(transport, target, fp, hop)


def connect(
    target: Endpoint,
    bastion: Endpoint | None,
    cfg: SSHConfig,
    *,
    cancel: threading.Event | None = None,
    timeout: float | None = None,
    say: Callable[[str], None] | None = None,
) -> Connection:
    """Connect, retrying until ``timeout`` (default ssh_timeout); raise SSHConnectError naming the host."""
    total = cfg.seconds("ssh_timeout") if timeout is None else timeout
    deadline = time.monotonic() + total
    auth_failures = 0
    delay = 0.25
    if say is not None:
        say("Waiting for SSH to become available...")
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"cancelled while waiting for SSH on {target}")
        remaining = max(1.0, deadline - time.monotonic())
        try:
            return _attempt(target, bastion, cfg, min(remaining, 30.0))
        except SSHAuthError:
            auth_failures += 1
            if auth_failures >= cfg.ssh_handshake_attempts:
                raise
            last = "authentication failed"
        except _Retry as exc:
            last = str(exc)
        if time.monotonic() + delay > deadline:
            via = f" via bastion {bastion}" if bastion else ""
            raise SSHConnectError(f"ssh {target}{via}: timeout after {format_duration(total)} (ssh_timeout) "
                                  f"waiting for SSH: {last}")
        if cancel is not None:
            if cancel.wait(delay):
                raise Cancelled(f"cancelled while waiting for SSH on {target}")
        else:
            time.sleep(delay)
        delay = min(delay * 2, 2.0)
