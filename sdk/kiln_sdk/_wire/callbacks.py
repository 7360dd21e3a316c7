"""Plugin-side clients of the core's callback services (Ui, Hook)."""

from __future__ import annotations

import json
from typing import Any

import grpc

from kiln_sdk._wire import channels, convert
from kiln_sdk._wire.objects import ObjectRegistry
from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc
from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import Hook
from kiln_sdk.diagnostics import BuildError, Cancelled
from kiln_sdk.ui import Ui, UiError


def _unavailable(exc: grpc.RpcError) -> BuildError:
    return BuildError(f"lost the connection to kiln's core: {exc.details() if hasattr(exc, 'details') else exc}")


class RemoteUi(Ui):
    """A Ui whose lines go to the core, which prefixes and colours them for this build."""

    def __init__(self, ref: pb.Ref) -> None:
        self._stub = rpc.UiStub(channels.channel(ref.address))
        self._id = ref.id

    def _say(self, kind: int, text: str) -> None:
        try:
            self._stub.Say(pb.UiSayRequest(id=self._id, kind=kind, text=text))  # type: ignore[arg-type]
        except grpc.RpcError as exc:
            raise _unavailable(exc) from None

    def say(self, message: str) -> None:
        self._say(pb.UiSayRequest.KIND_SAY, message)

    def message(self, message: str) -> None:
        self._say(pb.UiSayRequest.KIND_MESSAGE, message)

    def error(self, message: str) -> None:
        self._say(pb.UiSayRequest.KIND_ERROR, message)

    def machine(self, type_: str, *args: str) -> None:
        try:
            self._stub.Machine(pb.UiMachineRequest(id=self._id, type=type_, args=list(args)))
        except grpc.RpcError as exc:
            raise _unavailable(exc) from None

    def ask(self, query: str) -> str:
        try:
            response = self._stub.Ask(pb.UiAskRequest(id=self._id, query=query))
        except grpc.RpcError as exc:
            raise _unavailable(exc) from None
        if response.diagnostics:
            raise UiError(convert.error_text(convert.diagnostics_from_proto(response.diagnostics)))
        return str(response.text)


class RemoteHook(Hook):
    """The core's hook. A communicator handed to it is served from this process for the call's duration."""

    def __init__(self, ref: pb.Ref, own_address: str, registry: ObjectRegistry) -> None:
        self._stub = rpc.HookStub(channels.channel(ref.address))
        self._id = ref.id
        self._own_address = own_address
        self._registry = registry

    def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
        if name != "packer_provision":
            raise BuildError(f"unknown hook {name!r}: kiln's core runs only packer_provision")
        request = pb.HookRunRequest(id=self._id, type=pb.HookRunRequest.TYPE_PROVISION,
                                    data=pb.Json(json=json.dumps(data)))
        comm_id = None
        if communicator is not None:
            comm_id = self._registry.add(communicator)
            request.communicator.CopyFrom(pb.Ref(address=self._own_address, id=comm_id))
        try:
            response = self._stub.Run(request)
        except grpc.RpcError as exc:
            raise _unavailable(exc) from None
        finally:
            if comm_id is not None:
                self._registry.remove(comm_id)
        if response.cancelled:
            raise Cancelled()
        if response.diagnostics:
            raise BuildError(convert.error_text(convert.diagnostics_from_proto(response.diagnostics)))
