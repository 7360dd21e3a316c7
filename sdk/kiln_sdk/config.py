"""Component configuration declared once, as a dataclass; the schema and the decoder derive from it.

    @dataclass
    class Config:
        target: str = setting(required=True, doc="Where to write the file.")
        content: str = setting(default="", doc="What to write.")
        password: str = setting(default="", sensitive=True)
        tags: dict[str, str] = setting(default_factory=dict)

Field types map to HCL types: ``str`` string, ``int``/``float`` number, ``bool`` bool, ``list[T]``,
``dict[str, T]`` map(T), ``Any`` any; a nested dataclass is a block, ``list[Dataclass]`` a repeated block.
A field's HCL name is its Python name (``name=`` overrides, e.g. for ``pause_before`` vs keywords).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union, get_args, get_origin

from kiln_sdk.diagnostics import ConfigError, Diagnostic
from kiln_sdk.schema import Attribute, Block, Schema

T = TypeVar("T")
_MISSING: Any = dataclasses.MISSING


def setting(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    required: bool = False,
    sensitive: bool = False,
    doc: str = "",
    name: str | None = None,
) -> Any:
    """Declare one configuration setting of a component's config dataclass."""
    metadata = {"kiln": {"required": required, "sensitive": sensitive, "doc": doc, "name": name}}
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    if default is _MISSING and not required:
        raise TypeError("an optional setting needs a default or default_factory")
    if default is _MISSING:
        return dataclasses.field(default=None, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _meta(f: dataclasses.Field[Any]) -> dict[str, Any]:
    m = f.metadata.get("kiln")
    return dict(m) if m else {"required": False, "sensitive": False, "doc": "", "name": None}


def _hcl_name(f: dataclasses.Field[Any]) -> str:
    return _meta(f)["name"] or f.name


def _strip_optional(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _is_block_type(tp: Any) -> tuple[bool, type | None, str]:
    tp = _strip_optional(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return True, tp, "single"
    if get_origin(tp) is list:
        (inner,) = get_args(tp) or (Any,)
        inner = _strip_optional(inner)
        if dataclasses.is_dataclass(inner) and isinstance(inner, type):
            return True, inner, "list"
    return False, None, ""


def hcl_type(tp: Any) -> str:
    """The HCL type expression for a Python annotation."""
    tp = _strip_optional(tp)
    if tp is str:
        return "string"
    if tp in (int, float):
        return "number"
    if tp is bool:
        return "bool"
    if tp is Any or tp is object:
        return "any"
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is list:
        return f"list({hcl_type(args[0]) if args else 'any'})"
    if origin is dict:
        return f"map({hcl_type(args[1]) if len(args) == 2 else 'any'})"
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        fields = ", ".join(
            f"{_hcl_name(f)}={hcl_type(h)}" for f, h in _fields_with_hints(tp)
        )
        return f"object({{{fields}}})"
    raise TypeError(f"kiln_sdk.config: unsupported setting type {tp!r}")


def _fields_with_hints(cls: type) -> list[tuple[dataclasses.Field[Any], Any]]:
    hints = typing.get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls) if f.init]


def schema_of(cls: type, description: str = "") -> Schema:
    """Derive the wire schema of a config dataclass."""
    attributes: list[Attribute] = []
    blocks: list[Block] = []
    for f, hint in _fields_with_hints(cls):
        meta = _meta(f)
        is_block, inner, nesting = _is_block_type(hint)
        if is_block and inner is not None:
            blocks.append(
                Block(_hcl_name(f), schema_of(inner, meta["doc"]), nesting,  # type: ignore[arg-type]
                      bool(meta["required"]), meta["doc"])
            )
            continue
        has_default = f.default is not _MISSING or f.default_factory is not _MISSING
        default = None
        if f.default is not _MISSING:
            default = f.default
        elif f.default_factory is not _MISSING:
            default = f.default_factory()  # type: ignore[operator]
        attributes.append(
            Attribute(
                name=_hcl_name(f), type=hcl_type(hint), required=bool(meta["required"]),
                sensitive=bool(meta["sensitive"]), description=meta["doc"],
                default=default if _jsonable(default) else None,
                has_default=has_default and not meta["required"],
            )
        )
    doc = description or (cls.__doc__ or "").strip()
    if doc.startswith(cls.__name__ + "("):  # dataclass's generated docstring
        doc = ""
    return Schema(tuple(attributes), tuple(blocks), doc)


def _jsonable(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool, list, dict))


def sensitive_paths(cls: type) -> list[str]:
    return [_hcl_name(f) for f, _ in _fields_with_hints(cls) if _meta(f)["sensitive"]]


