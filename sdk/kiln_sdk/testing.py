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

from kiln_sdk.host import (
    BuilderClient,
    CallbackRef,
    CallbackServer,
    CallResult,
    CommunicatorHandle,
    DatasourceClient,
    HookCall,
    HookFunction,
    PluginCrashed,
    PluginProcess,
    PluginStartError,
    PostProcessorClient,
    PrepareResult,
    ProvisionerClient,
    RemoteArtifact,
    client_for,
)
from kiln_sdk.ui import RecordingUi, Ui

__all__ = [
    "BuilderClient", "CallResult", "Callbacks", "CommunicatorHandle", "DatasourceClient", "HookCall",
    "PluginCrashed", "PluginProcess", "PluginStartError", "PostProcessorClient", "PrepareResult",
    "ProvisionerClient", "RemoteArtifact", "start_component",
]


@contextmanager
def start_component(command: Sequence[str], kind: str, name: str, **options: Any) -> Iterator[Any]:
    """Start ``command`` (``PLUGIN serve``); yield a client of its component ``name`` of ``kind``; stop the
    process afterwards. ``options`` go to :class:`kiln_sdk.host.PluginProcess` (env, start_timeout, ...)."""
    process = PluginProcess(command, **options).start()
    try:
        client = client_for(process, kind, name)
        yield client
        client.close()
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
