"""kiln_sdk: everything a kiln plugin author imports, from this one package.

    from dataclasses import dataclass
    from kiln_sdk import Artifact, Builder, BuildContext, BuildInfo, setting, serve

Every name an author needs is exported here (``__all__``); the submodules are the SDK's own layout, not
an import path for plugins (a plugin imports ``kiln_sdk`` only, and kiln's tests enforce that for the
bundled ones). ``kiln_sdk.testing`` is the one public submodule: the helpers for a plugin's tests.

Every name loads its module on first use, so a plugin process imports only the parts of the SDK its
components use: importing ``kiln_sdk`` imports none of its submodules, and neither gRPC (``serve``) nor
paramiko (``SSHCommunicator``, ``KeyPair``, ``generate_key_pair``, ``load_private_key``) until used.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the type checker sees the real names; at run time each loads on first use
    from kiln_sdk.artifact import Artifact
    from kiln_sdk.children import kill_all_children, kill_process_group, start_process
    from kiln_sdk.common_steps import COMMUNICATOR, HOOK_DATA, StepConnect, StepProvision
    from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError
    from kiln_sdk.communicator.cancel import CancellableReader, CancellableWriter, cancellable_chunks
    from kiln_sdk.communicator.errors import ConnectionLost
    from kiln_sdk.communicator.local import LocalCommunicator
    from kiln_sdk.communicator.paths import has_glob, shell_path
    from kiln_sdk.communicator.remote_cmd import CMD_DISCONNECT, retry, run_with_ui
    from kiln_sdk.communicator.ssh import SSHCommunicator
    from kiln_sdk.communicator.ssh_config import CommunicatorConfig, SSHConfig
    from kiln_sdk.communicator.ssh_keys import KeyPair, generate_key_pair, load_private_key
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
    from kiln_sdk.serve import serve
    from kiln_sdk.step import CANCELLED, ERROR, HALTED, Action, StateBag, StateKey, Step, StepRunner
    from kiln_sdk.ui import RecordingUi, Ui, UiError

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
    "kill_all_children",
    "kill_process_group",
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
    "start_process",
    "stream_from_chunks",
    "tar_local_dir",
]

# name -> the module that defines it, imported when the name is first used: a plugin process pays only
# for the parts of the SDK its components use (gRPC and paramiko are the heaviest)
_LAZY = {
    "Action": "kiln_sdk.step",
    "Artifact": "kiln_sdk.artifact",
    "Attribute": "kiln_sdk.schema",
    "Block": "kiln_sdk.schema",
    "BuildContext": "kiln_sdk.components",
    "BuildError": "kiln_sdk.diagnostics",
    "BuildInfo": "kiln_sdk.components",
    "Builder": "kiln_sdk.components",
    "CANCELLED": "kiln_sdk.step",
    "CMD_DISCONNECT": "kiln_sdk.communicator.remote_cmd",
    "COMMUNICATOR": "kiln_sdk.common_steps",
    "CancellableReader": "kiln_sdk.communicator.cancel",
    "CancellableWriter": "kiln_sdk.communicator.cancel",
    "Cancelled": "kiln_sdk.diagnostics",
    "Communicator": "kiln_sdk.communicator.base",
    "CommunicatorConfig": "kiln_sdk.communicator.ssh_config",
    "ConfigError": "kiln_sdk.diagnostics",
    "ConnectionLost": "kiln_sdk.communicator.errors",
    "Context": "kiln_sdk.components",
    "Datasource": "kiln_sdk.components",
    "Diagnostic": "kiln_sdk.diagnostics",
    "Diagnostics": "kiln_sdk.diagnostics",
    "DurationError": "kiln_sdk.duration",
    "ERROR": "kiln_sdk.step",
    "HALTED": "kiln_sdk.step",
    "HOOK_DATA": "kiln_sdk.common_steps",
    "Hook": "kiln_sdk.components",
    "Journal": "kiln_sdk.journal",
    "JournalEntry": "kiln_sdk.journal",
    "KeyPair": "kiln_sdk.communicator.ssh_keys",
    "LocalCommunicator": "kiln_sdk.communicator.local",
    "OutputHandler": "kiln_sdk.communicator.base",
    "PostProcessResult": "kiln_sdk.components",
    "PostProcessor": "kiln_sdk.components",
    "ProvisionContext": "kiln_sdk.components",
    "Provisioner": "kiln_sdk.components",
    "RecordingUi": "kiln_sdk.ui",
    "RemoteCommandError": "kiln_sdk.communicator.base",
    "SSHCommunicator": "kiln_sdk.communicator.ssh",
    "SSHConfig": "kiln_sdk.communicator.ssh_config",
    "Schema": "kiln_sdk.schema",
    "Severity": "kiln_sdk.diagnostics",
    "StateBag": "kiln_sdk.step",
    "StateKey": "kiln_sdk.step",
    "Step": "kiln_sdk.step",
    "StepConnect": "kiln_sdk.common_steps",
    "StepProvision": "kiln_sdk.common_steps",
    "StepRunner": "kiln_sdk.step",
    "Ui": "kiln_sdk.ui",
    "UiError": "kiln_sdk.ui",
    "cancellable_chunks": "kiln_sdk.communicator.cancel",
    "extract_tar_chunks": "kiln_sdk.communicator.tarstream",
    "format_duration": "kiln_sdk.duration",
    "generate_key_pair": "kiln_sdk.communicator.ssh_keys",
    "has_glob": "kiln_sdk.communicator.paths",
    "interpolate_config": "kiln_sdk.interpolate",
    "journal": "kiln_sdk.journal",
    "kill_all_children": "kiln_sdk.children",
    "kill_process_group": "kiln_sdk.children",
    "load_private_key": "kiln_sdk.communicator.ssh_keys",
    "packer_funcs": "kiln_sdk.interpolate",
    "parse_duration": "kiln_sdk.duration",
    "render": "kiln_sdk.interpolate",
    "retry": "kiln_sdk.communicator.remote_cmd",
    "run_with_ui": "kiln_sdk.communicator.remote_cmd",
    "schema_of": "kiln_sdk.config",
    "serve": "kiln_sdk.serve",
    "setting": "kiln_sdk.config",
    "shell_path": "kiln_sdk.communicator.paths",
    "start_process": "kiln_sdk.children",
    "stream_from_chunks": "kiln_sdk.communicator.tarstream",
    "tar_local_dir": "kiln_sdk.communicator.tarstream",
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
