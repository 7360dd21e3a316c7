"""``dynamic`` blocks (HCL's dynblock extension, which Packer applies to every template body)::

    dynamic "disk" {
      for_each = var.disks
      iterator = d          # optional; the block type by default
      labels   = []         # for block types with labels
      content {
        size = d.value.size
      }
    }

Each element of ``for_each`` yields one ``disk`` block whose body sees ``d.key`` and ``d.value``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kiln.hcl.convert import ConversionError, convert
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.syntax import Variable
from kiln.hcl.values import STRING, ListType, Value, number, string
from kiln.template.body import Attr, Blk, Body
from kiln.template.diag import error
from kiln.template.hclapi import EvalContext, eval_expr, parse_expression
from kiln.template.jsonsyntax import JString
from kiln.template.scope import obj

Instance = tuple[Blk, EvalContext]


def expand(blocks: Sequence[Blk], ctx: EvalContext, diags: list[HclDiagnostic]) -> list[Instance]:
    """``blocks`` with every ``dynamic`` block replaced by the blocks it generates, each with the
    context its body is evaluated in."""
    out: list[Instance] = []
    for b in blocks:
        if b.type != "dynamic":
            out.append((b, ctx))
            continue
        if len(b.labels) != 1:
            diags.append(error("Missing dynamic block type", "A dynamic block needs one label: the type of the "
                               "blocks it generates.", b.range))
            continue
        out += _generate(b, ctx, diags)
    return out


def _generate(b: Blk, ctx: EvalContext, diags: list[HclDiagnostic]) -> list[Instance]:
    c = b.body.content({"content": 0})
    diags += c.diagnostics
    for name, attr in c.attributes.items():
        if name not in ("for_each", "iterator", "labels"):
            diags.append(error("Unsupported argument", f'An argument named "{name}" is not expected here.',
                               attr.name_range))
    contents = [x for x in c.blocks if x.type == "content"]
    for_each = c.attributes.get("for_each")
    if for_each is None or len(contents) != 1:
        what = '"for_each" argument' if for_each is None else 'single "content" block'
        diags.append(error("Invalid dynamic block", f"A dynamic block requires a {what}.", b.range))
        return []
    iterator = b.labels[0]
    it_attr = c.attributes.get("iterator")
    if it_attr is not None:
        it_name = _iterator_name(it_attr)
        if it_name is None:
            diags.append(error("Invalid dynamic iterator name", "Dynamic iterator must be a single variable name.",
                               it_attr.expr.range))
            return []
        iterator = it_name
    coll, d = eval_expr(for_each.expr, ctx)
    diags += d
    if d:
        return []
    if not coll.is_known:
        return []  # decided once the value is known (build.* at prepare time)
    if coll.is_null or not isinstance(coll.v, list | dict):
        kind = "null" if coll.is_null else coll.type.friendly()
        diags.append(error("Invalid dynamic for_each value", f"Cannot use a {kind} value in for_each. An iterable "
                           "collection is required.", for_each.expr.range))
        return []
    items = list(coll.v.items()) if isinstance(coll.v, dict) else list(enumerate(coll.v))
    out: list[Instance] = []
    for key, value in items:
        kv = string(key) if isinstance(key, str) else number(key)
        child = ctx.child({iterator: obj({"key": kv, "value": value})})
        labels = _labels(c.attributes.get("labels"), child, diags)
        if labels is None:
            continue
        body: Body = contents[0].body
        out += expand([Blk(b.labels[0], labels, body, b.range, b.type_range, ())], child, diags)
    return out


def _iterator_name(attr: Attr) -> str | None:
    """``iterator = name``; in JSON a string holding the name (HCL reads it as a traversal)."""
    expr = attr.expr
    if isinstance(attr.json, JString):
        expr, d = parse_expression(attr.json.value, attr.expr.range.filename, attr.expr.range.start)
        if d:
            return None
    return expr.name if isinstance(expr, Variable) else None


def _labels(attr: Attr | None, ctx: EvalContext, diags: list[HclDiagnostic]) -> tuple[str, ...] | None:
    if attr is None:
        return ()
    val, d = eval_expr(attr.expr, ctx)
    diags += d
    if d:
        return None
    try:
        labels: Value = convert(val, ListType(STRING))
    except ConversionError as err:
        diags.append(error("Invalid dynamic block labels", f"Unsuitable value: {err.message}", attr.expr.range))
        return None
    return tuple(str(x.v) for x in labels.v or [])


__all__ = ["expand"]
