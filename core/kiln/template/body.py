"""One body model over both syntaxes: native HCL (``kiln.hcl.syntax.Body``) and HCL's JSON syntax.

In JSON, whether a property is an attribute or a block depends on the schema of the body it sits in
(as in Go HCL's ``Body.Content``), so bodies are read through ``content(block_types)``: the names of the
block types expected there and how many labels each has.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from kiln.hcl import syntax as syn
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.template.diag import error as _error
from kiln.template.jsonexpr import json_expr, rng
from kiln.template.jsonsyntax import JArray, JNode, JObject, JString


@dataclass(frozen=True)
class Attr:
    name: str
    expr: syn.Expr
    range: syn.Range
    name_range: syn.Range
    json: JNode | None = None  # the JSON value when written in JSON (type expressions are read from it)


@dataclass(frozen=True)
class Blk:
    type: str
    labels: tuple[str, ...]
    body: Body
    range: syn.Range  # the block's header (HCL's DefRange)
    type_range: syn.Range
    label_ranges: tuple[syn.Range, ...]


@dataclass
class Content:
    attributes: dict[str, Attr]
    blocks: list[Blk]
    diagnostics: list[HclDiagnostic]


class Body(ABC):
    range: syn.Range
    missing_item_range: syn.Range  # where to point at "missing required argument"

    @abstractmethod
    def content(self, block_types: Mapping[str, int]) -> Content:
        """Attributes (everything not named in ``block_types``) and blocks, in source order."""


class NativeBody(Body):
    def __init__(self, body: syn.Body) -> None:
        self.syntax = body
        self.range = body.range
        # HCL points "missing required argument" at the start of the body (the block's first line)
        self.missing_item_range = syn.Range(body.range.filename, body.range.start, body.range.start)

    def content(self, block_types: Mapping[str, int]) -> Content:
        attrs = {a.name: Attr(a.name, a.expr, a.range, a.name_range) for a in self.syntax.attributes}
        blocks = [
            Blk(b.type, b.labels, NativeBody(b.body), _header_range(b), b.type_range, b.label_ranges)
            for b in self.syntax.blocks
        ]
        return Content(attrs, blocks, [])


def _header_range(b: syn.Block) -> syn.Range:
    end = b.label_ranges[-1] if b.label_ranges else b.type_range
    return b.type_range.to(end)


class JsonBody(Body):
    def __init__(self, obj: JObject, filename: str) -> None:
        self.obj = obj
        self.filename = filename
        self.range = rng(filename, obj.start, obj.end)
        self.missing_item_range = rng(filename, obj.start, obj.start, width=1)

    def content(self, block_types: Mapping[str, int]) -> Content:
        out = Content({}, [], [])
        for prop in self.obj.props:
            key = prop.key
            name = key.value
            if name == "//":
                continue  # a JSON comment
            key_range = rng(self.filename, key.start, key.end)
            if name in block_types:
                self._blocks(name, key_range, prop.value, block_types[name], (), (), out)
                continue
            if name in out.attributes:
                prev = out.attributes[name].name_range
                out.diagnostics.append(_error(
                    "Duplicate argument",
                    f"The argument \"{name}\" was already set at {prev.filename}:{prev.start.line},"
                    f"{prev.start.column}-{prev.end.column}. Each argument may be set only once.",
                    key_range,
                ))
                continue
            expr, diags = json_expr(prop.value, self.filename)
            out.diagnostics += diags
            whole = rng(self.filename, key.start, prop.value.end)
            out.attributes[name] = Attr(name, expr, whole, key_range, prop.value)
        return out

    def _blocks(
        self, type_: str, type_range: syn.Range, node: JNode, nlabels: int,
        labels: tuple[str, ...], label_ranges: tuple[syn.Range, ...], out: Content,
    ) -> None:
        if isinstance(node, JArray):
            for item in node.items:
                self._blocks(type_, type_range, item, nlabels, labels, label_ranges, out)
            return
        if not isinstance(node, JObject):
            what = "a JSON object" if len(labels) == nlabels else f"a JSON object with one property per {type_} label"
            out.diagnostics.append(_error(
                "Incorrect JSON value type", f"A {type_} block must be written as {what}.",
                rng(self.filename, node.start, node.end),
            ))
            return
        if len(labels) == nlabels:
            header = type_range.to(label_ranges[-1]) if label_ranges else type_range
            out.blocks.append(Blk(type_, labels, JsonBody(node, self.filename), header, type_range, label_ranges))
            return
        if not node.props:
            out.diagnostics.append(_error(
                "Missing block label", f"At least one object property is required, whose name represents "
                f"the {type_} block's label.", rng(self.filename, node.start, node.end),
            ))
        for prop in node.props:
            key: JString = prop.key
            self._blocks(type_, type_range, prop.value, nlabels, labels + (key.value,),
                         label_ranges + (rng(self.filename, key.start, key.end),), out)


class WithoutAttributes(Body):
    """``body`` with some arguments hidden (a nested ``source`` block's own ``name``)."""

    def __init__(self, body: Body, hidden: frozenset[str]) -> None:
        self.inner = body
        self.hidden = hidden
        self.range = body.range
        self.missing_item_range = body.missing_item_range

    def content(self, block_types: Mapping[str, int]) -> Content:
        c = self.inner.content(block_types)
        return Content({k: v for k, v in c.attributes.items() if k not in self.hidden}, c.blocks, c.diagnostics)
