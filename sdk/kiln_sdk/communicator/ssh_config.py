"""Packer's communicator settings as config dataclasses a builder's ``Config`` inherits from.

    @dataclass
    class Config(CommunicatorConfig):
        my_setting: str = setting(default="")

    # in prepare():   config.validate_communicator()        (raises ConfigError with attribute paths)
    # in run():       comm = config.open_communicator(host=ip, cancel=ctx.cancel_event)

``communicator`` is ``"ssh"`` (the default, as in Packer) or ``"none"``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiln_sdk.config import setting
from kiln_sdk.diagnostics import ConfigError, Diagnostics
from kiln_sdk.duration import parse_duration

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    import paramiko

    from kiln_sdk.communicator.ssh import SSHCommunicator
    from kiln_sdk.communicator.ssh_keys import KeyPair

COMMUNICATORS = ("ssh", "none")
TRANSFER_METHODS = ("scp", "sftp")
KEY_TYPES = ("ed25519", "rsa", "ecdsa")


@dataclass
class SSHConfig:
    """The ``ssh_*`` settings (Packer's communicator.SSH)."""

    ssh_host: str = setting(default="", doc="The address to SSH to (most builders fill it in).")
    ssh_port: int = setting(default=22, doc="The port to connect to SSH.")
    ssh_username: str = setting(default="", doc="The username to connect to SSH with.")
    ssh_password: str = setting(default="", sensitive=True, doc="A plaintext password to use to authenticate.")
    ssh_private_key_file: str = setting(default="", doc="Path to a PEM/OpenSSH private key file.")
    ssh_timeout: str = setting(default="5m", doc="How long to wait for SSH to become available.")
    ssh_wait_timeout: str = setting(default="", doc="Deprecated alias of ssh_timeout.")
    ssh_certificate_file: str = setting(default="", doc="An SSH certificate for ssh_private_key_file.")
    ssh_ciphers: list[str] = setting(default_factory=list, doc="Allowed ciphers, in order of preference.")
    ssh_key_exchange_algorithms: list[str] = setting(default_factory=list, doc="Allowed key exchanges.")
    ssh_handshake_attempts: int = setting(default=10, doc="Authentication attempts before giving up.")
    ssh_agent_auth: bool = setting(default=False, doc="Authenticate with the local ssh-agent.")
    ssh_disable_agent_forwarding: bool = setting(default=False, doc="Do not forward the ssh-agent.")
    ssh_pty: bool = setting(default=False, doc="Request a pty for commands.")
    ssh_bastion_host: str = setting(default="", doc="A bastion host to hop through.")
    ssh_bastion_port: int = setting(default=22, doc="The bastion's SSH port.")
    ssh_bastion_username: str = setting(default="", doc="Username on the bastion.")
    ssh_bastion_password: str = setting(default="", sensitive=True, doc="Password on the bastion.")
    ssh_bastion_private_key_file: str = setting(default="", doc="Private key file for the bastion.")
    ssh_bastion_agent_auth: bool = setting(default=False, doc="Use the ssh-agent for the bastion.")
    ssh_proxy_host: str = setting(default="", doc="A SOCKS5 proxy to connect through.")
    ssh_proxy_port: int = setting(default=1080, doc="The SOCKS5 proxy's port.")
    ssh_proxy_username: str = setting(default="", doc="Username for the SOCKS5 proxy.")
    ssh_proxy_password: str = setting(default="", sensitive=True, doc="Password for the SOCKS5 proxy.")
    ssh_local_tunnels: list[str] = setting(default_factory=list, doc='Forward "port:host:hostport" from here.')
    ssh_remote_tunnels: list[str] = setting(default_factory=list, doc='Forward "port:host:hostport" from the machine.')
    ssh_keypair_name: str = setting(default="", doc="A key pair the cloud already has (builders that use one).")
    temporary_key_pair_name: str = setting(default="", doc="Name of the generated key pair (builders that upload one).")
    ssh_file_transfer_method: str = setting(default="scp", doc='How files move: "scp" or "sftp".')
    ssh_keep_alive_interval: str = setting(default="5s", doc='Keep-alive interval ("0" disables).')
    ssh_read_write_timeout: str = setting(default="0", doc="Longest a remote command may run (0: no limit).")
    ssh_clear_authorized_keys: bool = setting(default=False, doc="Remove the temporary key at the end.")
    ssh_known_hosts_file: str = setting(
        default="", doc="kiln: verify the host key against this known_hosts file (Packer does not verify)."
    )
    ssh_temporary_key_pair_type: str = setting(default="ed25519", doc='"ed25519", "rsa" or "ecdsa".')
    ssh_temporary_key_pair_bits: int = setting(default=0, doc="Key size for rsa/ecdsa (0: the type's default).")

    def validate_ssh(self, diags: Diagnostics, require_host: bool = False) -> None:
        """Add a diagnostic for every invalid ``ssh_*`` setting."""
        if not self.ssh_username:
            diags.error("An ssh_username must be specified", "Set ssh_username to the login user.", ["ssh_username"])
        if require_host and not self.ssh_host:
            diags.error("An ssh_host must be specified", "Set ssh_host to the address of the machine.", ["ssh_host"])
        for name in ("ssh_port", "ssh_bastion_port", "ssh_proxy_port"):
            port = getattr(self, name)
            if not 0 < port < 65536:
                diags.error(f"Invalid {name}", f"{port} is not a TCP port (1-65535).", [name])
        if self.ssh_handshake_attempts < 1:
            diags.error("Invalid ssh_handshake_attempts", "It must be at least 1.", ["ssh_handshake_attempts"])
        if self.ssh_wait_timeout and self.ssh_timeout == "5m":
            self.ssh_timeout = self.ssh_wait_timeout  # Packer's deprecated name still works
        for name in ("ssh_timeout", "ssh_keep_alive_interval", "ssh_read_write_timeout"):
            try:
                if parse_duration(getattr(self, name)) < 0 and name != "ssh_keep_alive_interval":
                    diags.error(f"Invalid {name}", "A duration cannot be negative.", [name])
            except ValueError as exc:
                diags.error(f"Invalid {name}", f'{exc}: use a number with a unit (ns, us, ms, s, m, h), like "30s", '
                            '"5m" or "1h30m".', [name])
        if self.ssh_file_transfer_method not in TRANSFER_METHODS:
            diags.error(
                f"ssh_file_transfer_method ('{self.ssh_file_transfer_method}') is invalid, valid methods: sftp, scp",
                'Use "scp" (the default) or "sftp".',
                ["ssh_file_transfer_method"],
            )
        if self.ssh_temporary_key_pair_type not in KEY_TYPES:
            diags.error(
                "Invalid ssh_temporary_key_pair_type",
                f'"{self.ssh_temporary_key_pair_type}" is not supported; use one of {", ".join(KEY_TYPES)}.',
                ["ssh_temporary_key_pair_type"],
            )
        for name in ("ssh_private_key_file", "ssh_bastion_private_key_file"):
            self._check_key_file(diags, name)
        self._check_algorithms(diags)
        self._check_tunnels(diags)
        if self.ssh_certificate_file and not os.path.isfile(os.path.expanduser(self.ssh_certificate_file)):
            diags.error("ssh_certificate_file not found", f"{self.ssh_certificate_file}: no such file.",
                        ["ssh_certificate_file"])
        if self.ssh_known_hosts_file and not os.path.isfile(self.ssh_known_hosts_file):
            diags.error("ssh_known_hosts_file not found", f"{self.ssh_known_hosts_file}: no such file.",
                        ["ssh_known_hosts_file"])
        if self.ssh_bastion_host:
            # Packer's defaults: the bastion uses the machine's key file; kiln also defaults its user
            self.ssh_bastion_private_key_file = self.ssh_bastion_private_key_file or self.ssh_private_key_file
            self.ssh_bastion_username = self.ssh_bastion_username or self.ssh_username
            if not (self.ssh_bastion_password or self.ssh_bastion_private_key_file or self.ssh_bastion_agent_auth):
                diags.error(
                    "ssh_bastion_password or ssh_bastion_private_key_file must be specified",
                    "Or set ssh_bastion_agent_auth = true.",
                    ["ssh_bastion_host"],
                )
            if self.ssh_proxy_host:
                diags.error("please specify either ssh_bastion_host or ssh_proxy_host, not both",
                            path=["ssh_proxy_host"])

    def _check_algorithms(self, diags: Diagnostics) -> None:
        import paramiko

        known = {"ssh_ciphers": getattr(paramiko.Transport, "_preferred_ciphers", ()),
                 "ssh_key_exchange_algorithms": getattr(paramiko.Transport, "_preferred_kex", ())}
        for name, supported in known.items():
            for i, algo in enumerate(getattr(self, name)):
                if algo not in supported:
                    diags.error(f"Unsupported algorithm in {name}: {algo}",
                                f"kiln supports: {', '.join(supported)}.", [name, i])

    def _check_tunnels(self, diags: Diagnostics) -> None:
        from kiln_sdk.communicator.ssh_tunnels import Tunnel

        for name in ("ssh_local_tunnels", "ssh_remote_tunnels"):
            for i, spec in enumerate(getattr(self, name)):
                try:
                    Tunnel.parse(spec)
                except ValueError as exc:
                    diags.error(f"Invalid {name}", str(exc), [name, i])

    def _check_key_file(self, diags: Diagnostics, name: str) -> None:
        path = getattr(self, name)
        if not path:
            return
        from kiln_sdk.communicator.ssh_keys import load_private_key

        try:
            load_private_key(os.path.expanduser(path))
        except (OSError, ValueError) as exc:
            diags.error(f"Invalid {name}", str(exc), [name])

    def temporary_key_pair(self, comment: str = "kiln") -> KeyPair:
        """A new key pair of ``ssh_temporary_key_pair_type``/``_bits``, for a builder to inject; connect
        with ``open_communicator(extra_keys=[pair.pkey])``, and when ``ssh_clear_authorized_keys`` is set,
        call ``communicator.clear_authorized_keys(pair.public_key)`` before the image is captured."""
        from kiln_sdk.communicator.ssh_keys import generate_key_pair

        return generate_key_pair(self.ssh_temporary_key_pair_type, self.ssh_temporary_key_pair_bits, comment)

    def seconds(self, name: str) -> float:
        """A duration setting (e.g. ``"ssh_timeout"``) in seconds."""
        return parse_duration(getattr(self, name))


@dataclass
class CommunicatorConfig(SSHConfig):
    """``communicator`` plus the settings of every communicator kiln knows (ssh, none)."""

    communicator: str = setting(default="ssh", doc='How kiln reaches the machine: "ssh" or "none".')
    pause_before_connecting: str = setting(default="0", doc="Wait this long before connecting.")

    def validate_communicator(self, require_host: bool = False, also: tuple[str, ...] = ()) -> None:
        """Raise ConfigError for invalid settings (nothing is checked for ``communicator = "none"``).

        ``also`` names communicators the builder provides itself (e.g. ``("docker",)``).
        """
        diags = Diagnostics()
        if self.communicator not in COMMUNICATORS + also:
            hint = " (winrm is not supported by kiln yet)" if self.communicator == "winrm" else ""
            names = " or ".join(f'"{n}"' for n in COMMUNICATORS + also)
            diags.error("Invalid communicator", f'"{self.communicator}" is not a communicator{hint}; use {names}.',
                        ["communicator"])
        try:
            parse_duration(self.pause_before_connecting)
        except ValueError as exc:
            diags.error("Invalid pause_before_connecting", str(exc), ["pause_before_connecting"])
        if self.communicator == "ssh":
            self.validate_ssh(diags, require_host=require_host)
        diags.raise_if_errors()

    def open_communicator(
        self,
        host: str | None = None,
        *,
        port: int | None = None,
        extra_keys: list[paramiko.PKey] | None = None,
        cancel: threading.Event | None = None,
        say: Callable[[str], None] | None = None,
    ) -> SSHCommunicator | None:
        """Connect as configured (None for ``communicator = "none"``); waits up to ``ssh_timeout``."""
        if self.communicator == "none":
            return None
        if self.communicator != "ssh":
            raise ConfigError(f'communicator "{self.communicator}" is not supported', ["communicator"])
        from kiln_sdk.communicator.ssh import SSHCommunicator

        comm = SSHCommunicator(self, host=host, port=port, extra_keys=extra_keys, say=say)
        comm.connect(cancel=cancel, pause=parse_duration(self.pause_before_connecting))
        return comm
