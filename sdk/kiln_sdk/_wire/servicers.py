"""gRPC servicers of a plugin process: every component instance the core asks for, by handle.

Prepare/Configure make a new instance of the named component and return its handle; Run, Provision,
PostProcess and Execute name it; Cancel sets the cancel events of that instance's running calls only;
Close forgets it. Every failure travels as diagnostics; an unhandled exception becomes one diagnostic
carrying the exception's type, with its traceback in this process's log (stderr, the core's log).
"""

from __future__ import annotations

import importlib
import itertools
import json
import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc

from kiln_sdk import config as config_mod
from kiln_sdk._wire import convert
from kiln_sdk._wire.callbacks import RemoteHook, RemoteUi
from kiln_sdk._wire.handshake import APP_PROTOCOL_VERSION as PROTOCOL_MAJOR
from kiln_sdk._wire.handshake import CAPABILITIES, PROTOCOL_MINOR
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


ComponentRef = str | type
Registry = Mapping[str, Mapping[str, ComponentRef]]


def load_component(ref: ComponentRef) -> type:
    if isinstance(ref, type):
        return ref
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


@dataclass
class Instance:
    kind: str
    name: str
    component: Any
    info: BuildInfo
    running: set[threading.Event] = field(default_factory=set)


class Served:
    """What one plugin process serves: its components, their instances, the objects it hands out by id."""

    def __init__(self, address: str, components: Registry, version: str = "", source: str = "",
                 capabilities: tuple[str, ...] = CAPABILITIES) -> None:
        self.address = address
        self.components = components
        self.version = version
        self.source = source
        self.capabilities = capabilities
        self.registry = ObjectRegistry()  # artifacts and communicators served to other processes
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._instances: dict[int, Instance] = {}
        self._classes: dict[tuple[str, str], type] = {}

    # -- components and instances

    def component_class(self, kind: str, name: str) -> type:
        key = (kind, name)
        with self._lock:
            cls = self._classes.get(key)
        if cls is None:
            ref = self.components.get(kind, {}).get(name)
            if ref is None:
                known = ", ".join(sorted(self.components.get(kind, {}))) or "(none)"
                raise LookupError(f"this plugin has no {kind} {name!r}; its {kind}s: {known}")
            cls = load_component(ref)
            with self._lock:
                self._classes[key] = cls
        return cls

    def add(self, instance: Instance) -> int:
        with self._lock:
            handle = next(self._ids)
            self._instances[handle] = instance
            return handle

    def get(self, handle: int, context: grpc.ServicerContext) -> Instance:
        with self._lock:
            instance = self._instances.get(handle)
        if instance is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no component instance {handle} (never prepared, or closed)")
        return instance  # type: ignore[return-value]  # abort raises

    def close(self, handles: list[int]) -> None:
        with self._lock:
            for handle in handles:
                self._instances.pop(handle, None)

    def cancel_event(self, instance: Instance, context: grpc.ServicerContext) -> threading.Event:
        """An event set by Cancel of this instance, or when the core drops the call (gRPC cancellation)."""
        event = threading.Event()
        context.add_callback(event.set)
        with self._lock:
            instance.running.add(event)

        def forget() -> None:
            with self._lock:
                instance.running.discard(event)

        context.add_callback(forget)
        return event

    def cancel(self, handle: int) -> None:
        with self._lock:
            instance = self._instances.get(handle)
            events = list(instance.running) if instance else []
        for event in events:
            event.set()


def _failure(exc: BaseException) -> tuple[list[pb.Diagnostic], bool]:
    """(diagnostics, cancelled) for an exception raised by a running component."""
    if isinstance(exc, Cancelled):
        return convert.diagnostics_to_proto([Diagnostic(str(exc))]), True
    if isinstance(exc, ConfigError):
        return convert.diagnostics_to_proto(exc.diagnostics), False
    if isinstance(exc, BuildError):
        return convert.diagnostics_to_proto([Diagnostic(str(exc))]), False
    log.error("component raised:\n%s", "".join(traceback.format_exception(exc)))
    return convert.diagnostics_to_proto([convert.exception_diagnostic(exc)]), False


_Response = TypeVar("_Response")


def _prepare(
    served: Served, kind: str, method: str, request: Any, response_type: Callable[..., _Response]
) -> _Response:
    """Make an instance of ``request.name``, decode its config, call prepare/configure; its handle, or
    diagnostics."""
    info = convert.info_from_proto(request.info)
    try:
        component = served.component_class(kind, request.name)()
    except LookupError as exc:
        return response_type(diagnostics=convert.diagnostics_to_proto([Diagnostic(str(exc))]))
    except Exception as exc:  # noqa: BLE001 - a plugin that cannot load its component says why
        log.error("loading %s %s failed:\n%s", kind, request.name, traceback.format_exc())
        return response_type(diagnostics=convert.diagnostics_to_proto([convert.exception_diagnostic(exc)]))
    try:
        cfg = config_mod.decode(component.Config, convert.json_from_proto(request.config) or {})
        warnings = getattr(component, method)(cfg, info) or []
    except ConfigError as exc:
        return response_type(diagnostics=convert.diagnostics_to_proto(exc.diagnostics))
    except Exception as exc:  # noqa: BLE001 - a bug in the plugin becomes a diagnostic, not a crash
        log.error("%s of %s %s failed:\n%s", method, kind, request.name, traceback.format_exc())
        return response_type(diagnostics=convert.diagnostics_to_proto([convert.exception_diagnostic(exc)]))
    response = response_type(
        diagnostics=convert.diagnostics_to_proto(convert.warnings_to_diagnostics(warnings)),
        instance=served.add(Instance(kind, request.name, component, info)),
    )
    if isinstance(component, Builder):
        builder_response: Any = response
        builder_response.generated_data.extend(component.generated_data_names())
    return response


