from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Empty(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

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
        SINGLE: _ClassVar[NestedBlock.Nesting]
        LIST: _ClassVar[NestedBlock.Nesting]
    SINGLE: NestedBlock.Nesting
    LIST: NestedBlock.Nesting
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
    __slots__ = ("severity", "summary", "detail", "attribute_path")
    class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        INVALID: _ClassVar[Diagnostic.Severity]
        ERROR: _ClassVar[Diagnostic.Severity]
        WARNING: _ClassVar[Diagnostic.Severity]
    INVALID: Diagnostic.Severity
    ERROR: Diagnostic.Severity
    WARNING: Diagnostic.Severity
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_PATH_FIELD_NUMBER: _ClassVar[int]
    severity: Diagnostic.Severity
    summary: str
    detail: str
    attribute_path: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, severity: _Optional[_Union[Diagnostic.Severity, str]] = ..., summary: _Optional[str] = ..., detail: _Optional[str] = ..., attribute_path: _Optional[_Iterable[str]] = ...) -> None: ...

class BuildInfo(_message.Message):
    __slots__ = ("build_name", "builder_type", "core_version", "run_uuid", "debug", "force", "on_error", "template_dir", "sensitive_values")
    BUILD_NAME_FIELD_NUMBER: _ClassVar[int]
    BUILDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORE_VERSION_FIELD_NUMBER: _ClassVar[int]
    RUN_UUID_FIELD_NUMBER: _ClassVar[int]
    DEBUG_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    ON_ERROR_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_DIR_FIELD_NUMBER: _ClassVar[int]
    SENSITIVE_VALUES_FIELD_NUMBER: _ClassVar[int]
    build_name: str
    builder_type: str
    core_version: str
    run_uuid: str
    debug: bool
    force: bool
    on_error: str
    template_dir: str
    sensitive_values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, build_name: _Optional[str] = ..., builder_type: _Optional[str] = ..., core_version: _Optional[str] = ..., run_uuid: _Optional[str] = ..., debug: _Optional[bool] = ..., force: _Optional[bool] = ..., on_error: _Optional[str] = ..., template_dir: _Optional[str] = ..., sensitive_values: _Optional[_Iterable[str]] = ...) -> None: ...

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

class ComponentInfo(_message.Message):
    __slots__ = ("kind", "name")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kind: str
    name: str
    def __init__(self, kind: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class PrepareRequest(_message.Message):
    __slots__ = ("config", "info")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    config: Json
    info: BuildInfo
    def __init__(self, config: _Optional[_Union[Json, _Mapping]] = ..., info: _Optional[_Union[BuildInfo, _Mapping]] = ...) -> None: ...

class PrepareResponse(_message.Message):
    __slots__ = ("diagnostics", "generated_data")
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    GENERATED_DATA_FIELD_NUMBER: _ClassVar[int]
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    generated_data: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ..., generated_data: _Optional[_Iterable[str]] = ...) -> None: ...

class BuilderRunRequest(_message.Message):
    __slots__ = ("ui", "hook")
    UI_FIELD_NUMBER: _ClassVar[int]
    HOOK_FIELD_NUMBER: _ClassVar[int]
    ui: Ref
    hook: Ref
    def __init__(self, ui: _Optional[_Union[Ref, _Mapping]] = ..., hook: _Optional[_Union[Ref, _Mapping]] = ...) -> None: ...

class BuilderRunResponse(_message.Message):
    __slots__ = ("artifact", "has_artifact", "error", "cancelled")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    HAS_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    artifact: ArtifactData
    has_artifact: bool
    error: str
    cancelled: bool
    def __init__(self, artifact: _Optional[_Union[ArtifactData, _Mapping]] = ..., has_artifact: _Optional[bool] = ..., error: _Optional[str] = ..., cancelled: _Optional[bool] = ...) -> None: ...

