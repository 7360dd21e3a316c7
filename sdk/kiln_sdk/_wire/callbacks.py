"""Plugin-side clients of the core's callback services (Ui, Hook)."""

from __future__ import annotations

import json
from typing import Any

import grpc

from kiln_sdk._wire import channels
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

    def _say(self, kind: str, text: str) -> None:
        try:
            self._stub.Say(pb.UiMessage(id=self._id, kind=kind, text=text))
        except grpc.RpcError as exc:
            raise _unavailable(exc) from None

    def say(self, message: str) -> None:
        self._say("say", message)

    def message(self, message: str) -> None:
        self._say("message", message)

    def error(self, message: str) -> None:
        self._say("error", message)

    def machine(self, type_: str, *args: str) -> None:
        try:
            self._stub.Machine(pb.UiMachine(id=self._id, type=type_, args=list(args)))
        except grpc.RpcError as exc:
            raise _unavailable(exc) from None

    def ask(self, query: str) -> str:
        try:
            return str(self._stub.Ask(pb.UiAsk(id=self._id, query=query)).text)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
                raise UiError(exc.details()) from None
            raise _unavailable(exc) from None


class RemoteHook(Hook):
    """The core's hook. A communicator handed to it is served from this process for the call's duration."""

    def __init__(self, ref: pb.Ref, own_address: str, registry: ObjectRegistry) -> None:
        self._stub = rpc.HookStub(channels.channel(ref.address))
        self._id = ref.id
        self._own_address = own_address
        self._registry = registry

    def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
        request = pb.HookRequest(id=self._id, name=name, data=pb.Json(json=json.dumps(data)))
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
        if response.error:
            raise BuildError(response.error)