def _artifact_ref(artifact: Artifact, served: Served) -> pb.Ref:
    return pb.Ref(address=served.address, id=served.registry.add(artifact))


class PluginServicer(rpc.PluginServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def GetInfo(self, request: pb.GetInfoRequest, context: grpc.ServicerContext) -> pb.GetInfoResponse:
        return pb.GetInfoResponse(
            plugin_version=self.served.version, protocol_major=PROTOCOL_MAJOR, protocol_minor=PROTOCOL_MINOR,
            capabilities=list(self.served.capabilities), source=self.served.source,
        )

    def GetSchema(self, request: pb.GetSchemaRequest, context: grpc.ServicerContext) -> pb.GetSchemaResponse:
        kind = convert.KIND_FROM.get(request.kind, "")
        try:
            cls: Any = self.served.component_class(kind, request.name)
            response = pb.GetSchemaResponse(
                config=convert.schema_to_proto(config_mod.schema_of(cls.Config, getattr(cls, "description", "")))
            )
            if kind == "datasource":
                response.output.CopyFrom(convert.schema_to_proto(config_mod.schema_of(cls.Output)))
            return response
        except LookupError as exc:
            return pb.GetSchemaResponse(diagnostics=convert.diagnostics_to_proto([Diagnostic(str(exc))]))
        except Exception as exc:  # noqa: BLE001
            log.error("schema of %s %s failed:\n%s", kind, request.name, traceback.format_exc())
            return pb.GetSchemaResponse(diagnostics=convert.diagnostics_to_proto([convert.exception_diagnostic(exc)]))

    def Cancel(self, request: pb.CancelRequest, context: grpc.ServicerContext) -> pb.CancelResponse:
        self.served.cancel(request.instance)
        return pb.CancelResponse()

    def Close(self, request: pb.CloseRequest, context: grpc.ServicerContext) -> pb.CloseResponse:
        self.served.close(list(request.instances))
        return pb.CloseResponse()


class BuilderServicer(rpc.BuilderServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def Prepare(self, request: pb.BuilderPrepareRequest, context: grpc.ServicerContext) -> pb.BuilderPrepareResponse:
        return _prepare(self.served, "builder", "prepare", request, pb.BuilderPrepareResponse)

    def Run(self, request: pb.BuilderRunRequest, context: grpc.ServicerContext) -> pb.BuilderRunResponse:
        instance = self.served.get(request.instance, context)
        component: Builder[Any] = instance.component
        ctx = BuildContext(
            ui=RemoteUi(request.ui), info=instance.info, cancel_event=self.served.cancel_event(instance, context),
            hook=RemoteHook(request.hook, self.served.address, self.served.registry),
        )
        try:
            artifact = component.run(ctx)
        except BaseException as exc:  # noqa: BLE001
            diagnostics, cancelled = _failure(exc)
            return pb.BuilderRunResponse(diagnostics=diagnostics, cancelled=cancelled or ctx.cancelled)
        if ctx.cancelled:
            return pb.BuilderRunResponse(cancelled=True, diagnostics=convert.diagnostics_to_proto(
                [Diagnostic("Build was cancelled.")]))
        if artifact is None:
            return pb.BuilderRunResponse()
        return pb.BuilderRunResponse(artifact=convert.artifact_to_proto(artifact, _artifact_ref(artifact, self.served)))


class ProvisionerServicer(rpc.ProvisionerServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def Prepare(self, request: pb.ProvisionerPrepareRequest, context: grpc.ServicerContext
                ) -> pb.ProvisionerPrepareResponse:
        return _prepare(self.served, "provisioner", "prepare", request, pb.ProvisionerPrepareResponse)

    def Provision(self, request: pb.ProvisionRequest, context: grpc.ServicerContext) -> pb.ProvisionResponse:
        instance = self.served.get(request.instance, context)
        component: Provisioner[Any] = instance.component
        communicator = None
        if request.HasField("communicator"):
            from kiln_sdk._wire.communicator import RemoteCommunicator

            communicator = RemoteCommunicator(request.communicator)
        ctx = ProvisionContext(
            ui=RemoteUi(request.ui), info=instance.info, cancel_event=self.served.cancel_event(instance, context),
            communicator=communicator, generated_data=convert.json_from_proto(request.generated_data) or {},
        )
        try:
            component.provision(ctx)
        except BaseException as exc:  # noqa: BLE001
            diagnostics, cancelled = _failure(exc)
            return pb.ProvisionResponse(diagnostics=diagnostics, cancelled=cancelled or ctx.cancelled)
        return pb.ProvisionResponse(cancelled=ctx.cancelled)


class PostProcessorServicer(rpc.PostProcessorServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def Configure(self, request: pb.PostProcessorConfigureRequest, context: grpc.ServicerContext
                  ) -> pb.PostProcessorConfigureResponse:
        return _prepare(self.served, "post-processor", "configure", request, pb.PostProcessorConfigureResponse)

    def PostProcess(self, request: pb.PostProcessRequest, context: grpc.ServicerContext) -> pb.PostProcessResponse:
        instance = self.served.get(request.instance, context)
        component: PostProcessor[Any] = instance.component
        ctx = Context(ui=RemoteUi(request.ui), info=instance.info,
                      cancel_event=self.served.cancel_event(instance, context))
        try:
            result = component.post_process(ctx, convert.artifact_from_proto(request.artifact))
        except BaseException as exc:  # noqa: BLE001
            diagnostics, cancelled = _failure(exc)
            return pb.PostProcessResponse(diagnostics=diagnostics, cancelled=cancelled or ctx.cancelled)
        response = pb.PostProcessResponse(keep=result.keep, force_override=result.force_override)
        if result.artifact is not None:
            response.artifact.CopyFrom(
                convert.artifact_to_proto(result.artifact, _artifact_ref(result.artifact, self.served)))
        return response


class DatasourceServicer(rpc.DatasourceServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def Configure(self, request: pb.DatasourceConfigureRequest, context: grpc.ServicerContext
                  ) -> pb.DatasourceConfigureResponse:
        return _prepare(self.served, "datasource", "configure", request, pb.DatasourceConfigureResponse)

    def Execute(self, request: pb.ExecuteRequest, context: grpc.ServicerContext) -> pb.ExecuteResponse:
        instance = self.served.get(request.instance, context)
        component: Datasource[Any] = instance.component
        ctx = Context(ui=_NullUi(), info=instance.info, cancel_event=self.served.cancel_event(instance, context))
        try:
            output = component.execute(ctx)
        except BaseException as exc:  # noqa: BLE001
            return pb.ExecuteResponse(diagnostics=_failure(exc)[0])
        return pb.ExecuteResponse(output=pb.Json(json=json.dumps(config_mod.encode(output))))


class ArtifactServicer(rpc.ArtifactServicer):
    def __init__(self, served: Served) -> None:
        self.served = served

    def Destroy(self, request: pb.DestroyArtifactRequest, context: grpc.ServicerContext
                ) -> pb.DestroyArtifactResponse:
        try:
            artifact: Artifact = self.served.registry.get(request.id)
        except LookupError as exc:
            return pb.DestroyArtifactResponse(diagnostics=convert.diagnostics_to_proto([Diagnostic(str(exc))]))
        try:
            artifact.destroy()
        except BuildError as exc:
            return pb.DestroyArtifactResponse(diagnostics=convert.diagnostics_to_proto(
                [Diagnostic(f"destroying artifact {artifact.id!r}: {exc}")]))
        except Exception as exc:  # noqa: BLE001
            log.error("destroying artifact %s failed:\n%s", artifact.id, traceback.format_exc())
            return pb.DestroyArtifactResponse(diagnostics=convert.diagnostics_to_proto(
                [Diagnostic(f"destroying artifact {artifact.id!r}: {type(exc).__name__}: {exc}")]))
        self.served.registry.remove(request.id)
        return pb.DestroyArtifactResponse()


class _NullUi(RemoteUi):
    """Data sources run before any build exists: their Ui lines go to the plugin's log."""

    def __init__(self) -> None:  # noqa: D107 - deliberately no channel
        pass

    def _say(self, kind: int, text: str) -> None:
        log.info("%s: %s", pb.UiSayRequest.Kind.Name(kind), text)

    def machine(self, type_: str, *args: str) -> None:
        log.info("machine %s %s", type_, args)

    def ask(self, query: str) -> str:
        return ""


def add_all(server: grpc.Server, served: Served) -> None:
    """Every service of a plugin process."""
    from kiln_sdk._wire.communicator import CommunicatorServicer

    rpc.add_PluginServicer_to_server(PluginServicer(served), server)
    rpc.add_BuilderServicer_to_server(BuilderServicer(served), server)
    rpc.add_ProvisionerServicer_to_server(ProvisionerServicer(served), server)
    rpc.add_PostProcessorServicer_to_server(PostProcessorServicer(served), server)
    rpc.add_DatasourceServicer_to_server(DatasourceServicer(served), server)
    rpc.add_ArtifactServicer_to_server(ArtifactServicer(served), server)
    # builders hand their communicator to provisioners in other processes: serve it from here
    rpc.add_CommunicatorServicer_to_server(CommunicatorServicer(served.registry), server)
