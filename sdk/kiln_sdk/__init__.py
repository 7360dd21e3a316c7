"""kiln_sdk: everything a kiln plugin author imports.

    from dataclasses import dataclass
    from kiln_sdk import Artifact, Builder, BuildContext, BuildInfo, setting, serve

Heavy parts load on demand: ``kiln_sdk.serve`` (gRPC), ``kiln_sdk.communicator.ssh`` (paramiko),
``kiln_sdk.testing`` (start plugins in tests).
"""

from kiln_sdk.artifact import Artifact
from kiln_sdk.communicator.base import Communicator
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
from kiln_sdk.diagnostics import BuildError, Cancelled, ConfigError, Diagnostic, Diagnostics
from kiln_sdk.interpolate import interpolate_config, packer_funcs, render
from kiln_sdk.step import Action, StateBag, StateKey, Step, StepRunner
from kiln_sdk.ui import RecordingUi, Ui

__all__ = [
    "Action",
    "Artifact",
    "BuildContext",
    "BuildError",
    "BuildInfo",
    "Builder",
    "Cancelled",
    "Communicator",
    "ConfigError",
    "Context",
    "Datasource",
    "Diagnostic",
    "Diagnostics",
    "Hook",
    "PostProcessResult",
    "PostProcessor",
    "ProvisionContext",
    "Provisioner",
    "RecordingUi",
    "StateBag",
    "StateKey",
    "Step",
    "StepRunner",
    "Ui",
    "interpolate_config",
    "packer_funcs",
    "render",
    "schema_of",
    "serve",
    "setting",
]


def __getattr__(name: str) -> object:
    if name == "serve":  # imported on first use: it brings gRPC
        from kiln_sdk.serve import serve

        return serve
    raise AttributeError(f"module 'kiln_sdk' has no attribute {name!r}")
