"""Host-side clients of a plugin's component services, in plain Python types.

Every call that can run long takes a ``cancel`` event: when it is set, the client sends Cancel and
keeps waiting for the component to finish its cleanups (``cancel_grace`` seconds at most, after
which the caller should stop the process).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import grpc

from kiln_sdk._wire import channels, convert
from kiln_sdk._wire.callback_server import CallbackRef, CommunicatorHandle
from kiln_sdk._wire.process import PluginProcess
from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError, Diagnostic
from kiln_sdk.schema import Schema


class PluginCrashed(Exception):
    """The plugin process died or stopped answering during a call."""


class CallTimedOut(Exception):
    """A cancelled call did not return within its grace period."""


@dataclass
class PrepareResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    generated_data: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass
class CallResult:
    error: str = ""
    cancelled: bool = False
    artifact: RemoteArtifact | None = None
    keep: bool = False
    force_override: bool = False


class RemoteArtifact(Artifact):
    """An artifact living in a plugin process; ``destroy`` asks that process to destroy it."""

    ref: pb.Ref | None = None

    @classmethod
    def from_proto(cls, msg: pb.ArtifactData) -> RemoteArtifact:
        plain = convert.artifact_from_proto(msg)
        artifact = cls(plain.builder_id, plain.id, plain.files, plain.string, plain.state)
        artifact.ref = msg.ref if msg.HasField("ref") else None
        return artifact

    def to_proto(self) -> pb.ArtifactData:
        return convert.artifact_to_proto(self, self.ref)

    def destroy(self) -> None:
        if self.ref is None:
            return
        rpc.ArtifactStub(channels.channel(self.ref.address)).Destroy(self.ref)


class _Client:
    def __init__(self, process: PluginProcess) -> None:
        assert process.channel is not None, "start the plugin process first"
        self.process = process
        self.channel = process.channel

    def _crashed(self, exc: grpc.RpcError) -> PluginCrashed:
        why = self.process.exit_description()
        if why:
            return PluginCrashed(f"The plugin for {self.process.label} {why} unexpectedly.{self.process.stderr_tail()}")
        return PluginCrashed(f"The plugin for {self.process.label} failed: {exc.code().name}: {exc.details()}")

    def _unary(self, method: Any, request: Any) -> Any:
        try:
            return method(request)
        except grpc.RpcError as exc:
            raise self._crashed(exc) from None

    def _long_call(self, method: Any, request: Any, cancel_rpc: Any, cancel: threading.Event | None,
                   cancel_grace: float) -> Any:
        future = method.future(request)
        done = threading.Event()
        future.add_done_callback(lambda _f: done.set())
        cancel_sent = False
        while not done.wait(0.05):
            if cancel is not None and cancel.is_set() and not cancel_sent:
                cancel_sent = True
                try:
                    cancel_rpc(pb.Empty(), timeout=5)
                except grpc.RpcError:
                    pass  # the call itself will tell what happened
                if not done.wait(cancel_grace):
                    future.cancel()
                    raise CallTimedOut(
                        f"The plugin for {self.process.label} did not stop within {cancel_grace:g}s of being cancelled."
                    )
        try:
            return future.result()
        except grpc.RpcError as exc:
            raise self._crashed(exc) from None

    def schema(self) -> Schema:
        stub = self._stub()
        return convert.schema_from_proto(self._unary(stub.GetConfigSchema, pb.Empty()))

    def _stub(self) -> Any:
        raise NotImplementedError

    def _prepare(self, method: Any, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        response = self._unary(method, pb.PrepareRequest(config=convert.json_to_proto(config),
                                                         info=convert.info_to_proto(info)))
        return PrepareResult(convert.diagnostics_from_proto(response.diagnostics), list(response.generated_data))


class BuilderClient(_Client):
    def _stub(self) -> rpc.BuilderStub:
        return rpc.BuilderStub(self.channel)

    def prepare(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        return self._prepare(self._stub().Prepare, config, info)

    def run(self, ui: CallbackRef, hook: CallbackRef, cancel: threading.Event | None = None,
            cancel_grace: float = 60.0) -> CallResult:
        stub = self._stub()
        r = self._long_call(stub.Run, pb.BuilderRunRequest(ui=ui.ref, hook=hook.ref), stub.Cancel, cancel, cancel_grace)
        artifact = RemoteArtifact.from_proto(r.artifact) if r.has_artifact else None
        return CallResult(error=r.error, cancelled=r.cancelled, artifact=artifact)


class ProvisionerClient(_Client):
    def _stub(self) -> rpc.ProvisionerStub:
        return rpc.ProvisionerStub(self.channel)

    def prepare(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        return self._prepare(self._stub().Prepare, config, info)

    def provision(self, ui: CallbackRef, communicator: CommunicatorHandle | None, generated_data: dict[str, Any],
                  cancel: threading.Event | None = None, cancel_grace: float = 60.0) -> CallResult:
        stub = self._stub()
        request = pb.ProvisionRequest(ui=ui.ref, generated_data=pb.Json(json=json.dumps(generated_data)))
        if communicator is not None:
            request.communicator.CopyFrom(communicator.ref)
        r = self._long_call(stub.Provision, request, stub.Cancel, cancel, cancel_grace)
        return CallResult(error=r.error, cancelled=r.cancelled)


class PostProcessorClient(_Client):
    def _stub(self) -> rpc.PostProcessorStub:
        return rpc.PostProcessorStub(self.channel)

    def configure(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        return self._prepare(self._stub().Configure, config, info)

    def post_process(self, ui: CallbackRef, artifact: Artifact, cancel: threading.Event | None = None,
                     cancel_grace: float = 60.0) -> CallResult:
        stub = self._stub()
        msg = artifact.to_proto() if isinstance(artifact, RemoteArtifact) else convert.artifact_to_proto(artifact)
        r = self._long_call(stub.PostProcess, pb.PostProcessRequest(ui=ui.ref, artifact=msg), stub.Cancel,
                            cancel, cancel_grace)
        out = RemoteArtifact.from_proto(r.artifact) if r.has_artifact else None
        return CallResult(error=r.error, cancelled=r.cancelled, artifact=out, keep=r.keep,
                          force_override=r.force_override)


class DatasourceClient(_Client):
    def _stub(self) -> rpc.DatasourceStub:
        return rpc.DatasourceStub(self.channel)

    def output_schema(self) -> Schema:
        return convert.schema_from_proto(self._unary(self._stub().GetOutputSchema, pb.Empty()))

    def configure(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        return self._prepare(self._stub().Configure, config, info)

    def execute(self) -> Any:
        r = self._unary(self._stub().Execute, pb.Empty())
        if r.error:
            raise BuildError(r.error)
        return convert.json_from_proto(r.output)


CLIENTS: dict[str, type[_Client]] = {
    "builder": BuilderClient,
    "provisioner": ProvisionerClient,
    "post-processor": PostProcessorClient,
    "datasource": DatasourceClient,
}
