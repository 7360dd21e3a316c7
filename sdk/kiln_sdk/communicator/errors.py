"""Errors a communicator raises besides ``RemoteCommandError`` (defined with the interface)."""

from __future__ import annotations

from kiln_sdk.communicator.base import RemoteCommandError


class ConnectionLost(RemoteCommandError):
    """The connection to the machine dropped (e.g. it rebooted). The next call reconnects.

    Provisioners with ``expect_disconnect`` treat it as Packer's disconnect exit status (2300218).
    """
