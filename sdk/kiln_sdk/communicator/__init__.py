"""Communicators: how provisioners reach the machine a builder launched."""

from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError

__all__ = ["Communicator", "OutputHandler", "RemoteCommandError"]
