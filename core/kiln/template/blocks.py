"""The top level of an HCL2 template: which blocks and arguments exist, and what each block holds.

This reads structure only (nothing is evaluated here): ``variable``, ``variables``, ``locals``,
``local``, ``packer``, ``source``, ``data`` and ``build`` blocks become declarations that keep their
bodies and source ranges. Unexpected arguments and blocks are reported as Packer reports them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.syntax import Range
from kiln.template.body import Attr, Blk, Body
from kiln.template.diag import error, warning
from kiln.template.suggest import suggestion

TOP_BLOCKS: dict[str, tuple[str, ...]] = {  # block type -> label names
    "packer": (), "source": ("type", "name"), "variables": (), "variable": ("name",), "locals": (),
    "local": ("name",), "data": ("type", "name"), "build": (),
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@dataclass
class VariableDecl:
    name: str
    range: Range  # the block header (or the attribute in a ``variables`` block)
    type: Attr | None = None
    default: Attr | None = None
    description: Attr | None = None
    sensitive: Attr | None = None
    nullable: Attr | None = None
    validations: list[tuple[Attr, Attr]] = field(default_factory=list)  # (condition, error_message)
    validation_ranges: list[Range] = field(default_factory=list)
    from_variables_block: bool = False


@dataclass
class LocalDecl:
    name: str
    expr: Attr
    range: Range
    sensitive: Attr | None = None


@dataclass
class ComponentDecl:
    """A ``source``/``data`` block (``type`` and ``name`` labels) or a provisioner/post-processor."""

    type: str
    name: str
    body: Body
    range: Range


@dataclass
class PackerDecl:
    required_version: Attr | None
    required_plugins: list[Blk]
    range: Range


@dataclass
class Declarations:
    packer: list[PackerDecl] = field(default_factory=list)
    variables: dict[str, VariableDecl] = field(default_factory=dict)
    locals: dict[str, LocalDecl] = field(default_factory=dict)
    sources: dict[tuple[str, str], ComponentDecl] = field(default_factory=dict)
    data: dict[tuple[str, str], ComponentDecl] = field(default_factory=dict)
    builds: list[Blk] = field(default_factory=list)
    diagnostics: list[HclDiagnostic] = field(default_factory=list)
    # what Packer finds only once it reads sources and builds, after the variables, data sources and
    # locals (so ``validate -syntax-only`` does not see it)
    source_diagnostics: list[HclDiagnostic] = field(default_factory=list)


def expect_attributes(
    content_attrs: Mapping[str, Attr], allowed: tuple[str, ...], diags: list[HclDiagnostic]
) -> None:
    for name, attr in content_attrs.items():
        if name not in allowed:
            hint = suggestion(name, allowed)
            diags.append(error(
                "Unsupported argument", f'An argument named "{name}" is not expected here.{hint}', attr.name_range
            ))


def counts(schema: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """Block type -> number of labels (what ``Body.content`` needs)."""
    return {name: len(labels) for name, labels in schema.items()}


def expect_blocks(
    blocks: list[Blk], allowed: Mapping[str, tuple[str, ...]], diags: list[HclDiagnostic]
) -> list[Blk]:
    """The blocks of an allowed type with the right labels; HCL's diagnostics for the others."""
    ok = []
    for b in blocks:
        if b.type not in allowed:
            hint = suggestion(b.type, tuple(allowed))
            diags.append(error(
                "Unsupported block type", f'Blocks of type "{b.type}" are not expected here.{hint}', b.type_range
            ))
        elif len(b.labels) != len(allowed[b.type]):
            diags.append(_label_error(b, allowed[b.type]))
        else:
            ok.append(b)
    return ok


def _label_error(b: Blk, names: tuple[str, ...]) -> HclDiagnostic:
    if len(b.labels) > len(names):
        detail = (f"Only {len(names)} labels ({', '.join(names)}) are expected for {b.type} blocks." if names
                  else f"No labels are expected for {b.type} blocks.")
        return error(f"Extraneous label for {b.type}", detail, b.label_ranges[len(names)], b.range)
    return error(f"Missing {names[len(b.labels)]} for {b.type}",
                 f"All {b.type} blocks must have {len(names)} labels ({', '.join(names)}).", b.range)


def read_declarations(bodies: list[Body]) -> Declarations:
    decls = Declarations()
    d = decls.diagnostics
    for body in bodies:
        content = body.content(counts(TOP_BLOCKS))
        d += content.diagnostics
        expect_attributes(content.attributes, (), d)
        for b in expect_blocks(content.blocks, TOP_BLOCKS, d):
            _read_block(b, decls)
    return decls


