"""Helpers for plugin authors' tests: start a plugin executable for real and call its components; test
doubles for unit tests in process (a recording Ui, a local and a recording Communicator, a recording
hook); the acceptance harness, which runs the real ``kiln build`` with the plugin under test.

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
from typing import Any, cast

from kiln_sdk._acctest import (
    AcceptanceCase,
    AcceptanceError,
    AcceptanceResult,
    find_executable,
    run_acceptance,
)
from kiln_sdk._testkit import (
    CommunicatorCall,
    RecordedHook,
    RecordingCommunicator,
    RecordingHook,
    config_of,
    prepare_component,
)
from kiln_sdk.communicator.local import LocalCommunicator
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
    # the author's kit: typed starters, in-process doubles, the acceptance harness
    "AcceptanceCase", "AcceptanceError", "AcceptanceResult", "CommunicatorCall", "LocalCommunicator",
    "RecordedHook", "RecordingCommunicator", "RecordingHook", "RecordingUi", "config_of", "find_executable",
    "prepare_component", "run_acceptance", "start_builder", "start_datasource", "start_post_processor",
    "start_provisioner",
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


@contextmanager
def start_builder(command: Sequence[str], name: str, **options: Any) -> Iterator[BuilderClient]:
    """Start ``command`` and yield a client of its builder ``name`` (see :func:`start_component`)."""
    with start_component(command, "builder", name, **options) as client:
        yield cast(BuilderClient, client)


@contextmanager
def start_provisioner(command: Sequence[str], name: str, **options: Any) -> Iterator[ProvisionerClient]:
    """Start ``command`` and yield a client of its provisioner ``name`` (see :func:`start_component`)."""
    with start_component(command, "provisioner", name, **options) as client:
        yield cast(ProvisionerClient, client)


@contextmanager
def start_post_processor(command: Sequence[str], name: str, **options: Any) -> Iterator[PostProcessorClient]:
    """Start ``command`` and yield a client of its post-processor ``name`` (see :func:`start_component`)."""
    with start_component(command, "post-processor", name, **options) as client:
        yield cast(PostProcessorClient, client)


@contextmanager
def start_datasource(command: Sequence[str], name: str, **options: Any) -> Iterator[DatasourceClient]:
    """Start ``command`` and yield a client of its data source ``name`` (see :func:`start_component`)."""
    with start_component(command, "datasource", name, **options) as client:
        yield cast(DatasourceClient, client)
