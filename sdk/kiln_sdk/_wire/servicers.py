"""gRPC servicers that wrap one plain-Python component instance (one component per plugin process)."""

from __future__ import annotations

import json
import logging
import threading
import traceback
from typing import Any

import grpc

from kiln_sdk import config as config_mod
from kiln_sdk._wire import convert
from kiln_sdk._wire.callbacks import RemoteHook, RemoteUi
from kiln_sdk._wire.objects import ObjectRegistry
from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import (
    BuildContext,
    Builder,
    BuildInfo,
    Context,
    Datasource,
    PostProcessor,
    ProvisionContext,
    Provisioner,
)
from kiln_sdk.diagnostics import BuildError, Cancelled, ConfigError, Diagnostic

log = logging.getLogger("kiln_sdk.plugin")


class Served:
    """What one plugin process serves: its address, the objects it hands out by id, its running calls."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.registry = ObjectRegistry()
        self.info = BuildInfo()
        self._lock = threading.Lock()
        self._running: set[threading.Event] = set()

    def cancel_event(self, context: grpc.ServicerContext) -> threading.Event:
        """An event set by the Cancel RPC, or when the core drops the call (gRPC cancellation)."""
        event = threading.Event()
        context.add_callback(event.set)
        with self._lock:
            self._running.add(event)
        context.add_callback(lambda: self._forget(event))
        return event

    def _forget(self, event: threading.Event) -> None:
        with self._lock:
            self._running.discard(event)

    def cancel_all(self) -> None:
        with self._lock:
            for event in self._running:
                event.set()


class _ComponentServicer:
    """What every component service shares: the schema, Prepare/Configure, Cancel."""

    def __init__(self, component: Any, served: Served) -> None:
        self.component = component
        self.served = served

    def GetConfigSchema(self, request: pb.Empty, context: grpc.ServicerContext) -> pb.Schema:
        return _schema(self.component)

    def Prepare(self, request: pb.PrepareRequest, context: grpc.ServicerContext) -> pb.PrepareResponse:
        return _prepare(self.component, "prepare", request, self.served)

    def Configure(self, request: pb.PrepareRequest, context: grpc.ServicerContext) -> pb.PrepareResponse:
        return _prepare(self.component, "configure", request, self.served)

    def Cancel(self, request: pb.Empty, context: grpc.ServicerContext) -> pb.Empty:
        self.served.cancel_all()
        return pb.Empty()


def _prepare(component: Any, method: str, request: pb.PrepareRequest, served: Served) -> pb.PrepareResponse:
    served.info = convert.info_from_proto(request.info)
    try:
        cfg = config_mod.decode(component.Config, convert.json_from_proto(request.config) or {})
        warnings = getattr(component, method)(cfg, served.info) or []
    except ConfigError as exc:
        return pb.PrepareResponse(diagnostics=convert.diagnostics_to_proto(exc.diagnostics))
    except Exception as exc:  # noqa: BLE001 - a bug in the plugin becomes a diagnostic, not a crash
        log.error("%s failed:\n%s", method, traceback.format_exc())
        return pb.PrepareResponse(
            diagnostics=convert.diagnostics_to_proto([Diagnostic(f"{method} failed: {type(exc).__name__}: {exc}")])
        )
    response = pb.PrepareResponse(diagnostics=convert.diagnostics_to_proto(convert.warnings_to_diagnostics(warnings)))
    if isinstance(component, Builder):
        response.generated_data.extend(component.generated_data_names())
    return response


def _failure(exc: BaseException) -> tuple[str, bool]:
    """(error text, cancelled) for an exception raised by a component."""
    if isinstance(exc, Cancelled):
        return str(exc), True
    if isinstance(exc, BuildError):
        return str(exc), False
    log.error("component raised:\n%s", "".join(traceback.format_exception(exc)))
    return f"{type(exc).__name__}: {exc}", False


def _artifact_ref(artifact: Artifact, served: Served) -> pb.Ref:
    return pb.Ref(address=served.address, id=served.registry.add(artifact))


def _schema(component: Any) -> pb.Schema:
    return convert.schema_to_proto(config_mod.schema_of(component.Config, component.description))


class BuilderServicer(_ComponentServicer, rpc.BuilderServicer):
    component: Builder[Any]

    def Run(self, request: pb.BuilderRunRequest, context: grpc.ServicerContext) -> pb.BuilderRunResponse:
        ctx = BuildContext(
            ui=RemoteUi(request.ui), info=self.served.info, cancel_event=self.served.cancel_event(context),
            hook=RemoteHook(request.hook, self.served.address, self.served.registry),
        )
        try:
            artifact = self.component.run(ctx)
        except BaseException as exc:  # noqa: BLE001
            error, cancelled = _failure(exc)
            return pb.BuilderRunResponse(error=error, cancelled=cancelled or ctx.cancelled)
        if ctx.cancelled:
            return pb.BuilderRunResponse(cancelled=True, error="Build was cancelled.")
        if artifact is None:
            return pb.BuilderRunResponse(has_artifact=False)
        return pb.BuilderRunResponse(
            has_artifact=True, artifact=convert.artifact_to_proto(artifact, _artifact_ref(artifact, self.served))
        )


class ProvisionerServicer(_ComponentServicer, rpc.ProvisionerServicer):
    component: Provisioner[Any]

    def Provision(self, request: pb.ProvisionRequest, context: grpc.ServicerContext) -> pb.ProvisionResponse:
        communicator = None
        if request.HasField("communicator"):
            from kiln_sdk._wire.communicator import RemoteCommunicator

            communicator = RemoteCommunicator(request.communicator)
        ctx = ProvisionContext(
            ui=RemoteUi(request.ui), info=self.served.info, cancel_event=self.served.cancel_event(context),
            communicator=communicator, generated_data=convert.json_from_proto(request.generated_data) or {},
        )
        try:
            self.component.provision(ctx)
        except BaseException as exc:  # noqa: BLE001
            error, cancelled = _failure(exc)
            return pb.ProvisionResponse(error=error, cancelled=cancelled or ctx.cancelled)
        return pb.ProvisionResponse(cancelled=ctx.cancelled)


class PostProcessorServicer(_ComponentServicer, rpc.PostProcessorServicer):
    component: PostProcessor[Any]

    def PostProcess(self, request: pb.PostProcessRequest, context: grpc.ServicerContext) -> pb.PostProcessResponse:
        ctx = Context(ui=RemoteUi(request.ui), info=self.served.info, cancel_event=self.served.cancel_event(context))
        try:
            result = self.component.post_process(ctx, convert.artifact_from_proto(request.artifact))
        except BaseException as exc:  # noqa: BLE001
            error, cancelled = _failure(exc)
            return pb.PostProcessResponse(error=error, cancelled=cancelled or ctx.cancelled)
        artifact = result.artifact
        return pb.PostProcessResponse(
            has_artifact=artifact is not None,
            artifact=convert.artifact_to_proto(artifact, _artifact_ref(artifact, self.served)) if artifact else None,
            keep=result.keep, force_override=result.force_override,
        )


class DatasourceServicer(_ComponentServicer, rpc.DatasourceServicer):
    component: Datasource[Any]

    def GetOutputSchema(self, request: pb.Empty, context: grpc.ServicerContext) -> pb.Schema:
        return convert.schema_to_proto(config_mod.schema_of(self.component.Output))

    def Execute(self, request: pb.Empty, context: grpc.ServicerContext) -> pb.ExecuteResponse:
        ctx = Context(ui=_NullUi(), info=self.served.info, cancel_event=self.served.cancel_event(context))
        try:
            output = self.component.execute(ctx)
        except BaseException as exc:  # noqa: BLE001
            return pb.ExecuteResponse(error=_failure(exc)[0])
        return pb.ExecuteResponse(output=pb.Json(json=json.dumps(config_mod.encode(output))))


class ArtifactServicer(rpc.ArtifactServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def Destroy(self, request: pb.Ref, context: grpc.ServicerContext) -> pb.Empty:
        artifact: Artifact = self.served.registry.get(request.id)
        try:
            artifact.destroy()
        except Exception as exc:  # noqa: BLE001
            context.abort(grpc.StatusCode.INTERNAL, f"destroying artifact {artifact.id!r}: {exc}")
        self.served.registry.remove(request.id)
        return pb.Empty()


class _NullUi(RemoteUi):
    """Data sources run before any build exists: their Ui lines go to the plugin's log."""

    def __init__(self) -> None:  # noqa: D107 - deliberately no channel
        pass

    def _say(self, kind: str, text: str) -> None:
        log.info("%s: %s", kind, text)

    def machine(self, type_: str, *args: str) -> None:
        log.info("machine %s %s", type_, args)

    def ask(self, query: str) -> str:
        return ""
