"""``build`` blocks: each source a build uses becomes one ``BuildSpec`` with its provisioners and
post-processor chains (Packer's meta-arguments decoded here, the plugins' settings left for decode)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiln_sdk.duration import DurationError, parse_duration

from kiln.hcl import syntax as syn
from kiln.hcl.convert import ConversionError, convert, object_type, to_python
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, STRING, ListType, Value, unknown
from kiln.template.blocks import ComponentDecl, counts, expect_attributes, expect_blocks
from kiln.template.body import Attr, Blk, Body, WithoutAttributes
from kiln.template.component import HclComponent
from kiln.template.diag import error, warning
from kiln.template.dynamic import expand
from kiln.template.hclapi import EvalContext, eval_expr
from kiln.template.model import BuildSpec, PostProcessorSpec, ProvisionerSpec
from kiln.template.scope import Scope, build_value, source_value

BUILD_BLOCKS: dict[str, tuple[str, ...]] = {
    "source": ("reference",), "provisioner": ("type",), "post-processor": ("type",), "post-processors": (),
    "error-cleanup-provisioner": ("type",), "hcp_packer_registry": (),
}
PROVISIONER_META = ("name", "pause_before", "max_retries", "timeout", "continue_on_error", "only", "except",
                    "override")
POST_PROCESSOR_META = ("name", "only", "except", "keep_input_artifact")


@dataclass
class SourceUse:
    type: str
    name: str  # the source block's name
    local_name: str  # the name in this build (a nested block's ``name``, else ``name``)
    decl: ComponentDecl
    extra: Body | None = None  # a nested source block's settings
    range: syn.Range | None = None
    block: Blk | None = None  # the nested source block

    def ref(self) -> str:
        return f"{self.type}.{self.local_name}"


def _meta(
    attrs: Mapping[str, Attr], spec: Mapping[str, Any], ctx: EvalContext | None, diags: list[HclDiagnostic]
) -> dict[str, Any]:
    """Packer's own arguments of a block, converted to the types in ``spec`` (``DYNAMIC``: left a Value)."""
    out: dict[str, Any] = {}
    for name, want in spec.items():
        attr = attrs.get(name)
        if attr is None:
            continue
        val, d = eval_expr(attr.expr, ctx)
        diags += d
        if d:
            continue
        try:
            val = convert(val, want)
        except ConversionError as err:
            diags.append(error("Unsuitable value type", f"Unsuitable value: {err.message}", attr.expr.range))
            continue
        if not val.is_known:
            diags.append(error("Unsuitable value type", "Unsuitable value: value must be known", attr.expr.range))
            continue
        if not val.is_null:
            out[name] = to_python(val.unmark()) if want is not DYNAMIC else val
    return out


NO_BUILD = unknown(object_type({}))

_IDENT = re.compile(r"[^\W\d][\w-]*\Z")


def parse_source_ref(text: str) -> tuple[str, str] | None:
    """``source.TYPE.NAME`` (or ``TYPE.NAME``) -> (TYPE, NAME); None unless both are identifiers."""
    parts = text.split(".")
    if len(parts) == 3 and parts[0] == "source":
        parts = parts[1:]
    if len(parts) == 2 and all(_IDENT.match(p) for p in parts):
        return parts[0], parts[1]
    return None