def decode(cls: type[T], data: Mapping[str, Any], path: tuple[str, ...] = ()) -> T:
    """Build ``cls`` from JSON-like ``data``; every problem is a diagnostic with its attribute path."""
    problems: list[Diagnostic] = []
    value = _decode_object(cls, data, path, problems)
    if problems:
        raise ConfigError(problems)
    return value


def _decode_object(cls: type[T], data: Any, path: tuple[str, ...], problems: list[Diagnostic]) -> T:
    if not isinstance(data, Mapping):
        problems.append(Diagnostic("Incorrect block type", f"expected a block, got {type(data).__name__}", path))
        return None  # type: ignore[return-value]
    known: dict[str, tuple[dataclasses.Field[Any], Any]] = {
        _hcl_name(f): (f, h) for f, h in _fields_with_hints(cls)
    }
    kwargs: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in known:
            problems.append(
                Diagnostic("Unsupported argument", f'An argument named "{key}" is not expected here.', path + (key,))
            )
            continue
        f, hint = known[key]
        if raw is None:
            continue  # null means "use the default", as in HCL
        kwargs[f.name] = _decode_value(hint, raw, path + (key,), problems)
    for name, (f, _) in known.items():
        if _meta(f)["required"] and f.name not in kwargs:
            problems.append(
                Diagnostic("Missing required argument", f'The argument "{name}" is required, but no definition was found.', path + (name,))
            )
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - a dataclass without defaults for optional settings
        problems.append(Diagnostic("Invalid configuration", str(exc), path))
        return None  # type: ignore[return-value]


def _type_problem(path: tuple[str, ...], want: str, raw: Any, problems: list[Diagnostic]) -> None:
    got = {bool: "bool", int: "number", float: "number", str: "string", list: "list", dict: "object"}.get(
        type(raw), type(raw).__name__
    )
    problems.append(Diagnostic("Incorrect attribute value type", f"Inappropriate value for attribute \"{path[-1] if path else ''}\": {want} required, got {got}.", path))


def _decode_value(hint: Any, raw: Any, path: tuple[str, ...], problems: list[Diagnostic]) -> Any:
    tp = _strip_optional(hint)
    if tp is Any or tp is object:
        return raw
    if tp is str:
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, (int, float)):
            return _number_to_string(raw)
        if isinstance(raw, str):
            return raw
        _type_problem(path, "string", raw, problems)
        return None
    if tp is bool:
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        _type_problem(path, "bool", raw, problems)
        return None
    if tp in (int, float):
        if isinstance(raw, bool):
            _type_problem(path, "number", raw, problems)
            return None
        if isinstance(raw, str):
            try:
                raw = float(raw) if tp is float or "." in raw or "e" in raw.lower() else int(raw)
            except ValueError:
                _type_problem(path, "number", raw, problems)
                return None
        if isinstance(raw, (int, float)):
            if tp is int:
                if isinstance(raw, float) and not raw.is_integer():
                    problems.append(Diagnostic("Incorrect attribute value type", f"A whole number is required, got {raw}.", path))
                    return None
                return int(raw)
            return float(raw)
        _type_problem(path, "number", raw, problems)
        return None
    is_block, inner, nesting = _is_block_type(tp)
    if is_block and inner is not None:
        if nesting == "single":
            if isinstance(raw, list) and len(raw) == 1:
                raw = raw[0]
            return _decode_object(inner, raw, path, problems)
        if isinstance(raw, Mapping):
            raw = [raw]
        if not isinstance(raw, list):
            _type_problem(path, "list of blocks", raw, problems)
            return None
        return [_decode_object(inner, item, path + (str(i),), problems) for i, item in enumerate(raw)]
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is list:
        if not isinstance(raw, list):
            if isinstance(raw, (str, int, float, bool)):
                _type_problem(path, "list", raw, problems)
                return None
            _type_problem(path, "list", raw, problems)
            return None
        elem = args[0] if args else Any
        return [_decode_value(elem, item, path + (str(i),), problems) for i, item in enumerate(raw)]
    if origin is dict:
        if not isinstance(raw, Mapping):
            _type_problem(path, "map", raw, problems)
            return None
        elem = args[1] if len(args) == 2 else Any
        return {str(k): _decode_value(elem, v, path + (str(k),), problems) for k, v in raw.items()}
    raise TypeError(f"kiln_sdk.config: unsupported setting type {tp!r}")


def _number_to_string(n: int | float) -> str:
    if isinstance(n, float) and n.is_integer():
        return str(int(n))
    return repr(n) if isinstance(n, float) else str(n)


def encode(value: Any) -> Any:
    """The JSON form of a decoded config (dataclasses to dicts), e.g. for a plugin's own logs."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_hcl_name(f): encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value
