"""The host's callback server: Ui and Hook services that plugins call back into.

The core runs one per process; the SDK's testing helpers run one per test. Each build registers
its Ui and its hook function and hands plugins the resulting references.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc

from kiln_sdk._wire import channels, convert
from kiln_sdk._wire.objects import ObjectRegistry
from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc
from kiln_sdk._wire.sockets import private_socket_dir
from kiln_sdk.diagnostics import BuildError, Cancelled, Diagnostic
from kiln_sdk.ui import Ui

MAX_WORKERS = 2048
"""Threads are made on demand; every running build holds one in a Hook call, and Ui calls need more."""


@dataclass(frozen=True)
class CommunicatorHandle:
    """Where a builder serves its communicator; opaque outside the wire layer."""

    ref: pb.Ref

    def connect(self) -> Any:
        """A Communicator that talks to the builder's process directly."""
        from kiln_sdk._wire.communicator import RemoteCommunicator

        return RemoteCommunicator(self.ref)


@dataclass
class HookCall:
    """One call of the core's hook as a test's hook function receives it."""

    name: str
    communicator: CommunicatorHandle | None
    data: dict[str, Any] = field(default_factory=dict)


HookFunction = Callable[[HookCall], None]  # raises BuildError / Cancelled to fail the builder's hook


@dataclass(frozen=True)
class CallbackRef:
    ref: pb.Ref


class _UiServicer(rpc.UiServicer):
    def __init__(self, registry: ObjectRegistry) -> None:
        self.registry = registry

    def Say(self, request: pb.UiSayRequest, context: grpc.ServicerContext) -> pb.UiSayResponse:
        ui: Ui = self.registry.get(request.id)
        say = {pb.UiSayRequest.KIND_SAY: ui.say, pb.UiSayRequest.KIND_ERROR: ui.error}.get(request.kind, ui.message)
        say(request.text)
        return pb.UiSayResponse()

    def Machine(self, request: pb.UiMachineRequest, context: grpc.ServicerContext) -> pb.UiMachineResponse:
        ui: Ui = self.registry.get(request.id)
        ui.machine(request.type, *request.args)
        return pb.UiMachineResponse()

    def Ask(self, request: pb.UiAskRequest, context: grpc.ServicerContext) -> pb.UiAskResponse:
        ui: Ui = self.registry.get(request.id)
        try:
            return pb.UiAskResponse(text=ui.ask(request.query))
        except Exception as exc:  # noqa: BLE001 - the plugin gets the reason, e.g. "no available tty"
            return pb.UiAskResponse(diagnostics=convert.diagnostics_to_proto([Diagnostic(str(exc))]))


class _HookServicer(rpc.HookServicer):
    def __init__(self, registry: ObjectRegistry) -> None:
        self.registry = registry

    def Run(self, request: pb.HookRunRequest, context: grpc.ServicerContext) -> pb.HookRunResponse:
        fn: HookFunction = self.registry.get(request.id)
        comm = CommunicatorHandle(request.communicator) if request.HasField("communicator") else None
        name = "packer_provision" if request.type == pb.HookRunRequest.TYPE_PROVISION else "unknown"
        call = HookCall(name, comm, json.loads(request.data.json) if request.data.json else {})
        try:
            fn(call)
        except Cancelled as exc:
            return pb.HookRunResponse(cancelled=True, diagnostics=convert.diagnostics_to_proto([Diagnostic(str(exc))]))
        except BuildError as exc:
            return pb.HookRunResponse(diagnostics=convert.diagnostics_to_proto([Diagnostic(str(exc))]))
        return pb.HookRunResponse()


class CallbackServer:
    def __init__(self) -> None:
        self._dir = private_socket_dir("kiln-core-", "callbacks.sock")  # 0700, short enough for sun_path
        self.address = f"unix:{self._dir}/callbacks.sock"
        self._registry = ObjectRegistry()
        self._server = grpc.server(ThreadPoolExecutor(max_workers=MAX_WORKERS), options=channels.OPTIONS)
        rpc.add_UiServicer_to_server(_UiServicer(self._registry), self._server)
        rpc.add_HookServicer_to_server(_HookServicer(self._registry), self._server)
        self._server.add_insecure_port(self.address)
        self._server.start()
        self._stopped = threading.Event()

    def add_ui(self, ui: Ui) -> CallbackRef:
        return CallbackRef(pb.Ref(address=self.address, id=self._registry.add(ui)))

    def add_hook(self, fn: HookFunction) -> CallbackRef:
        return CallbackRef(pb.Ref(address=self.address, id=self._registry.add(fn)))

    def remove(self, ref: CallbackRef) -> None:
        self._registry.remove(ref.ref.id)

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._server.stop(grace=1).wait()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> CallbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
