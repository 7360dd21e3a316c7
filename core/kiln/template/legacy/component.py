"""``LegacyComponent``: one builder, provisioner or post-processor object of a legacy JSON template,
decoded against its plugin's Schema when the engine asks (prepare time, then provision time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kiln_sdk.gotemplate import TemplateError as GoTemplateError
from kiln_sdk.gotemplate import go_str, render
from kiln_sdk.schema import Schema

from kiln.hcl.convert import to_python
from kiln.hcl.diagnostics import ERROR, HclDiagnostic
from kiln.hcl.syntax import Range
from kiln.hcl.values import Value
from kiln.template.legacy.decode import DecodeState, decode_object
from kiln.template.legacy.funcs import FuncContext, template_context
from kiln.template.legacy.jsonvalue import JValue
from kiln.template.model import ComponentSpec, Decoded


def merge_override(obj: JValue, override: JValue | None) -> JValue:
    """The object with a provisioner's ``override`` for this build laid over it, as Packer decodes
    the two one after the other (a later key replaces an earlier one; maps merge)."""
    if override is None or not isinstance(override.value, dict):
        return obj
    assert isinstance(obj.value, dict)
    merged, ranges = dict(obj.value), dict(obj.key_ranges)
    for key, jv in override.value.items():
        base = merged.get(key)
        if base is not None and isinstance(base.value, dict) and isinstance(jv.value, dict):
            jv = merge_override(base, jv)
        merged[key], ranges[key] = jv, override.key_ranges[key]
    return JValue(merged, obj.range, ranges)


def _plain(v: Value) -> str:
    py = to_python(v.unmark())
    return py if isinstance(py, str) else go_str(py)


@dataclass(eq=False)  # one component per place in the template: identity, hashable
class LegacyComponent(ComponentSpec):
    """A legacy JSON component. ``skip`` are the keys Packer takes for itself (``type``, ``only``...)."""

    type: str
    name: str
    obj: JValue
    funcs: FuncContext
    skip: frozenset[str] = frozenset()
    sensitive_values: Sequence[str] = ()
    override: JValue | None = None
    range: Range = field(init=False)

    def __post_init__(self) -> None:
        # where errors about the whole component point: its "type" line (as HCL points at a block's
        # header), not the whole object, which a diagnostic would quote line by line
        type_value = self.obj.value.get("type") if isinstance(self.obj.value, dict) else None
        key_range = self.obj.key_ranges.get("type")
        self.range = key_range.to(type_value.range) if type_value and key_range else self.obj.range
        self.body = merge_override(self.obj, self.override)

    def decode(self, schema: Schema, build_vars: Mapping[str, Value] | None = None) -> Decoded:
        generated = None if build_vars is None else {k: _plain(v) for k, v in build_vars.items()}
        ctx = template_context(replace(self.funcs, generated=generated))
        diags: list[HclDiagnostic] = []

        def interpolate(text: str, jv: JValue, path: tuple[str, ...]) -> str | None:
            try:
                return render(text, ctx)
            except GoTemplateError as exc:
                verb = "render" if exc.col is not None else "invalid"
                diags.append(HclDiagnostic(ERROR, f"{verb} '{path[0]}': {exc} in:\n\n{text}", "", jv.range))
                return None

        st = DecodeState(interpolate)
        config = decode_object(st, self.body, schema, skip=self.skip)
        diags += [HclDiagnostic(ERROR, p.message, "", p.range) for p in st.problems]
        diags.sort(key=lambda d: (d.range.start.byte if d.range else 0))
        secrets = [s for s in self.sensitive_values if s and _mentions(config, s)]
        return Decoded(config, diags, secrets)

    def range_of(self, path: Sequence[str]) -> Range:
        node, rng = self.body, self.range
        for step in path:
            if isinstance(node.value, dict) and step in node.value:
                rng, node = node.value[step].range, node.value[step]
            elif isinstance(node.value, list) and step.isascii() and step.isdigit() and int(step) < len(node.value):
                node = node.value[int(step)]
                rng = node.range
            else:
                break
        return rng


def _mentions(value: Any, secret: str) -> bool:
    if isinstance(value, str):
        return secret in value
    if isinstance(value, dict):
        return any(_mentions(v, secret) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, secret) for v in value)
    return False
