"""The handshake between the core and a plugin process (go-plugin's form).

The core sets ``MAGIC_COOKIE_KEY=MAGIC_COOKIE_VALUE`` in the plugin's environment; the plugin answers
with one stdout line ``CORE|APP|unix|ADDRESS|grpc`` once it serves gRPC on ``ADDRESS``.
"""

from __future__ import annotations

from dataclasses import dataclass

MAGIC_COOKIE_KEY = "KILN_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d1b2c54a0e7f4c1f9a4f1e5b6c3d2a10-kiln-plugin"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 1  # the major of proto/kiln/plugin/v1
PROTOCOL_MINOR = 0  # the minor of proto/kiln/plugin/v1 this SDK implements
CAPABILITY_INSTANCES = "instances"
"""The process serves many component instances at once (else the core starts one process per instance)."""
CAPABILITIES: tuple[str, ...] = (CAPABILITY_INSTANCES,)
"""What this SDK's plugins announce in GetInfo."""


class HandshakeError(Exception):
    """The plugin's first stdout line is not a handshake this core understands."""


@dataclass(frozen=True)
class Handshake:
    core_version: int
    app_version: int
    network: str
    address: str
    protocol: str

    def line(self) -> str:
        return f"{self.core_version}|{self.app_version}|{self.network}|{self.address}|{self.protocol}"

    @property
    def target(self) -> str:
        """The gRPC target string for this address."""
        return f"unix:{self.address}" if self.network == "unix" else self.address


def handshake_for(socket_path: str) -> Handshake:
    return Handshake(CORE_PROTOCOL_VERSION, APP_PROTOCOL_VERSION, "unix", socket_path, "grpc")


def parse(line: str) -> Handshake:
    """Parse a handshake line; every mismatch says what it means for the user."""
    text = line.strip()
    parts = text.split("|")
    if len(parts) != 5:
        raise HandshakeError(
            f"unrecognised handshake line {text[:200]!r}: expected CORE|APP|NETWORK|ADDRESS|PROTOCOL. "
            "This usually means the executable is not a kiln plugin, or it printed to stdout before its handshake."
        )
    core, app, network, address, protocol = parts
    try:
        core_v, app_v = int(core), int(app)
    except ValueError:
        raise HandshakeError(f"unrecognised handshake line {text[:200]!r}: protocol versions must be numbers") from None
    if core_v != CORE_PROTOCOL_VERSION:
        raise HandshakeError(
            f"speaks core protocol {core_v}, this kiln speaks {CORE_PROTOCOL_VERSION}: "
            "upgrade kiln or install a plugin version built for it"
        )
    if app_v != APP_PROTOCOL_VERSION:
        raise HandshakeError(
            f"speaks plugin protocol v{app_v}, this kiln speaks v{APP_PROTOCOL_VERSION}: install a version of the "
            f"plugin built for protocol v{APP_PROTOCOL_VERSION} (or a kiln that speaks v{app_v})"
        )
    if network not in ("unix", "tcp"):
        raise HandshakeError(f"the plugin offers network {network!r}; only unix and tcp are supported")
    if protocol != "grpc":
        raise HandshakeError(f"the plugin speaks {protocol!r}; kiln plugins must speak grpc")
    return Handshake(core_v, app_v, network, address, protocol)
