from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ComponentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPONENT_KIND_UNSPECIFIED: _ClassVar[ComponentKind]
    COMPONENT_KIND_BUILDER: _ClassVar[ComponentKind]
    COMPONENT_KIND_PROVISIONER: _ClassVar[ComponentKind]
    COMPONENT_KIND_POST_PROCESSOR: _ClassVar[ComponentKind]
    COMPONENT_KIND_DATASOURCE: _ClassVar[ComponentKind]
COMPONENT_KIND_UNSPECIFIED: ComponentKind
COMPONENT_KIND_BUILDER: ComponentKind
COMPONENT_KIND_PROVISIONER: ComponentKind
COMPONENT_KIND_POST_PROCESSOR: ComponentKind
COMPONENT_KIND_DATASOURCE: ComponentKind

class Json(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...

class Attribute(_message.Message):
    __slots__ = ("name", "type", "required", "sensitive", "description", "default_json", "has_default")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    SENSITIVE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_JSON_FIELD_NUMBER: _ClassVar[int]
    HAS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    required: bool
    sensitive: bool
    description: str
    default_json: str
    has_default: bool
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., required: _Optional[bool] = ..., sensitive: _Optional[bool] = ..., description: _Optional[str] = ..., default_json: _Optional[str] = ..., has_default: _Optional[bool] = ...) -> None: ...

