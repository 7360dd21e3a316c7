"""kiln_sdk: everything a kiln plugin author imports, from this one package.

    from dataclasses import dataclass
    from kiln_sdk import Artifact, Builder, BuildContext, BuildInfo, setting, serve

Every name an author needs is exported here (``__all__``); the submodules are the SDK's own layout, not
an import path for plugins (a plugin imports ``kiln_sdk`` only, and kiln's tests enforce that for the
bundled ones). ``kiln_sdk.testing`` is the one public submodule: the helpers for a plugin's tests.

Heavy parts load on first use: ``serve`` (gRPC), ``SSHCommunicator``, ``KeyPair``,
``generate_key_pair``, ``load_private_key`` (paramiko). Importing ``kiln_sdk`` imports neither.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

from kiln_sdk.artifact import Artifact
from kiln_sdk.common_steps import COMMUNICATOR, HOOK_DATA, StepConnect, StepProvision
from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError
from kiln_sdk.communicator.cancel import CancellableReader, CancellableWriter, cancellable_chunks
from kiln_sdk.communicator.errors import ConnectionLost
from kiln_sdk.communicator.local import LocalCommunicator
from kiln_sdk.communicator.paths import has_glob, shell_path
from kiln_sdk.communicator.remote_cmd import CMD_DISCONNECT, retry, run_with_ui
from kiln_sdk.communicator.ssh_config import CommunicatorConfig, SSHConfig
from kiln_sdk.communicator.tarstream import extract_tar_chunks, stream_from_chunks, tar_local_dir
from kiln_sdk.components import (
    BuildContext,
    Builder,
    BuildInfo,
    Context,
    Datasource,
    Hook,
    PostProcessor,
    PostProcessResult,
    ProvisionContext,
    Provisioner,
)
from kiln_sdk.config import schema_of, setting
from kiln_sdk.diagnostics import BuildError, Cancelled, ConfigError, Diagnostic, Diagnostics, Severity
from kiln_sdk.duration import DurationError, format_duration, parse_duration
from kiln_sdk.interpolate import interpolate_config, packer_funcs, render
from kiln_sdk.journal import Journal, JournalEntry, journal
from kiln_sdk.schema import Attribute, Block, Schema
from kiln_sdk.step import CANCELLED, ERROR, HALTED, Action, StateBag, StateKey, Step, StepRunner
from kiln_sdk.ui import RecordingUi, Ui, UiError

if TYPE_CHECKING:  # the type checker sees the real names; at run time they load on first use
    from kiln_sdk.communicator.ssh import SSHCommunicator
    from kiln_sdk.communicator.ssh_keys import KeyPair, generate_key_pair, load_private_key
    from kiln_sdk.serve import serve

__all__ = [
    "Action",
    "Artifact",
    "Attribute",
    "Block",
    "BuildContext",
    "BuildError",
    "BuildInfo",
    "Builder",
    "CANCELLED",
    "CMD_DISCONNECT",
    "COMMUNICATOR",
    "CancellableReader",
    "CancellableWriter",
    "Cancelled",
    "Communicator",
    "CommunicatorConfig",
    "ConfigError",
    "ConnectionLost",
    "Context",
    "Datasource",
    "Diagnostic",
    "Diagnostics",
    "DurationError",
    "ERROR",
    "HALTED",
    "HOOK_DATA",
    "Hook",
    "Journal",
    "JournalEntry",
    "KeyPair",
    "LocalCommunicator",
    "OutputHandler",
    "PostProcessResult",
    "PostProcessor",
    "ProvisionContext",
    "Provisioner",
    "RecordingUi",
    "RemoteCommandError",
    "SSHCommunicator",
    "SSHConfig",
    "Schema",
    "Severity",
    "StateBag",
    "StateKey",
    "Step",
    "StepConnect",
    "StepProvision",
    "StepRunner",
    "Ui",
    "UiError",
    "cancellable_chunks",
    "extract_tar_chunks",
    "format_duration",
    "generate_key_pair",
    "has_glob",
    "interpolate_config",
    "journal",
    "load_private_key",
    "packer_funcs",
    "parse_duration",
    "render",
    "retry",
    "run_with_ui",
    "schema_of",
    "serve",
    "setting",
    "shell_path",
    "stream_from_chunks",
    "tar_local_dir",
]

# name -> the module that defines it, imported when the name is first used (gRPC, paramiko are heavy)
_LAZY = {
    "KeyPair": "kiln_sdk.communicator.ssh_keys",
    "SSHCommunicator": "kiln_sdk.communicator.ssh",
    "generate_key_pair": "kiln_sdk.communicator.ssh_keys",
    "load_private_key": "kiln_sdk.communicator.ssh_keys",
    "serve": "kiln_sdk.serve",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kiln_sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The package module: importing the submodule ``kiln_sdk.serve`` must not replace the function
    ``kiln_sdk.serve`` (Python sets a package's attribute to each submodule it imports)."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and name in _LAZY and value.__name__ == _LAZY[name]:
            return  # the submodule stays reachable through sys.modules and ``from kiln_sdk.serve import``
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
