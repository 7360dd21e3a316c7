"""Host-side clients of the component instances a plugin process serves, in plain Python types.

A client names one component of one process. ``prepare``/``configure`` make a new instance in that
process (closing the client's previous one); the other calls use it; ``close`` releases it. Every call
that can run long takes a ``cancel`` event: when it is set, the client sends Cancel for its instance
only and keeps waiting for the component to finish its cleanups (``cancel_grace`` seconds at most,
after which the caller should stop the process). Every short call has a time-out
(``PluginProcess.call_timeout``) whose message names the plugin.
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


class CallTimedOut(PluginCrashed):
    """A call did not return in time (a short call's time-out, or a cancelled call's grace period)."""


class CallInterrupted(PluginCrashed):
    """The core was interrupted (Ctrl-C) while a short call (Prepare, Configure, GetSchema) ran: the
    call was abandoned; the process is stopped with the rest of the run."""


class ComponentFailed(BuildError):
    """A component reported errors (``diagnostics``) from a call that returns a value (Execute)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(convert.error_text(diagnostics))


@dataclass
class PrepareResult:
    """The outcome of Prepare/Configure: the diagnostics (and a builder's generated-data names)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    generated_data: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        """The error diagnostics."""
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The warning diagnostics."""
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass
class CallResult:
    """What Run, Provision or PostProcess returned. ``error`` is the errors among ``diagnostics`` as
    plain text ("" on success)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    cancelled: bool = False
    artifact: RemoteArtifact | None = None
    keep: bool = False
    force_override: bool = False

    @property
    def error(self) -> str:
        """The errors as one plain text ("" when there is none)."""
        return convert.error_text(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """The error diagnostics."""
        return [d for d in self.diagnostics if d.severity == "error"]


class RemoteArtifact(Artifact):
    """An artifact living in a plugin process; ``destroy`` asks that process to destroy it."""

    ref: pb.Ref | None = None

    @classmethod
    def from_proto(cls, msg: pb.ArtifactData) -> RemoteArtifact:
        """The artifact a plugin sent."""
        plain = convert.artifact_from_proto(msg)
        artifact = cls(plain.builder_id, plain.id, plain.files, plain.string, plain.state)
        artifact.ref = msg.ref if msg.HasField("ref") else None
        return artifact

    def to_proto(self) -> pb.ArtifactData:
        """The artifact as sent to another plugin (keeping the reference to its owner)."""
        return convert.artifact_to_proto(self, self.ref)

    def destroy(self) -> None:
        """Ask the plugin that made the artifact to destroy it."""
        if self.ref is None:
            return
        try:
            r = rpc.ArtifactStub(channels.channel(self.ref.address)).Destroy(
                pb.DestroyArtifactRequest(id=self.ref.id), timeout=600)
        except grpc.RpcError as exc:
            raise BuildError(f"the plugin holding artifact {self.id!r} is gone: {exc.code().name}") from None
        if r.diagnostics:
            raise BuildError(convert.error_text(convert.diagnostics_from_proto(r.diagnostics)))


class _Client:
    kind = ""

    def __init__(self, process: PluginProcess, name: str, label: str | None = None) -> None:
        assert process.channel is not None, "start the plugin process first"
        self.process = process
        self.name = name
        self.label = label or f"{self.kind} {name!r}"
        self.channel = process.channel
        self.instance = 0
        self._plugin = rpc.PluginStub(self.channel)

    def _crashed(self, exc: grpc.RpcError, call: str) -> PluginCrashed:
        why = self.process.exit_description()
        if why:
            return PluginCrashed(
                f"The {self.process.label} (serving the {self.label}) {why} unexpectedly.{self.process.stderr_tail()}"
            )
        if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            return CallTimedOut(
                f"The {self.process.label} did not answer {call} of the {self.label} within "
                f"{self.process.call_timeout:g}s (KILN_PLUGIN_CALL_TIMEOUT)."
            )
        return PluginCrashed(f"The {self.process.label} failed {call} of the {self.label}: "
                             f"{exc.code().name}: {exc.details()}")

    def _unary(self, method: Any, request: Any, call: str) -> Any:
        interrupt = self.process.interrupt
        try:
            if interrupt is None:
                return method(request, timeout=self.process.call_timeout)
            future = method.future(request, timeout=self.process.call_timeout)
            while True:  # a hung Prepare must not outlast the first Ctrl-C
                try:
                    return future.result(timeout=0.05)
                except grpc.FutureTimeoutError:
                    if interrupt.is_set():
                        future.cancel()
                        raise CallInterrupted(f"{call} of the {self.label} ({self.process.label}) was abandoned: "
                                              "kiln was interrupted") from None
        except grpc.RpcError as exc:
            raise self._crashed(exc, call) from None

    def _long_call(self, method: Any, request: Any, call: str, cancel: threading.Event | None,
                   cancel_grace: float) -> Any:
        future = method.future(request)
        done = threading.Event()
        future.add_done_callback(lambda _f: done.set())
        cancel_sent = False
        while not done.wait(0.05):
            if cancel is not None and cancel.is_set() and not cancel_sent:
                cancel_sent = True
                try:
                    self._plugin.Cancel(pb.CancelRequest(instance=self.instance), timeout=5)
                except grpc.RpcError:
                    pass  # the call itself will tell what happened
                if not done.wait(cancel_grace):
                    future.cancel()
                    raise CallTimedOut(
                        f"The {self.process.label} did not stop the {self.label} within {cancel_grace:g}s of "
                        "being cancelled."
                    )
        try:
            return future.result()
        except grpc.RpcError as exc:
            raise self._crashed(exc, call) from None

    def _schemas(self) -> pb.GetSchemaResponse:
        key = (self.kind, self.name)
        cached = self.process.schemas.get(key)
        if cached is None:
            cached = self._unary(self._plugin.GetSchema,
                                 pb.GetSchemaRequest(kind=convert.KIND_TO[self.kind], name=self.name), "GetSchema")
            self.process.schemas[key] = cached
        assert isinstance(cached, pb.GetSchemaResponse)
        if cached.diagnostics:
            raise PluginCrashed(convert.error_text(convert.diagnostics_from_proto(cached.diagnostics)))
        return cached

    def schema(self) -> Schema:
        return convert.schema_from_proto(self._schemas().config)

    def _prepare(self, method: Any, request_type: Any, config: dict[str, Any], info: BuildInfo,
                 call: str) -> PrepareResult:
        response = self._unary(method, request_type(name=self.name, config=convert.json_to_proto(config),
                                                     info=convert.info_to_proto(info)), call)
        previous, self.instance = self.instance, response.instance
        if previous:
            self._close([previous])
        return PrepareResult(convert.diagnostics_from_proto(response.diagnostics),
                             list(getattr(response, "generated_data", [])))

    def _close(self, instances: list[int]) -> None:
        if not self.process.alive():
            return
        try:
            self._plugin.Close(pb.CloseRequest(instances=instances), timeout=self.process.call_timeout)
        except grpc.RpcError:
            pass  # a process that cannot close an instance is ending anyway

    def close(self) -> None:
        """Release the instance (its process forgets it); the client can prepare again."""
        if self.instance:
            instance, self.instance = self.instance, 0
            self._close([instance])

    def _result(self, r: Any) -> CallResult:
        artifact = RemoteArtifact.from_proto(r.artifact) if r.HasField("artifact") else None
        return CallResult(diagnostics=convert.diagnostics_from_proto(r.diagnostics), cancelled=r.cancelled,
                          artifact=artifact, keep=getattr(r, "keep", False),
                          force_override=getattr(r, "force_override", False))


class BuilderClient(_Client):
    """The host side of a builder instance in a plugin process."""
    kind = "builder"

    def _stub(self) -> rpc.BuilderStub:
        return rpc.BuilderStub(self.channel)

    def prepare(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        """Prepare the builder with a decoded ``config``: its diagnostics and generated-data names."""
        return self._prepare(self._stub().Prepare, pb.BuilderPrepareRequest, config, info, "Prepare")

    def run(self, ui: CallbackRef, hook: CallbackRef, cancel: threading.Event | None = None,
            cancel_grace: float = 60.0) -> CallResult:
        """Run the builder (``ui`` and ``hook`` are the core's callbacks); its artifact or diagnostics."""
        request = pb.BuilderRunRequest(ui=ui.ref, hook=hook.ref, instance=self.instance)
        return self._result(self._long_call(self._stub().Run, request, "Run", cancel, cancel_grace))


class ProvisionerClient(_Client):
    """The host side of a provisioner instance in a plugin process."""
    kind = "provisioner"

    def _stub(self) -> rpc.ProvisionerStub:
        return rpc.ProvisionerStub(self.channel)

    def prepare(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        """Prepare the provisioner with a decoded ``config``: its diagnostics."""
        return self._prepare(self._stub().Prepare, pb.ProvisionerPrepareRequest, config, info, "Prepare")

    def provision(self, ui: CallbackRef, communicator: CommunicatorHandle | None, generated_data: dict[str, Any],
                  cancel: threading.Event | None = None, cancel_grace: float = 60.0) -> CallResult:
        """Provision through ``communicator`` (None: no communicator) with the build's generated data."""
        request = pb.ProvisionRequest(ui=ui.ref, generated_data=pb.Json(json=json.dumps(generated_data)),
                                      instance=self.instance)
        if communicator is not None:
            request.communicator.CopyFrom(communicator.ref)
        r = self._long_call(self._stub().Provision, request, "Provision", cancel, cancel_grace)
        return CallResult(diagnostics=convert.diagnostics_from_proto(r.diagnostics), cancelled=r.cancelled)


class PostProcessorClient(_Client):
    """The host side of a post-processor instance in a plugin process."""
    kind = "post-processor"

    def _stub(self) -> rpc.PostProcessorStub:
        return rpc.PostProcessorStub(self.channel)

    def configure(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        """Configure the post-processor with a decoded ``config``: its diagnostics."""
        return self._prepare(self._stub().Configure, pb.PostProcessorConfigureRequest, config, info, "Configure")

    def post_process(self, ui: CallbackRef, artifact: Artifact, cancel: threading.Event | None = None,
                     cancel_grace: float = 60.0) -> CallResult:
        """Post-process ``artifact``: the artifact that comes out, or diagnostics."""
        msg = artifact.to_proto() if isinstance(artifact, RemoteArtifact) else convert.artifact_to_proto(artifact)
        request = pb.PostProcessRequest(ui=ui.ref, artifact=msg, instance=self.instance)
        return self._result(self._long_call(self._stub().PostProcess, request, "PostProcess", cancel, cancel_grace))


class DatasourceClient(_Client):
    """The host side of a data source instance in a plugin process."""
    kind = "datasource"

    def _stub(self) -> rpc.DatasourceStub:
        return rpc.DatasourceStub(self.channel)

    def output_schema(self) -> Schema:
        """The schema of the data source's output."""
        return convert.schema_from_proto(self._schemas().output)

    def configure(self, config: dict[str, Any], info: BuildInfo) -> PrepareResult:
        """Configure the data source with a decoded ``config``: its diagnostics."""
        return self._prepare(self._stub().Configure, pb.DatasourceConfigureRequest, config, info, "Configure")

    def execute(self, cancel: threading.Event | None = None, cancel_grace: float = 60.0) -> Any:
        """The data source's output (JSON values); raises ComponentFailed with its diagnostics."""
        r = self._long_call(self._stub().Execute, pb.ExecuteRequest(instance=self.instance), "Execute", cancel,
                            cancel_grace)
        diagnostics = convert.diagnostics_from_proto(r.diagnostics)
        if any(d.severity == "error" for d in diagnostics):
            raise ComponentFailed(diagnostics)
        return convert.json_from_proto(r.output)


CLIENTS: dict[str, type[_Client]] = {
    "builder": BuilderClient,
    "provisioner": ProvisionerClient,
    "post-processor": PostProcessorClient,
    "datasource": DatasourceClient,
}


def client_for(process: PluginProcess, kind: str, name: str, label: str | None = None) -> Any:
    """A client of component ``name`` of ``kind`` served by ``process`` (started and ready)."""
    return CLIENTS[kind](process, name, label)