class NestedBlock(_message.Message):
    __slots__ = ("type_name", "schema", "nesting", "required", "description")
    class Nesting(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        NESTING_UNSPECIFIED: _ClassVar[NestedBlock.Nesting]
        NESTING_SINGLE: _ClassVar[NestedBlock.Nesting]
        NESTING_LIST: _ClassVar[NestedBlock.Nesting]
    NESTING_UNSPECIFIED: NestedBlock.Nesting
    NESTING_SINGLE: NestedBlock.Nesting
    NESTING_LIST: NestedBlock.Nesting
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    NESTING_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    type_name: str
    schema: Schema
    nesting: NestedBlock.Nesting
    required: bool
    description: str
    def __init__(self, type_name: _Optional[str] = ..., schema: _Optional[_Union[Schema, _Mapping]] = ..., nesting: _Optional[_Union[NestedBlock.Nesting, str]] = ..., required: _Optional[bool] = ..., description: _Optional[str] = ...) -> None: ...

class Schema(_message.Message):
    __slots__ = ("attributes", "blocks", "description")
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.RepeatedCompositeFieldContainer[Attribute]
    blocks: _containers.RepeatedCompositeFieldContainer[NestedBlock]
    description: str
    def __init__(self, attributes: _Optional[_Iterable[_Union[Attribute, _Mapping]]] = ..., blocks: _Optional[_Iterable[_Union[NestedBlock, _Mapping]]] = ..., description: _Optional[str] = ...) -> None: ...

class Diagnostic(_message.Message):
    __slots__ = ("severity", "summary", "detail", "attribute_path", "exception_type")
    class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SEVERITY_UNSPECIFIED: _ClassVar[Diagnostic.Severity]
        SEVERITY_ERROR: _ClassVar[Diagnostic.Severity]
        SEVERITY_WARNING: _ClassVar[Diagnostic.Severity]
    SEVERITY_UNSPECIFIED: Diagnostic.Severity
    SEVERITY_ERROR: Diagnostic.Severity
    SEVERITY_WARNING: Diagnostic.Severity
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_PATH_FIELD_NUMBER: _ClassVar[int]
    EXCEPTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    severity: Diagnostic.Severity
    summary: str
    detail: str
    attribute_path: _containers.RepeatedScalarFieldContainer[str]
    exception_type: str
    def __init__(self, severity: _Optional[_Union[Diagnostic.Severity, str]] = ..., summary: _Optional[str] = ..., detail: _Optional[str] = ..., attribute_path: _Optional[_Iterable[str]] = ..., exception_type: _Optional[str] = ...) -> None: ...

class BuildInfo(_message.Message):
    __slots__ = ("build_name", "builder_type", "core_version", "run_uuid", "debug", "force", "template_dir", "sensitive_values", "on_error")
    class OnError(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ON_ERROR_UNSPECIFIED: _ClassVar[BuildInfo.OnError]
        ON_ERROR_CLEANUP: _ClassVar[BuildInfo.OnError]
        ON_ERROR_ABORT: _ClassVar[BuildInfo.OnError]
        ON_ERROR_ASK: _ClassVar[BuildInfo.OnError]
        ON_ERROR_RUN_CLEANUP_PROVISIONER: _ClassVar[BuildInfo.OnError]
    ON_ERROR_UNSPECIFIED: BuildInfo.OnError
    ON_ERROR_CLEANUP: BuildInfo.OnError
    ON_ERROR_ABORT: BuildInfo.OnError
    ON_ERROR_ASK: BuildInfo.OnError
    ON_ERROR_RUN_CLEANUP_PROVISIONER: BuildInfo.OnError
    BUILD_NAME_FIELD_NUMBER: _ClassVar[int]
    BUILDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORE_VERSION_FIELD_NUMBER: _ClassVar[int]
    RUN_UUID_FIELD_NUMBER: _ClassVar[int]
    DEBUG_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_DIR_FIELD_NUMBER: _ClassVar[int]
    SENSITIVE_VALUES_FIELD_NUMBER: _ClassVar[int]
    ON_ERROR_FIELD_NUMBER: _ClassVar[int]
    build_name: str
    builder_type: str
    core_version: str
    run_uuid: str
    debug: bool
    force: bool
    template_dir: str
    sensitive_values: _containers.RepeatedScalarFieldContainer[str]
    on_error: BuildInfo.OnError
    def __init__(self, build_name: _Optional[str] = ..., builder_type: _Optional[str] = ..., core_version: _Optional[str] = ..., run_uuid: _Optional[str] = ..., debug: _Optional[bool] = ..., force: _Optional[bool] = ..., template_dir: _Optional[str] = ..., sensitive_values: _Optional[_Iterable[str]] = ..., on_error: _Optional[_Union[BuildInfo.OnError, str]] = ...) -> None: ...

class Ref(_message.Message):
    __slots__ = ("address", "id")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    address: str
    id: int
    def __init__(self, address: _Optional[str] = ..., id: _Optional[int] = ...) -> None: ...

class ArtifactData(_message.Message):
    __slots__ = ("builder_id", "id", "files", "string", "state_json", "ref")
    BUILDER_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    STRING_FIELD_NUMBER: _ClassVar[int]
    STATE_JSON_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    builder_id: str
    id: str
    files: _containers.RepeatedScalarFieldContainer[str]
    string: str
    state_json: str
    ref: Ref
    def __init__(self, builder_id: _Optional[str] = ..., id: _Optional[str] = ..., files: _Optional[_Iterable[str]] = ..., string: _Optional[str] = ..., state_json: _Optional[str] = ..., ref: _Optional[_Union[Ref, _Mapping]] = ...) -> None: ...

class GetInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetInfoResponse(_message.Message):
    __slots__ = ("plugin_version", "protocol_major", "protocol_minor", "capabilities", "source")
    PLUGIN_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_MAJOR_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_MINOR_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    plugin_version: str
    protocol_major: int
    protocol_minor: int
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    source: str
    def __init__(self, plugin_version: _Optional[str] = ..., protocol_major: _Optional[int] = ..., protocol_minor: _Optional[int] = ..., capabilities: _Optional[_Iterable[str]] = ..., source: _Optional[str] = ...) -> None: ...

class GetSchemaRequest(_message.Message):
    __slots__ = ("kind", "name")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kind: ComponentKind
    name: str
    def __init__(self, kind: _Optional[_Union[ComponentKind, str]] = ..., name: _Optional[str] = ...) -> None: ...

class GetSchemaResponse(_message.Message):
    __slots__ = ("config", "output", "diagnostics")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    config: Schema
    output: Schema
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, config: _Optional[_Union[Schema, _Mapping]] = ..., output: _Optional[_Union[Schema, _Mapping]] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class CancelRequest(_message.Message):
    __slots__ = ("instance",)
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    instance: int
    def __init__(self, instance: _Optional[int] = ...) -> None: ...

class CancelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CloseRequest(_message.Message):
    __slots__ = ("instances",)
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, instances: _Optional[_Iterable[int]] = ...) -> None: ...

class CloseResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BuilderPrepareRequest(_message.Message):
    __slots__ = ("name", "config", "info")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    name: str
    config: Json
    info: BuildInfo
    def __init__(self, name: _Optional[str] = ..., config: _Optional[_Union[Json, _Mapping]] = ..., info: _Optional[_Union[BuildInfo, _Mapping]] = ...) -> None: ...

class BuilderPrepareResponse(_message.Message):
    __slots__ = ("instance", "diagnostics", "generated_data")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    GENERATED_DATA_FIELD_NUMBER: _ClassVar[int]
    instance: int
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    generated_data: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, instance: _Optional[int] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ..., generated_data: _Optional[_Iterable[str]] = ...) -> None: ...

