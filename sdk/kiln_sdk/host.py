"""The host side of the plugin protocol: what a program that runs kiln plugins uses (kiln's core, and
the SDK's testing helpers). Plugin authors do not need it.

    process = PluginProcess(["kiln-plugin-foo"], label="plugin kiln-plugin-foo").start()
    builder = client_for(process, "builder", "bar")
    prepared = builder.prepare({"setting": "value"}, BuildInfo(build_name="b"))
    with CallbackServer() as callbacks:
        result = builder.run(callbacks.add_ui(ui), callbacks.add_hook(hook))
    builder.close()
    process.stop()

One :class:`PluginProcess` (``PLUGIN serve``) serves every component instance of its executable;
``prepare``/``configure`` make an instance, ``close`` releases it, a cancel reaches that instance only.
The wire format stays private (``kiln_sdk._wire``); this module is its stable face.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kiln_sdk._wire.handshake import APP_PROTOCOL_VERSION as PROTOCOL_MAJOR
from kiln_sdk._wire.handshake import (
    CAPABILITIES,
    CAPABILITY_INSTANCES,
    MAGIC_COOKIE_KEY,
    MAGIC_COOKIE_VALUE,
    PROTOCOL_MINOR,
)
from kiln_sdk._wire.process import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_START_TIMEOUT,
    PluginInfo,
    PluginProcess,
    PluginStartError,
)
from kiln_sdk._wire.sockets import sweep_stale_socket_dirs

if TYPE_CHECKING:  # the type checker sees them; at run time they load (with gRPC) on first use
    from kiln_sdk._wire.callback_server import (
        CallbackRef,
        CallbackServer,
        CommunicatorHandle,
        HookCall,
        HookFunction,
    )
    from kiln_sdk._wire.clients import (
        CLIENTS,
        BuilderClient,
        CallResult,
        CallTimedOut,
        ComponentFailed,
        DatasourceClient,
        PluginCrashed,
        PostProcessorClient,
        PrepareResult,
        ProvisionerClient,
        RemoteArtifact,
        client_for,
    )

__all__ = [
    "CAPABILITIES",
    "CAPABILITY_INSTANCES",
    "CLIENTS",
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_START_TIMEOUT",
    "MAGIC_COOKIE_KEY",
    "MAGIC_COOKIE_VALUE",
    "PROTOCOL_MAJOR",
    "PROTOCOL_MINOR",
    "BuilderClient",
    "CallResult",
    "CallTimedOut",
    "CallbackRef",
    "CallbackServer",
    "CommunicatorHandle",
    "ComponentFailed",
    "DatasourceClient",
    "HookCall",
    "HookFunction",
    "PluginCrashed",
    "PluginInfo",
    "PluginProcess",
    "PluginStartError",
    "PostProcessorClient",
    "PrepareResult",
    "ProvisionerClient",
    "RemoteArtifact",
    "client_for",
    "sweep_stale_socket_dirs",
]

# name -> its module, imported when first used: spawning a plugin process needs neither gRPC nor protobuf
_LAZY = {
    **dict.fromkeys(("CallbackRef", "CallbackServer", "CommunicatorHandle", "HookCall", "HookFunction"),
                    "kiln_sdk._wire.callback_server"),
    **dict.fromkeys(("CLIENTS", "BuilderClient", "CallResult", "CallTimedOut", "ComponentFailed", "DatasourceClient",
                     "PluginCrashed", "PostProcessorClient", "PrepareResult", "ProvisionerClient", "RemoteArtifact",
                     "client_for"), "kiln_sdk._wire.clients"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kiln_sdk.host' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
