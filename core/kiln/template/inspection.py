"""``packer inspect`` of an HCL2 template, in the layout of Packer 1.7 and later.

The report has three messages, as Packer's ``InspectConfig`` says them: the mode line, the variables
(``> input-variables:`` and ``> local-variables:``, each ``var.NAME: "VALUE"``) and the builds
(``> builds:``, per build block its name, description, sources, provisioners and post-processor
chains). Packer 1.6.6 prints the same layout but names a renamed source (``source "null.a" { name =
"b" }``) by its block's name (``null.a``); later Packer prints the name the build uses (``null.b``),
which kiln follows.

A build block is outlined from its own meta-arguments only: nothing is decoded against a plugin, and
a source it names need not exist (Packer lists such references too). A build block that Packer could
not decode (a bad ``sources`` entry, ``only`` with ``except``, no source at all, ...) is left out of
the report, as Packer leaves it out; the errors themselves are ``kiln validate``'s to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.duration import DurationError, parse_duration

from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.format import console_value, go_quote
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, STRING, ListType, Value
from kiln.template.blocks import counts, expect_attributes, expect_blocks
from kiln.template.body import Attr, Blk
from kiln.template.builds import BUILD_BLOCKS, _meta, parse_source_ref
from kiln.template.diag import error, has_errors
from kiln.template.dynamic import expand
from kiln.template.hclapi import EvalContext, eval_expr
from kiln.template.scope import Scope

SENSITIVE = "<sensitive>"
HEADER = "Packer Inspect: HCL2 mode\n"

_PROVISIONER = {"name": STRING, "pause_before": STRING, "max_retries": NUMBER, "timeout": STRING,
                "continue_on_error": BOOL, "only": ListType(STRING), "except": ListType(STRING),
                "override": DYNAMIC}
_POST_PROCESSOR = {"name": STRING, "only": ListType(STRING), "except": ListType(STRING),
                   "keep_input_artifact": BOOL}


@dataclass
class BuildOutline:
    """What ``inspect`` shows of one build block."""

    name: str  # "" when the block has no name
    description: str
    sources: list[str] = field(default_factory=list)  # "TYPE.NAME", NAME as the build uses it
    provisioners: list[str] = field(default_factory=list)  # "TYPE" or "TYPE.NAME"
    post_processors: list[list[str]] = field(default_factory=list)  # one list per chain


def _deep_unmark(v: Value) -> Value:
    if isinstance(v.v, list):
        return Value(v.type, [_deep_unmark(e) for e in v.v])
    if isinstance(v.v, dict):
        return Value(v.type, {k: _deep_unmark(e) for k, e in v.v.items()})
    return v.unmark()


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (as written, and as Go's ``%q`` escapes it) replaced by ``<sensitive>``:
    Packer filters its output the same way, so a sensitive list shows each element masked."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, SENSITIVE)
        quoted = go_quote(secret)[1:-1]
        if quoted != secret:
            text = text.replace(quoted, SENSITIVE)
    return text


def printable(v: Value, secrets: Iterable[str] = ()) -> str:
    """Packer's ``PrintableCtyValue``: ``<unknown>`` unless wholly known, a string as it is, anything
    else in the console's layout; then the secrets masked."""
    return mask(console_value(_deep_unmark(v)), secrets)


def variables_text(scope: Scope, secrets: Sequence[str] = ()) -> str:
    """``> input-variables:`` and ``> local-variables:`` (also the console's ``variables`` command)."""
    out = ["> input-variables:\n\n"]
    for name in sorted(scope.variables):
        out.append(f"var.{name}: {go_quote(printable(scope.variables[name], secrets))}\n")
    out.append("\n> local-variables:\n\n")
    for name in sorted(scope.locals):
        out.append(f"local.{name}: {go_quote(printable(scope.locals[name], secrets))}\n")
    return "".join(out)


def builds_text(outlines: Sequence[BuildOutline]) -> str:
    out = ["> builds:\n"]
    for i, b in enumerate(outlines):
        out.append(f"\n  > {b.name or f'<unnamed build {i}>'}:\n")
        if b.description:
            out.append(f"\n  > Description: {b.description}\n")
        out.append("\n    sources:\n")
        if not b.sources:
            out.append("\n      <no source>\n")
        out += [f"\n      {s}\n" for s in b.sources]
        out.append("\n    provisioners:\n\n")
        if not b.provisioners:
            out.append("      <no provisioner>\n")
        out += [f"      {p}\n" for p in b.provisioners]
        out.append("\n    post-processors:\n")
        if not b.post_processors:
            out.append("\n      <no post-processor>\n")
        for n, chain in enumerate(b.post_processors):
            out.append(f"\n      {n}:\n")
            out += [f"        {p}\n" for p in chain]
    return "".join(out)


