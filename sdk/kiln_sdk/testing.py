"""Helpers for plugin authors' tests: start a plugin executable for real and call its components.

    with start_component([sys.executable, "-m", "my_plugin"], "builder", "my-builder") as builder:
        prepared = builder.prepare({"setting": "value"}, BuildInfo(build_name="b"))
        assert not prepared.errors
        with Callbacks() as cb:
            result = builder.run(cb.ui_ref, cb.hook_ref)
        assert result.artifact and result.artifact.files == [...]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

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
    DatasourceClient,
    PluginCrashed,
    PostProcessorClient,
    PrepareResult,
    ProvisionerClient,
    RemoteArtifact,
)
from kiln_sdk._wire.process import PluginProcess, PluginStartError
from kiln_sdk.ui import RecordingUi, Ui

__all__ = [
    "BuilderClient", "CallResult", "Callbacks", "CommunicatorHandle", "DatasourceClient", "HookCall",
    "PluginCrashed", "PluginProcess", "PluginStartError", "PostProcessorClient", "PrepareResult",
    "ProvisionerClient", "RemoteArtifact", "start_component",
]


@contextmanager
def start_component(command: Sequence[str], kind: str, name: str, **options: Any) -> Iterator[Any]:
    """Start ``command`` serving one component; yield its client; stop the process afterwards."""
    process = PluginProcess(command, kind, name, **options).start()
    try:
        yield CLIENTS[kind](process)
    finally:
        process.stop()


class Callbacks:
    """A callback server with one Ui (a RecordingUi unless given) and one hook function."""

    def __init__(self, ui: Ui | None = None, hook: HookFunction | None = None) -> None:
        self.ui = ui if ui is not None else RecordingUi()
        self.hook_calls: list[HookCall] = []
        self._hook = hook
        self.server = CallbackServer()
        self.ui_ref: CallbackRef = self.server.add_ui(self.ui)
        self.hook_ref: CallbackRef = self.server.add_hook(self._on_hook)

    def _on_hook(self, call: HookCall) -> None:
        self.hook_calls.append(call)
        if self._hook is not None:
            self._hook(call)

    def __enter__(self) -> Callbacks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
