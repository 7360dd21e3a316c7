"""Communicators: how provisioners reach the machine a builder launched."""

from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError
from kiln_sdk.communicator.errors import ConnectionLost

# SSH lives in kiln_sdk.communicator.ssh / .ssh_config (imported on demand: paramiko is heavy).
__all__ = ["Communicator", "ConnectionLost", "OutputHandler", "RemoteCommandError"]
