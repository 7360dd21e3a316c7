"""A component configured in HCL (source, provisioner, post-processor, data): decoding against a schema.

The body is evaluated only when the engine asks, with the plugin's schema in hand: unknown argument,
wrong type and missing required argument become diagnostics pointing at the template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from kiln_sdk.schema import Schema

from kiln.hcl import syntax as syn
from kiln.hcl.convert import ConversionError, convert, to_python
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.values import (
    DYNAMIC,
    Dynamic,
    ListType,
    MapType,
    ObjectType,
    Primitive,
    SetType,
    TupleType,
    Type,
    Value,
)
from kiln.template.body import Attr, Blk, Body
from kiln.template.diag import error
from kiln.template.dynamic import expand
from kiln.template.hclapi import EvalContext, eval_expr, parse_expression, type_constraint
from kiln.template.jsonexpr import rng
from kiln.template.jsonsyntax import JArray, JNode, JObject
from kiln.template.model import ComponentSpec, Decoded
from kiln.template.suggest import suggestion

UNKNOWN_PLACEHOLDER = "74D93920-ED26-11E3-AC10-0800200C9A66"
"""What Packer hands a plugin for a value not known before the build (hcl2shim's UnknownVariableValue)."""

ContextFactory = Callable[[Mapping[str, Value] | None], EvalContext]


@lru_cache(maxsize=256)
def schema_type(text: str) -> Type:
    expr, diags = parse_expression(text, "<schema>")
    if diags:
        raise ValueError(f"invalid type expression in a plugin schema: {text!r}")
    c, diags = type_constraint(expr)
    if c is None or diags:
        raise ValueError(f"invalid type expression in a plugin schema: {text!r}")
    return c.type


def placeholder(t: Type) -> Any:
    """A stand-in of type ``t`` for an unknown value, so that prepare can run before the build."""
    if isinstance(t, Primitive):
        return {"string": UNKNOWN_PLACEHOLDER, "number": 0, "bool": False}[t.name]
    if isinstance(t, ListType | SetType | TupleType):
        return []
    if isinstance(t, MapType | ObjectType):
        return {}
    return UNKNOWN_PLACEHOLDER


def to_json(v: Value, t: Type, sensitive: list[str], secret: bool) -> Any:
    """``v`` as plain JSON data; unknown parts become placeholders; sensitive strings are collected."""
    secret = secret or v.is_sensitive
    if not v.is_known:
        return placeholder(v.type if isinstance(t, Dynamic) else t)
    if v.is_null:
        return None
    if isinstance(v.v, list):
        elem_types = _elem_types(v.type, len(v.v))
        return [to_json(e, et, sensitive, secret) for e, et in zip(v.v, elem_types, strict=True)]
    if isinstance(v.v, dict):
        attr_types = v.type.attr_types() if isinstance(v.type, ObjectType) else {}
        elem = v.type.elem if isinstance(v.type, MapType) else DYNAMIC
        return {k: to_json(e, attr_types.get(k, elem), sensitive, secret) for k, e in v.v.items()}
    out = to_python(v.unmark())
    if secret and isinstance(out, str) and out:
        sensitive.append(out)
    return out


def _elem_types(t: Type, n: int) -> list[Type]:
    if isinstance(t, TupleType):
        return list(t.elems)
    if isinstance(t, ListType | SetType):
        return [t.elem] * n
    return [DYNAMIC] * n


class HclComponent(ComponentSpec):
    """A component whose settings are one or more HCL bodies (a source plus a build's nested source
    block adding settings), evaluated in the context the template gives it."""

    def __init__(
        self, type_: str, name: str, range_: syn.Range, bodies: Sequence[Body], context: ContextFactory,
        meta: Sequence[str] = (),
    ) -> None:
        self.type = type_
        self.name = name
        self.range = range_
        self.bodies = list(bodies)
        self.context = context
        self.meta = frozenset(meta)  # Packer's own arguments (only, except, ...): not the plugin's

    def _content(self, block_types: Mapping[str, int], diags: list[HclDiagnostic]) -> tuple[dict[str, Attr], list[Blk]]:
        attrs: dict[str, Attr] = {}
        blocks: list[Blk] = []
        for body in self.bodies:
            c = body.content(block_types)
            diags += c.diagnostics
            for name, attr in c.attributes.items():
                if name in self.meta:
                    continue
                if name in attrs:
                    prev = attrs[name].name_range
                    diags.append(error("Duplicate argument", f"Argument \"{name}\" was already set at "
                                       f"{prev.filename}:{prev.start.line},{prev.start.column}-{prev.end.column}",
                                       attr.name_range))
                    continue
                attrs[name] = attr
            blocks += c.blocks
        return attrs, blocks

    def decode(self, schema: Schema, build_vars: Mapping[str, Value] | None = None) -> Decoded:
        ctx = self.context(build_vars)
        diags: list[HclDiagnostic] = []
        sensitive: list[str] = []
        attrs, blocks = self._content(_block_types(schema), diags)
        config = _decode_body(schema, attrs, blocks, self.bodies[0].missing_item_range, ctx, diags, sensitive)
        return Decoded(config, diags, sensitive)

    def range_of(self, path: Sequence[str]) -> syn.Range:
        if not path:
            return self.range
        attrs, blocks = self._content(_block_names(self.bodies), [])
        attr = attrs.get(path[0])
        if attr is not None:
            if attr.json is not None:  # JSON: nested blocks are JSON values; follow the path into them
                return _json_range(attr.json, list(path[1:]), attr.expr.range)
            return attr.expr.range
        matching = [b for b in blocks if b.type == path[0]]
        if not matching:
            return self.range
        rest = list(path[1:])
        block = matching[0]
        if rest and rest[0].isdigit():
            idx = int(rest.pop(0))
            if idx >= len(matching):
                return block.range
            block = matching[idx]
        if not rest:
            return block.range
        inner = HclComponent(self.type, self.name, block.range, [block.body], self.context)
        return inner.range_of(rest)


def _json_range(node: JNode, path: list[str], fallback: syn.Range) -> syn.Range:
    """The range of the JSON value at ``path`` (object keys and array indexes), or of the deepest found."""
    for step in path:
        if isinstance(node, JArray) and not step.isdigit() and node.items:
            node = node.items[0]  # a single block written as a one-element array
        if isinstance(node, JArray) and step.isdigit() and int(step) < len(node.items):
            node = node.items[int(step)]
        elif isinstance(node, JObject) and (hit := next((p for p in node.props if p.key.value == step), None)):
            node = hit.value
        else:
            break
    return rng(fallback.filename, node.start, node.end)


def _block_names(bodies: Sequence[Body]) -> dict[str, int]:
    """For ``range_of`` without a schema: native bodies know their blocks; JSON ones stay attributes."""
    from kiln.template.body import NativeBody, WithoutAttributes

    names: dict[str, int] = {}
    for body in bodies:
        while isinstance(body, WithoutAttributes):
            body = body.inner
        if isinstance(body, NativeBody):
            names.update({b.type: 0 for b in body.syntax.blocks})
    return names


def _block_types(schema: Schema) -> dict[str, int]:
    types = {b.type_name: 0 for b in schema.blocks}
    types["dynamic"] = 1
    return types


def _decode_body(
    schema: Schema, attrs: Mapping[str, Attr], blocks: list[Blk], missing: syn.Range, ctx: EvalContext,
    diags: list[HclDiagnostic], sensitive: list[str],
) -> dict[str, Any]:
    config: dict[str, Any] = {}
    names = [a.name for a in schema.attributes]
    for name, attr in attrs.items():
        spec = schema.attribute(name)
        if spec is None:
            hint = suggestion(name, names)
            if not hint and schema.block(name) is not None:
                hint = f' Did you mean to define a block of type "{name}"?'
            diags.append(error("Unsupported argument", f'An argument named "{name}" is not expected here.{hint}',
                               attr.name_range))
            continue
        try:
            want = schema_type(spec.type)
        except ValueError as err:
            diags.append(error("Invalid plugin schema", f"{err}; the plugin needs fixing.", attr.name_range))
            continue
        val, d = eval_expr(attr.expr, ctx)
        diags += d
        if d:
            continue
        try:
            val = convert(val, want)
        except ConversionError as err:
            diags.append(error("Incorrect attribute value type",
                               f'Inappropriate value for attribute "{name}": {err.message}.',
                               attr.expr.range))
            continue
        if val.is_null:  # as if not set (HCL); a required one must not be null
            if spec.required:
                diags.append(error("Required argument is null", f'The argument "{name}" is required, so it '
                                   "cannot be null.", attr.expr.range))
            continue
        config[name] = to_json(val, want, sensitive, spec.sensitive)
    for spec in schema.attributes:
        if spec.required and spec.name not in attrs:
            diags.append(error("Missing required argument",
                               f'The argument "{spec.name}" is required, but no definition was found.', missing))
    block_names = [b.type_name for b in schema.blocks]
    instances = expand(blocks, ctx, diags)
    for blk, _ in instances:
        if schema.block(blk.type) is None:
            hint = suggestion(blk.type, block_names)
            if not hint and schema.attribute(blk.type) is not None:
                hint = (f' Did you mean to define argument "{blk.type}"? If so, use the equals sign to assign it a '
                        "value.")
            diags.append(error("Unsupported block type", f'Blocks of type "{blk.type}" are not expected here.{hint}',
                               blk.type_range))
    for bspec in schema.blocks:
        found = [(b, bctx) for b, bctx in instances if b.type == bspec.type_name]
        decoded = []
        for b, bctx in found:
            c = b.body.content(_block_types(bspec.schema))
            diags += c.diagnostics
            decoded.append(_decode_body(bspec.schema, c.attributes, c.blocks, b.body.missing_item_range, bctx,
                                        diags, sensitive))
        if bspec.nesting == "single":
            if len(found) > 1:
                first = found[0][0].range
                diags.append(error(f'Duplicate {bspec.type_name} block',
                                   f'Only one block of type "{bspec.type_name}" is allowed. Previous definition was '
                                   f"at {first.filename}:{first.start.line},{first.start.column}-{first.end.column}.",
                                   found[1][0].range))
            if decoded:
                config[bspec.type_name] = decoded[0]
        elif decoded:
            config[bspec.type_name] = decoded
        if bspec.required and not found:
            diags.append(error("Missing required block", f'A block of type "{bspec.type_name}" is required here.',
                               missing))
    return config


__all__ = ["UNKNOWN_PLACEHOLDER", "HclComponent", "placeholder", "schema_type", "to_json"]