class ProvisionRequest(_message.Message):
    __slots__ = ("ui", "communicator", "generated_data")
    UI_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATOR_FIELD_NUMBER: _ClassVar[int]
    GENERATED_DATA_FIELD_NUMBER: _ClassVar[int]
    ui: Ref
    communicator: Ref
    generated_data: Json
    def __init__(self, ui: _Optional[_Union[Ref, _Mapping]] = ..., communicator: _Optional[_Union[Ref, _Mapping]] = ..., generated_data: _Optional[_Union[Json, _Mapping]] = ...) -> None: ...

class ProvisionResponse(_message.Message):
    __slots__ = ("error", "cancelled")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    error: str
    cancelled: bool
    def __init__(self, error: _Optional[str] = ..., cancelled: _Optional[bool] = ...) -> None: ...

class PostProcessRequest(_message.Message):
    __slots__ = ("ui", "artifact")
    UI_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    ui: Ref
    artifact: ArtifactData
    def __init__(self, ui: _Optional[_Union[Ref, _Mapping]] = ..., artifact: _Optional[_Union[ArtifactData, _Mapping]] = ...) -> None: ...

class PostProcessResponse(_message.Message):
    __slots__ = ("artifact", "has_artifact", "keep", "force_override", "error", "cancelled")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    HAS_ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    FORCE_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    artifact: ArtifactData
    has_artifact: bool
    keep: bool
    force_override: bool
    error: str
    cancelled: bool
    def __init__(self, artifact: _Optional[_Union[ArtifactData, _Mapping]] = ..., has_artifact: _Optional[bool] = ..., keep: _Optional[bool] = ..., force_override: _Optional[bool] = ..., error: _Optional[str] = ..., cancelled: _Optional[bool] = ...) -> None: ...

class ExecuteResponse(_message.Message):
    __slots__ = ("output", "error")
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    output: Json
    error: str
    def __init__(self, output: _Optional[_Union[Json, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class UiMessage(_message.Message):
    __slots__ = ("id", "kind", "text")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    id: int
    kind: str
    text: str
    def __init__(self, id: _Optional[int] = ..., kind: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class UiMachine(_message.Message):
    __slots__ = ("id", "type", "args")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    id: int
    type: str
    args: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[int] = ..., type: _Optional[str] = ..., args: _Optional[_Iterable[str]] = ...) -> None: ...

class UiAsk(_message.Message):
    __slots__ = ("id", "query")
    ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    id: int
    query: str
    def __init__(self, id: _Optional[int] = ..., query: _Optional[str] = ...) -> None: ...

class UiAnswer(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class HookRequest(_message.Message):
    __slots__ = ("id", "name", "communicator", "data")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATOR_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    id: int
    name: str
    communicator: Ref
    data: Json
    def __init__(self, id: _Optional[int] = ..., name: _Optional[str] = ..., communicator: _Optional[_Union[Ref, _Mapping]] = ..., data: _Optional[_Union[Json, _Mapping]] = ...) -> None: ...

class HookResponse(_message.Message):
    __slots__ = ("error", "cancelled")
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    error: str
    cancelled: bool
    def __init__(self, error: _Optional[str] = ..., cancelled: _Optional[bool] = ...) -> None: ...

class RunCommandRequest(_message.Message):
    __slots__ = ("id", "command", "stdin")
    ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    STDIN_FIELD_NUMBER: _ClassVar[int]
    id: int
    command: str
    stdin: bytes
    def __init__(self, id: _Optional[int] = ..., command: _Optional[str] = ..., stdin: _Optional[bytes] = ...) -> None: ...

class CommandOutput(_message.Message):
    __slots__ = ("stdout", "stderr", "exit_status")
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    EXIT_STATUS_FIELD_NUMBER: _ClassVar[int]
    stdout: bytes
    stderr: bytes
    exit_status: int
    def __init__(self, stdout: _Optional[bytes] = ..., stderr: _Optional[bytes] = ..., exit_status: _Optional[int] = ...) -> None: ...

class UploadChunk(_message.Message):
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

class DownloadRequest(_message.Message):
    __slots__ = ("id", "src")
    ID_FIELD_NUMBER: _ClassVar[int]
    SRC_FIELD_NUMBER: _ClassVar[int]
    id: int
    src: str
    def __init__(self, id: _Optional[int] = ..., src: _Optional[str] = ...) -> None: ...

class DataChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...
