"""The one conversion layer between plain SDK classes and generated protobuf messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import Diagnostic
from kiln_sdk.schema import Attribute, Block, Schema

_SEVERITY_TO = {"error": pb.Diagnostic.SEVERITY_ERROR, "warning": pb.Diagnostic.SEVERITY_WARNING}
_SEVERITY_FROM = {pb.Diagnostic.SEVERITY_ERROR: "error", pb.Diagnostic.SEVERITY_WARNING: "warning"}
_ON_ERROR_TO = {
    "cleanup": pb.BuildInfo.ON_ERROR_CLEANUP, "abort": pb.BuildInfo.ON_ERROR_ABORT, "ask": pb.BuildInfo.ON_ERROR_ASK,
    "run-cleanup-provisioner": pb.BuildInfo.ON_ERROR_RUN_CLEANUP_PROVISIONER,
}
_ON_ERROR_FROM = {v: k for k, v in _ON_ERROR_TO.items()}
KIND_TO = {
    "builder": pb.COMPONENT_KIND_BUILDER, "provisioner": pb.COMPONENT_KIND_PROVISIONER,
    "post-processor": pb.COMPONENT_KIND_POST_PROCESSOR, "datasource": pb.COMPONENT_KIND_DATASOURCE,
}
KIND_FROM = {v: k for k, v in KIND_TO.items()}


def schema_to_proto(schema: Schema) -> pb.Schema:
    return pb.Schema(
        description=schema.description,
        attributes=[
            pb.Attribute(
                name=a.name, type=a.type, required=a.required, sensitive=a.sensitive,
                description=a.description, has_default=a.has_default,
                default_json=json.dumps(a.default) if a.has_default else "",
            )
            for a in schema.attributes
        ],
        blocks=[
            pb.NestedBlock(
                type_name=b.type_name, schema=schema_to_proto(b.schema),
                nesting=pb.NestedBlock.NESTING_LIST if b.nesting == "list" else pb.NestedBlock.NESTING_SINGLE,
                required=b.required, description=b.description,
            )
            for b in schema.blocks
        ],
    )


def schema_from_proto(msg: pb.Schema) -> Schema:
    return Schema(
        attributes=tuple(
            Attribute(
                name=a.name, type=a.type, required=a.required, sensitive=a.sensitive,
                description=a.description, has_default=a.has_default,
                default=json.loads(a.default_json) if a.default_json else None,
            )
            for a in msg.attributes
        ),
        blocks=tuple(
            Block(
                b.type_name, schema_from_proto(b.schema),
                "list" if b.nesting == pb.NestedBlock.NESTING_LIST else "single", b.required, b.description,
            )
            for b in msg.blocks
        ),
        description=msg.description,
    )


def diagnostics_to_proto(diags: Iterable[Diagnostic]) -> list[pb.Diagnostic]:
    return [
        pb.Diagnostic(severity=_SEVERITY_TO[d.severity], summary=d.summary, detail=d.detail,
                      attribute_path=list(d.path), exception_type=d.exception_type)
        for d in diags
    ]


def diagnostics_from_proto(msgs: Iterable[pb.Diagnostic]) -> list[Diagnostic]:
    return [
        Diagnostic(m.summary, m.detail, tuple(m.attribute_path), _SEVERITY_FROM.get(m.severity, "error"),  # type: ignore[arg-type]
                   m.exception_type)
        for m in msgs
    ]


def warnings_to_diagnostics(warnings: Sequence[str]) -> list[Diagnostic]:
    return [Diagnostic(w, severity="warning") for w in warnings]


def info_to_proto(info: BuildInfo) -> pb.BuildInfo:
    return pb.BuildInfo(
        build_name=info.build_name, builder_type=info.builder_type, core_version=info.core_version,
        run_uuid=info.run_uuid, debug=info.debug, force=info.force,
        on_error=_ON_ERROR_TO.get(info.on_error, pb.BuildInfo.ON_ERROR_CLEANUP),
        template_dir=info.template_dir, sensitive_values=list(info.sensitive_values),
    )


def info_from_proto(msg: pb.BuildInfo) -> BuildInfo:
    return BuildInfo(
        build_name=msg.build_name, builder_type=msg.builder_type, core_version=msg.core_version,
        run_uuid=msg.run_uuid, debug=msg.debug, force=msg.force, on_error=_ON_ERROR_FROM.get(msg.on_error, "cleanup"),
        template_dir=msg.template_dir, sensitive_values=tuple(msg.sensitive_values),
    )


def artifact_to_proto(artifact: Artifact, ref: pb.Ref | None = None) -> pb.ArtifactData:
    msg = pb.ArtifactData(
        builder_id=artifact.builder_id, id=artifact.id, files=list(artifact.files),
        string=artifact.string, state_json=json.dumps(artifact.state),
    )
    if ref is not None:
        msg.ref.CopyFrom(ref)
    return msg


def artifact_from_proto(msg: pb.ArtifactData) -> Artifact:
    return Artifact(
        builder_id=msg.builder_id, id=msg.id, files=list(msg.files), string=msg.string,
        state=json.loads(msg.state_json) if msg.state_json else {},
    )


def json_to_proto(value: Any) -> pb.Json:
    return pb.Json(json=json.dumps(value))


def json_from_proto(msg: pb.Json) -> Any:
    return json.loads(msg.json) if msg.json else None


def exception_diagnostic(exc: BaseException) -> Diagnostic:
    """An unhandled exception of a component, as the diagnostic the core shows (type and message)."""
    return Diagnostic(str(exc) or type(exc).__name__, exception_type=type(exc).__name__)


def error_text(diags: Iterable[Diagnostic]) -> str:
    """The errors among ``diags`` as one plain text (what a caller without a template shows)."""
    lines = []
    for d in diags:
        if d.severity != "error":
            continue
        text = f"{d.exception_type}: {d.summary}" if d.exception_type else d.summary
        lines.append(text + (f": {d.detail}" if d.detail else ""))
    return "\n".join(lines)