class BuilderRunRequest(_message.Message):
    __slots__ = ("ui", "hook", "instance")
    UI_FIELD_NUMBER: _ClassVar[int]
    HOOK_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    ui: Ref
    hook: Ref
    instance: int
    def __init__(self, ui: _Optional[_Union[Ref, _Mapping]] = ..., hook: _Optional[_Union[Ref, _Mapping]] = ..., instance: _Optional[int] = ...) -> None: ...

class BuilderRunResponse(_message.Message):
    __slots__ = ("artifact", "cancelled", "diagnostics")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    artifact: ArtifactData
    cancelled: bool
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, artifact: _Optional[_Union[ArtifactData, _Mapping]] = ..., cancelled: _Optional[bool] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class ProvisionerPrepareRequest(_message.Message):
    __slots__ = ("name", "config", "info")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    name: str
    config: Json
    info: BuildInfo
    def __init__(self, name: _Optional[str] = ..., config: _Optional[_Union[Json, _Mapping]] = ..., info: _Optional[_Union[BuildInfo, _Mapping]] = ...) -> None: ...

class ProvisionerPrepareResponse(_message.Message):
    __slots__ = ("instance", "diagnostics")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    instance: int
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, instance: _Optional[int] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class ProvisionRequest(_message.Message):
    __slots__ = ("ui", "communicator", "generated_data", "instance")
    UI_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATOR_FIELD_NUMBER: _ClassVar[int]
    GENERATED_DATA_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    ui: Ref
    communicator: Ref
    generated_data: Json
    instance: int
    def __init__(self, ui: _Optional[_Union[Ref, _Mapping]] = ..., communicator: _Optional[_Union[Ref, _Mapping]] = ..., generated_data: _Optional[_Union[Json, _Mapping]] = ..., instance: _Optional[int] = ...) -> None: ...

class ProvisionResponse(_message.Message):
    __slots__ = ("cancelled", "diagnostics")
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    cancelled: bool
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, cancelled: _Optional[bool] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class PostProcessorConfigureRequest(_message.Message):
    __slots__ = ("name", "config", "info")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    name: str
    config: Json
    info: BuildInfo
    def __init__(self, name: _Optional[str] = ..., config: _Optional[_Union[Json, _Mapping]] = ..., info: _Optional[_Union[BuildInfo, _Mapping]] = ...) -> None: ...

class PostProcessorConfigureResponse(_message.Message):
    __slots__ = ("instance", "diagnostics")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    instance: int
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, instance: _Optional[int] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class PostProcessRequest(_message.Message):
    __slots__ = ("ui", "artifact", "instance")
    UI_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    ui: Ref
    artifact: ArtifactData
    instance: int
    def __init__(self, ui: _Optional[_Union[Ref, _Mapping]] = ..., artifact: _Optional[_Union[ArtifactData, _Mapping]] = ..., instance: _Optional[int] = ...) -> None: ...

class PostProcessResponse(_message.Message):
    __slots__ = ("artifact", "keep", "force_override", "cancelled", "diagnostics")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    FORCE_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    artifact: ArtifactData
    keep: bool
    force_override: bool
    cancelled: bool
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, artifact: _Optional[_Union[ArtifactData, _Mapping]] = ..., keep: _Optional[bool] = ..., force_override: _Optional[bool] = ..., cancelled: _Optional[bool] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class DatasourceConfigureRequest(_message.Message):
    __slots__ = ("name", "config", "info")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    name: str
    config: Json
    info: BuildInfo
    def __init__(self, name: _Optional[str] = ..., config: _Optional[_Union[Json, _Mapping]] = ..., info: _Optional[_Union[BuildInfo, _Mapping]] = ...) -> None: ...

class DatasourceConfigureResponse(_message.Message):
    __slots__ = ("instance", "diagnostics")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    instance: int
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, instance: _Optional[int] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class ExecuteRequest(_message.Message):
    __slots__ = ("instance",)
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    instance: int
    def __init__(self, instance: _Optional[int] = ...) -> None: ...