def outline_builds(blocks: Sequence[Blk], scope: Scope) -> list[BuildOutline]:
    """The build blocks Packer would decode, in template order."""
    return [o for b in blocks if (o := outline_build(b, scope)) is not None]


def outline_build(block: Blk, scope: Scope) -> BuildOutline | None:
    """The outline of one build block; None when decoding its meta-arguments fails (Packer drops it)."""
    d: list[HclDiagnostic] = []
    c = block.body.content({**counts(BUILD_BLOCKS), "dynamic": 1})
    d += c.diagnostics
    expect_attributes(c.attributes, ("name", "description", "sources"), d)
    base = scope.context()
    instances = expand(c.blocks, base, d)
    allowed = {id(b) for b in expect_blocks([b for b, _ in instances], BUILD_BLOCKS, d)}
    meta = _meta(c.attributes, {"name": STRING, "description": STRING}, base, d)
    out = BuildOutline(str(meta.get("name", "")), str(meta.get("description", "")))
    had_source = _listed_sources(c.attributes.get("sources"), out, d)
    for blk, ctx in instances:
        if id(blk) not in allowed:
            continue
        if blk.type == "source":
            had_source = True
            _nested_source(blk, ctx, out, d)
        elif blk.type == "provisioner":
            out.provisioners.append(_component(blk, ctx, _PROVISIONER, d))
        elif blk.type == "post-processor":
            out.post_processors.append([_component(blk, ctx, _POST_PROCESSOR, d)])
        elif blk.type == "post-processors":
            inner = blk.body.content({"post-processor": 1})
            d += inner.diagnostics
            expect_attributes(inner.attributes, (), d)
            chain = [_component(b, ctx, _POST_PROCESSOR, d)
                     for b in expect_blocks(inner.blocks, {"post-processor": ("type",)}, d)]
            out.post_processors.append(chain)
        elif blk.type == "error-cleanup-provisioner":
            _component(blk, ctx, _PROVISIONER, d)  # decoded (its errors drop the build), never shown
    if not had_source:
        d.append(error("missing source reference", "a build block must reference at least one source to be built",
                       block.range))
    return None if has_errors(d) else out


def _listed_sources(attr: Attr | None, out: BuildOutline, d: list[HclDiagnostic]) -> bool:
    if attr is None:
        return False
    val, ed = eval_expr(attr.expr, None)
    d += ed
    if ed:
        return True
    try:
        refs = convert(val, ListType(STRING))
    except ConversionError as err:
        d.append(error("Unsuitable value type", f"Unsuitable value: {err.message}", attr.expr.range))
        return True
    if not refs.is_known or refs.is_null:
        return False
    for ref in refs.v:
        parsed = parse_source_ref(str(ref.v))
        if parsed is None:
            d.append(error("Invalid source reference", "", attr.expr.range))
            continue
        out.sources.append(f"{parsed[0]}.{parsed[1]}")
    return bool(refs.v)


def _nested_source(blk: Blk, ctx: EvalContext, out: BuildOutline, d: list[HclDiagnostic]) -> None:
    parsed = parse_source_ref(blk.labels[0]) if blk.labels else None
    if parsed is None:
        d.append(error("Invalid source reference", "", blk.range))
        return
    meta = _meta(blk.body.content({}).attributes, {"name": STRING}, ctx, d)
    out.sources.append(f"{parsed[0]}.{meta.get('name') or parsed[1]}")


def _component(blk: Blk, ctx: EvalContext, spec: Mapping[str, Any], d: list[HclDiagnostic]) -> str:
    attrs = blk.body.content({}).attributes
    meta = _meta(attrs, spec, ctx, d)
    if meta.get("only") and meta.get("except"):
        d.append(error("only one of 'only' or 'except' may be specified", "", blk.range))
    override = meta.get("override")
    if isinstance(override, Value) and not override.is_null:
        if not isinstance(override.v, dict):
            d.append(error("provisioner's override block must be an HCL object", "", blk.range))
        elif any(not isinstance(e.v, dict) for e in override.v.values()):
            d.append(error("provisioner's override entries must be HCL objects", "", blk.range))
    for key in ("pause_before", "timeout"):
        if key in meta:
            try:
                parse_duration(str(meta[key]))
            except DurationError as err:
                d.append(error(f"Failed to parse {key} duration", str(err), blk.range))
    name = str(meta.get("name", ""))
    return f"{blk.labels[0]}.{name}" if name else blk.labels[0]