class BuildReader:
    def __init__(self, scope: Scope, sources: Mapping[tuple[str, str], ComponentDecl], diags: list[HclDiagnostic]):
        self.scope = scope
        self.sources = sources
        self.diags = diags
        self.build_name = ""
        self.iterators: dict[int, dict[str, Value]] = {}  # id(block) -> a dynamic block's iterator

    def read(self, block: Blk) -> list[BuildSpec]:
        d = self.diags
        c = block.body.content({**counts(BUILD_BLOCKS), "dynamic": 1})
        d += c.diagnostics
        expect_attributes(c.attributes, ("name", "description", "sources"), d)
        blocks = expect_blocks(self._expand(c.blocks), BUILD_BLOCKS, d)
        # variables, locals and data in a build's name and description: Packer 1.7.9 and later
        static = _meta(c.attributes, {"name": STRING, "description": STRING}, self.scope.context(), d)
        build_name = str(static.get("name", ""))
        self.build_name = build_name
        uses = self._uses(c.attributes.get("sources"), [b for b in blocks if b.type == "source"])
        for b in blocks:
            if b.type == "hcp_packer_registry":
                d.append(warning("HCP Packer registry is not supported",
                                 "kiln does not publish build metadata to HCP Packer; this block is ignored.",
                                 b.type_range))
        cleanups = [b for b in blocks if b.type == "error-cleanup-provisioner"]
        for extra in cleanups[1:]:
            d.append(error("Duplicate error-cleanup-provisioner block",
                           "Only one error-cleanup-provisioner block is allowed in a build.", extra.type_range))
        specs = []
        for use in uses:
            name = f"{build_name}.{use.ref()}" if build_name else use.ref()
            spec = BuildSpec(name, build_name, use.type, use.local_name, self._builder(use),
                             description=str(static.get("description", "")),
                             source_block_name=use.name if use.name != use.local_name else "")
            for b in blocks:
                if b.type == "provisioner":
                    prov = self._provisioner(b, use)
                    if prov is not None:
                        spec.provisioners.append(prov)
                elif b.type in ("post-processor", "post-processors"):
                    chain = self._chain(b, use)
                    if chain:
                        spec.post_processors.append(chain)
            if cleanups:
                spec.error_cleanup_provisioner = self._provisioner(cleanups[0], use)
            specs.append(spec)
        return specs

    def _expand(self, blocks: list[Blk]) -> list[Blk]:
        """The build's blocks with its ``dynamic`` blocks expanded (Packer expands the whole build body);
        each generated block keeps its iterator for the evaluation of its body."""
        base = self.scope.context()
        out = []
        for blk, ctx in expand(blocks, base, self.diags):
            bindings: dict[str, Value] = {}
            at: EvalContext | None = ctx
            while at is not None and at is not base:
                bindings = {**at.variables, **bindings}
                at = at.parent
            if bindings:
                self.iterators[id(blk)] = bindings
            out.append(blk)
        return out

    def _uses(self, sources_attr: Attr | None, nested: list[Blk]) -> list[SourceUse]:
        d = self.diags
        uses: list[SourceUse] = []
        if sources_attr is not None:
            val, ed = eval_expr(sources_attr.expr, None)
            d += ed
            items = sources_attr.expr.items if isinstance(sources_attr.expr, syn.TupleCons) else ()
            try:
                refs = convert(val, ListType(STRING)) if not ed else None
            except ConversionError as err:
                d.append(error("Unsuitable value type", f"Unsuitable value: {err.message}", sources_attr.expr.range))
                refs = None
            if refs is not None and refs.is_known and not refs.is_null:
                for i, ref in enumerate(refs.v):
                    r = items[i].range if i < len(items) else sources_attr.expr.range
                    use = self._lookup(str(ref.v), r)
                    if use is not None:
                        uses.append(use)
        for blk in nested:
            use = self._lookup(blk.labels[0], blk.label_ranges[0] if blk.label_ranges else blk.range)
            if use is None:
                continue
            c = blk.body.content({})
            iterator = self.iterators.get(id(blk))  # as in HCL's dynblock: the only names allowed here
            static = _meta(c.attributes, {"name": STRING}, EvalContext(iterator) if iterator else None, d)
            use.block = blk
            use.local_name = str(static.get("name", use.name))
            use.extra = WithoutAttributes(blk.body, frozenset({"name"}))
            use.range = blk.range
            uses.append(use)
        seen: dict[str, SourceUse] = {}
        for use in uses:
            if use.ref() in seen:  # Packer runs it twice: say so, but do not fail
                d.append(warning("Duplicate source", f'The source "{use.ref()}" is used more than once in this '
                                 'build, so it builds more than once under the same name. To build it twice on '
                                 'purpose, give one use another name with a nested source block (name = "...").',
                                 use.range))
            seen[use.ref()] = use
        return uses

    def _lookup(self, text: str, r: syn.Range) -> SourceUse | None:
        parsed = parse_source_ref(text)
        if parsed is None:
            self.diags.append(error(  # Packer's words (sic)
                "Invalid source reference", "A source type is made of three parts that aresplit by a dot `.`; each "
                "part must start with a letter and may contain only letters, digits, underscores, and dashes.A "
                f"valid source reference looks like: `source.type.name` (not `{text}`).", r))
            return None
        decl = self.sources.get(parsed)
        if decl is None:
            known = ", ".join(f"{t}.{n}" for t, n in self.sources) or "none"
            self.diags.append(error(f"Unknown source {parsed[0]}.{parsed[1]}",
                                    f"No source block declares it. Known sources: {known}.", r))
            return None
        return SourceUse(parsed[0], parsed[1], parsed[1], decl, None, r)

    def _context(self, use: SourceUse, with_build: bool) -> Any:
        scope, src, build_name = self.scope, source_value(use.type, use.local_name), self.build_name

        def factory(build_vars: Mapping[str, Value] | None) -> EvalContext:
            # a source's settings see ``build`` as Packer shows it there: an unknown object without
            # attributes (so build.name is "Unsupported attribute", not "Unknown variable")
            extra = {"source": src, "build": build_value(build_vars, build_name) if with_build else NO_BUILD}
            return scope.context(extra)

        return factory

    def _builder(self, use: SourceUse) -> HclComponent:
        bodies = [use.decl.body] + ([use.extra] if use.extra is not None else [])
        return HclComponent(use.type, use.local_name, use.decl.range, bodies, self._context(use, False),
                            scopes=[None, self.iterators.get(id(use.block))])

    def _provisioner(self, b: Blk, use: SourceUse) -> ProvisionerSpec | None:
        d = self.diags
        attrs = b.body.content({}).attributes
        ctx = self.scope.context(self.iterators.get(id(b)))
        m = _meta(attrs, {"name": STRING, "pause_before": STRING, "max_retries": NUMBER, "timeout": STRING,
                          "continue_on_error": BOOL, "only": ListType(STRING), "except": ListType(STRING),
                          "override": DYNAMIC}, ctx, d)
        only, except_ = list(m.get("only", [])), list(m.get("except", []))
        if only and except_:
            d.append(error("only one of 'only' or 'except' may be specified", "", b.range))
        if _skip(only, except_, use.ref()):
            return None
        durations: dict[str, float] = {}
        for key in ("pause_before", "timeout"):
            if key in m:
                try:
                    durations[key] = parse_duration(str(m[key]))
                except DurationError as err:
                    d.append(error(f"Failed to parse {key} duration", str(err), b.range))
        override = self._override(m.get("override"), b, use)
        comp = HclComponent(b.labels[0], str(m.get("name", "")), b.range, [b.body],
                            self._context(use, True), PROVISIONER_META, [self.iterators.get(id(b))])
        return ProvisionerSpec(comp, only, except_, durations.get("pause_before", 0.0), int(m.get("max_retries", 0)),
                               durations.get("timeout"), {use.local_name: override} if override else {})

    def _override(self, val: Value | None, b: Blk, use: SourceUse) -> dict[str, Any]:
        if val is None:
            return {}
        if not isinstance(val.v, dict):
            self.diags.append(error("provisioner's override block must be an HCL object", "", b.range))
            return {}
        entry = val.v.get(use.local_name)
        if entry is None:
            return {}
        if not isinstance(entry.v, dict):
            self.diags.append(error(f"provisioner's override.'{use.local_name}' block must be an HCL object", "",
                                    b.range))
            return {}
        out = to_python(entry.unmark())
        return dict(out) if isinstance(out, dict) else {}

    def _chain(self, b: Blk, use: SourceUse) -> list[PostProcessorSpec]:
        if b.type == "post-processor":
            pp = self._post_processor(b, use)
            return [pp] if pp is not None else []
        c = b.body.content({"post-processor": 1})
        self.diags += c.diagnostics
        expect_attributes(c.attributes, (), self.diags)
        chain = []
        for inner in expect_blocks(c.blocks, {"post-processor": ("type",)}, self.diags):
            pp = self._post_processor(inner, use)
            if pp is not None:
                chain.append(pp)
        return chain

    def _post_processor(self, b: Blk, use: SourceUse) -> PostProcessorSpec | None:
        attrs = b.body.content({}).attributes
        m = _meta(attrs, {"name": STRING, "only": ListType(STRING), "except": ListType(STRING),
                          "keep_input_artifact": BOOL}, self.scope.context(self.iterators.get(id(b))), self.diags)
        only, except_ = list(m.get("only", [])), list(m.get("except", []))
        if only and except_:
            self.diags.append(error("only one of 'only' or 'except' may be specified", "", b.range))
        if _skip(only, except_, use.ref()):
            return None
        comp = HclComponent(b.labels[0], str(m.get("name", "")), b.range, [b.body],
                            self._context(use, True), POST_PROCESSOR_META, [self.iterators.get(id(b))])
        keep = m.get("keep_input_artifact")
        return PostProcessorSpec(comp, None if keep is None else bool(keep), only, except_)


def _skip(only: list[str], except_: list[str], ref: str) -> bool:
    if only:
        return ref not in only
    return ref in except_