class ExecuteResponse(_message.Message):
    __slots__ = ("output", "diagnostics")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    output: Json
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, output: _Optional[_Union[Json, _Mapping]] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class UiSayRequest(_message.Message):
    __slots__ = ("id", "kind", "text")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[UiSayRequest.Kind]
        KIND_SAY: _ClassVar[UiSayRequest.Kind]
        KIND_MESSAGE: _ClassVar[UiSayRequest.Kind]
        KIND_ERROR: _ClassVar[UiSayRequest.Kind]
    KIND_UNSPECIFIED: UiSayRequest.Kind
    KIND_SAY: UiSayRequest.Kind
    KIND_MESSAGE: UiSayRequest.Kind
    KIND_ERROR: UiSayRequest.Kind
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    id: int
    kind: UiSayRequest.Kind
    text: str
    def __init__(self, id: _Optional[int] = ..., kind: _Optional[_Union[UiSayRequest.Kind, str]] = ..., text: _Optional[str] = ...) -> None: ...

class UiSayResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UiMachineRequest(_message.Message):
    __slots__ = ("id", "type", "args")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    id: int
    type: str
    args: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., type: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ...) -> None: ...

class UiMachineResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UiAskRequest(_message.Message):
    __slots__ = ("id", "query")
    ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    id: int
    query: str
    def __init__(self, id: _Optional[int] = ..., query: _Optional[str] = ...) -> None: ...

class UiAskResponse(_message.Message):
    __slots__ = ("text", "diagnostics")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    text: str
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, text: _Optional[str] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class HookRunRequest(_message.Message):
    __slots__ = ("id", "type", "communicator", "data")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[HookRunRequest.Type]
        TYPE_PROVISION: _ClassVar[HookRunRequest.Type]
    TYPE_UNSPECIFIED: HookRunRequest.Type
    TYPE_PROVISION: HookRunRequest.Type
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATOR_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    id: int
    type: HookRunRequest.Type
    communicator: Ref
    data: Json
    def __init__(self, id: _Optional[int] = ..., type: _Optional[_Union[HookRunRequest.Type, str]] = ..., communicator: _Optional[_Union[Ref, _Mapping]] = ..., data: _Optional[_Union[Json, _Mapping]] = ...) -> None: ...

class HookRunResponse(_message.Message):
    __slots__ = ("cancelled", "diagnostics")
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    cancelled: bool
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, cancelled: _Optional[bool] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class DestroyArtifactRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: int
    def __init__(self, id: _Optional[int] = ...) -> None: ...

class DestroyArtifactResponse(_message.Message):
    __slots__ = ("diagnostics",)
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class RunCommandRequest(_message.Message):
    __slots__ = ("id", "command", "stdin")
    ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    id: int
    command: str
    stdin: bytes
    def __init__(self, id: _Optional[int] = ..., command: _Optional[str] = ..., stdin: _Optional[bytes] = ...) -> None: ...

class RunCommandResponse(_message.Message):
    __slots__ = ("stdout", "stderr", "exit_status")
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    EXIT_STATUS_FIELD_NUMBER: _ClassVar[int]
    stdout: bytes
    stderr: bytes
    exit_status: int
    def __init__(self, stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., exit_status: _Optional[int] = ...) -> None: ...

class UploadRequest(_message.Message):
    __slots__ = ("id", "dst", "mode", "size", "data")
    ID_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    id: int
    dst: str
    mode: int
    size: int
    data: bytes
    def __init__(self, id: _Optional[int] = ..., dst: _Optional[str] = ..., mode: _Optional[int] = ..., size: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class UploadTarRequest(_message.Message):
    __slots__ = ("id", "dst", "data")
    ID_FIELD_NUMBER: _ClassVar[int]
    DST_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    id: int
    dst: str
    data: bytes
    def __init__(self, id: _Optional[int] = ..., dst: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class UploadTarResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DownloadRequest(_message.Message):
    __slots__ = ("id", "src")
    ID_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    id: int
    src: str
    def __init__(self, id: _Optional[int] = ..., src: _Optional[str] = ...) -> None: ...

class DownloadResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class DownloadTarRequest(_message.Message):
    __slots__ = ("id", "src")
    ID_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    id: int
    src: str
    def __init__(self, id: _Optional[int] = ..., src: _Optional[str] = ...) -> None: ...

class DownloadTarResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...
