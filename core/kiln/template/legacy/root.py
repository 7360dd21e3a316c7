"""The root of a legacy JSON template, decoded as Packer 1.6.6's template.Parse does."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiln.hcl.syntax import Pos, Range
from kiln.template.legacy.jsonvalue import JSONSyntaxError, JValue, parse_json_checked
from kiln.template.legacy.raw import (
    Decoder,
    LegacyError,
    LegacyVariable,
    Msg,
    RawComponent,
    decode_builder,
    decode_post_processors,
    decode_provisioner,
    decoding,
    kind,
    multierror,
)

# root key -> (mapstructure's name for it in messages, shape). Keys match case-insensitively.
ROOT_FIELDS: dict[str, tuple[str, str]] = {
    "min_packer_version": ("min_packer_version", "string"),
    "description": ("Description", "string"),
    "builders": ("builders", "list"),
    "comments": ("Comments", "list"),
    "push": ("Push", "map"),
    "post-processors": ("post-processors", "list"),
    "provisioners": ("Provisioners", "list"),
    "error-cleanup-provisioner": ("error-cleanup-provisioner", "any"),
    "variables": ("Variables", "map"),
    "sensitive-variables": ("sensitive-variables", "strings"),
}


@dataclass
class RawTemplate:
    path: str
    root: JValue
    description: str = ""
    min_version: str = ""
    min_version_range: Range | None = None
    variables: dict[str, LegacyVariable] = field(default_factory=dict)
    sensitive_variables: list[str] = field(default_factory=list)
    builders: list[RawComponent] = field(default_factory=list)
    provisioners: list[RawComponent] = field(default_factory=list)
    post_processors: list[list[RawComponent]] = field(default_factory=list)
    cleanup_provisioner: RawComponent | None = None
    comments: dict[str, str] = field(default_factory=dict)


def parse_raw(text: str, path: str) -> RawTemplate:
    """Parse and decode; raises LegacyError with Packer's message (after "Failed to parse template: ")."""
    try:
        root, duplicate = parse_json_checked(text, path)
    except JSONSyntaxError as exc:
        pos = exc.where or Pos(exc.line, max(exc.col, 1), exc.offset)
        raise LegacyError([(exc.message, Range(path, pos, pos))], str(exc)) from None
    if duplicate is not None:
        msg = f"template has duplicate field: {duplicate[0]}"
        raise LegacyError([(msg, duplicate[1])], msg)
    if not isinstance(root.value, dict):
        msg = f"'' expected a map, got '{kind(root)}'"
        raise LegacyError([(msg, root.range)], msg)
    raw = RawTemplate(path, root)
    fields = _decode_root(raw, root)
    errs: list[Msg] = []
    _variables(raw, fields.get("variables"), errs)
    for i, jv in enumerate(_items(fields.get("builders")), 1):
        b = decode_builder(jv, i, errs)
        if b is None:
            continue
        if any(x.name == b.name for x in raw.builders):
            errs.append((f"builder {i}: builder with name '{b.name}' already exists", jv.range))
            continue
        raw.builders.append(b)
    for i, jv in enumerate(_items(fields.get("post-processors")), 1):
        raw.post_processors.append(decode_post_processors(jv, i, errs))
    for i, jv in enumerate(_items(fields.get("provisioners")), 1):
        p = decode_provisioner(jv, f"provisioner {i}", errs)
        if p is not None:
            raw.provisioners.append(p)
    cleanup = fields.get("error-cleanup-provisioner")
    if cleanup is not None and cleanup.value is not None:
        inner: list[Msg] = []
        raw.cleanup_provisioner = decode_provisioner(cleanup, "provisioner 1", inner)
        errs += [(f"On Error Cleanup Provisioner error: {m.split(': ', 1)[1]}", r) for m, r in inner]
    if errs:
        raise LegacyError(errs, multierror([m for m, _ in errs]))
    return raw


def _items(jv: JValue | None) -> list[JValue]:
    return jv.value if jv is not None and isinstance(jv.value, list) else []


def _decode_root(raw: RawTemplate, root: JValue) -> dict[str, JValue]:
    assert isinstance(root.value, dict)
    d = Decoder(weak=False)
    fields: dict[str, JValue] = {}
    unused: list[str] = []
    for key, jv in root.value.items():
        canon = key if key in ROOT_FIELDS else next((k for k in ROOT_FIELDS if k.lower() == key.lower()), None)
        if canon is None:
            unused.append(key)
            continue
        fields[canon] = jv
        name, shape = ROOT_FIELDS[canon]
        if jv.value is None:
            continue
        if shape == "string":
            d.string(jv, name)
        elif shape == "list" and not isinstance(jv.value, list):
            d.fail(f"'{name}': source data must be an array or slice, got {kind(jv)}", jv)
        elif shape == "map":
            d.mapping(jv, name)
        elif shape == "strings":
            d.strings(jv, name)
    if d.errors:
        raise LegacyError(d.errors, decoding([m for m, _ in d.errors]))
    raw.description = _str(fields.get("description"))
    raw.min_version = _str(fields.get("min_packer_version"))
    raw.min_version_range = fields["min_packer_version"].range if "min_packer_version" in fields else None
    raw.sensitive_variables = [_str(v) for v in _items(fields.get("sensitive-variables"))]
    errs: list[Msg] = []
    for key in sorted(unused):
        jv = root.value[key]
        if key.startswith("_"):
            if not isinstance(jv.value, str):
                msg = f'Failed to cast root level comment value in comment "{key}" to string.'
                raise LegacyError([(msg, jv.range)], msg)
            raw.comments[key] = jv.value
            continue
        errs.append((f"Unknown root level key in template: '{key}'", root.key_ranges[key]))
    if errs:
        raise LegacyError(errs, multierror([m for m, _ in errs]))
    return fields


def _str(jv: JValue | None) -> str:
    return jv.value if jv is not None and isinstance(jv.value, str) else ""


def _variables(raw: RawTemplate, jv: JValue | None, errs: list[Msg]) -> None:
    if jv is None or not isinstance(jv.value, dict):
        return
    for name, v in jv.value.items():
        if v.value is not None and not isinstance(v.value, str):
            d = Decoder(weak=False)
            d.string(v, "")
            errs.append((f"variable {name}: {d.errors[0][0]}", v.range))
            continue
        raw.variables[name] = LegacyVariable(name, v.value, jv.key_ranges[name],
                                             sensitive=name in raw.sensitive_variables)