def _read_block(b: Blk, decls: Declarations) -> None:
    d = decls.diagnostics
    if b.type == "packer":
        c = b.body.content({"required_plugins": 0})
        d += c.diagnostics
        expect_attributes(c.attributes, ("required_version",), d)
        plugins = expect_blocks(c.blocks, {"required_plugins": ()}, d)
        decls.packer.append(PackerDecl(c.attributes.get("required_version"), plugins, b.range))
    elif b.type == "variable":
        _read_variable(b, decls)
    elif b.type == "variables":
        c = b.body.content({})
        d += c.diagnostics
        for name, attr in c.attributes.items():
            _add_variable(VariableDecl(name, attr.range, default=attr, from_variables_block=True), decls)
    elif b.type == "locals":
        c = b.body.content({})
        d += c.diagnostics
        for name, attr in c.attributes.items():
            _add_local(LocalDecl(name, attr, attr.range), decls)
    elif b.type == "local":
        c = b.body.content({})
        d += c.diagnostics
        expect_attributes(c.attributes, ("expression", "sensitive"), d)
        expr = c.attributes.get("expression")
        if expr is None:
            d.append(error("Missing required argument",
                           'The argument "expression" is required, but no definition was found.',
                           b.body.missing_item_range))
        else:
            _add_local(LocalDecl(b.labels[0], expr, b.range, c.attributes.get("sensitive")), decls)
    elif b.type in ("source", "data"):
        _read_component(b, decls)
    else:
        decls.builds.append(b)


def _read_variable(b: Blk, decls: Declarations) -> None:
    d = decls.diagnostics
    name = b.labels[0]
    if not _NAME.match(name):
        d.append(error("Invalid variable name", "A name must start with a letter or underscore and may "
                       "contain only letters, digits, underscores, and dashes.", b.label_ranges[0]))
        return
    c = b.body.content({"validation": 0})
    d += c.diagnostics
    expect_attributes(c.attributes, ("type", "default", "description", "sensitive", "nullable"), d)
    a = c.attributes
    decl = VariableDecl(name, b.range, a.get("type"), a.get("default"), a.get("description"),
                        a.get("sensitive"), a.get("nullable"))
    for v in expect_blocks(c.blocks, {"validation": ()}, d):
        vc = v.body.content({})
        d += vc.diagnostics
        expect_attributes(vc.attributes, ("condition", "error_message"), d)
        missing = [n for n in ("condition", "error_message") if n not in vc.attributes]
        for n in missing:
            d.append(error("Missing required argument",
                           f'The argument "{n}" is required, but no definition was found.',
                           v.body.missing_item_range))
        if not missing:
            decl.validations.append((vc.attributes["condition"], vc.attributes["error_message"]))
            decl.validation_ranges.append(v.range)
    _add_variable(decl, decls)


def _add_variable(decl: VariableDecl, decls: Declarations) -> None:
    if decl.name in decls.variables:
        decls.diagnostics.append(error("Duplicate variable", f"Duplicate {decl.name} variable definition found.",
                                       decl.range))
        return
    decls.variables[decl.name] = decl


def _add_local(decl: LocalDecl, decls: Declarations) -> None:
    prev = decls.locals.get(decl.name)
    if prev is not None:  # Packer accepts this (the last definition wins): say so, but do not fail
        decls.diagnostics.append(warning(
            "Duplicate local variable",
            f"local.{decl.name} is also defined at {_at(prev.range)}; this later definition is the one used.",
            decl.range))
    decls.locals[decl.name] = decl


def _read_component(b: Blk, decls: Declarations) -> None:
    kind = b.type
    table = decls.sources if kind == "source" else decls.data
    key = (b.labels[0], b.labels[1])
    prev = table.get(key)
    if prev is not None:
        what = "builder type" if kind == "source" else "data source type"
        (decls.source_diagnostics if kind == "source" else decls.diagnostics).append(error(
            f"Duplicate {kind} block",
            f"This {kind} block has the same {what} and name as a previous block declared at {_at(prev.range)}. "
            f"Each {kind} must have a unique name per {what}.", b.range))
        return
    table[key] = ComponentDecl(b.labels[0], b.labels[1], b.body, b.range)


def _at(r: Range) -> str:
    return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.column}"
