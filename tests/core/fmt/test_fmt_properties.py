"""Properties of ``kiln fmt``: formatting formatted text changes nothing, and formatting never changes
what a template means (the same syntax tree but for positions, the same values once evaluated)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kiln.fmt import format_source
from kiln.hcl.format import console_value
from kiln.hcl.parse import parse_body
from kiln.hcl.syntax import Body, Pos, Range
from kiln.template import load_template

from tests.core.fmt.fixtures import FIXTURES, generated, perturb, random_templates

CASES = {**FIXTURES, **generated(150), **random_templates(120)}


def shape(node: Any) -> Any:
    """A syntax tree with every position left out."""
    if isinstance(node, Range | Pos):
        return None
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__, *(shape(getattr(node, f.name)) for f in dataclasses.fields(node)
                                        if not f.name.endswith("range") and not f.name.endswith("ranges")))
    if isinstance(node, tuple | list):
        return tuple(shape(x) for x in node)
    if isinstance(node, dict):
        return {k: shape(v) for k, v in node.items()}
    return node


@pytest.mark.parametrize("name", sorted(CASES))
def test_idempotent(name: str) -> None:
    once = format_source(CASES[name])
    assert format_source(once) == once


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_syntax_tree(name: str) -> None:
    text = CASES[name]
    before = parse_body(text.removeprefix("\ufeff"), "t.pkr.hcl")
    after = parse_body(format_source(text).removeprefix("\ufeff"), "t.pkr.hcl")
    assert shape(after) == shape(before)
    assert shape(before) != shape(parse_body("zz = 1\n", "t.pkr.hcl"))  # the comparison can fail


# -- evaluated with kiln's loader ----------------------------------------------------------------------

TEMPLATES = {
    "vars_locals_build": '''variable "name" {
type = string
default = "kiln"
}
variable "sizes" {
type = list(number)
default = [1,2,3]
}
variable "tags" {
type = map(string)
default = {a="1", b = "2"}
}
locals {
upper = upper(var.name)
doubled = [for s in var.sizes: s*2 if s>1]
by_key = {for k,v in var.tags: k=>"${v}-${var.name}"}
neg = -var.sizes[0] - -1
cond = length(var.sizes)>2 ? "many" : "few"
text = <<-EOT
    hello ${var.name}
      indented   kept
    %{ for s in var.sizes ~}
    size ${s}
    %{ endfor ~}
    EOT
raw = <<EOF
  keep    this   ${local.upper}
EOF
splat = [for t in [{n=1},{n=2}]: t][*].n
}
source "null" "a" {
communicator = "none"
}
build {
name = "b"
sources = ["source.null.a"]
provisioner "shell-local" {
inline = ["echo ${local.upper}", "echo ${join(",", local.doubled)}",local.text]
environment_vars = ["A=${local.cond}"] # trailing comment
}
post-processor "manifest" {
output = "m-${var.name}.json"
}
}
''',
}


def _values(body: Body, ctx: Any) -> list[tuple[str, str]]:
    from kiln.hcl.evaluate import evaluate

    out = [(a.name, console_value(evaluate(a.expr, ctx))) for a in body.attributes]
    for b in body.blocks:
        out += [(f"{b.type}.{name}", v) for name, v in _values(b.body, ctx)]
    return out


def evaluated(folder: Path) -> dict[str, Any]:
    tpl: Any = load_template(str(folder))
    scope = tpl.scope
    got: dict[str, Any] = {
        "variables": {k: console_value(v) for k, v in scope.variables.items()},
        "locals": {k: console_value(v) for k, v in scope.locals.items()},
    }
    for build in tpl.builds():
        parts = [build.builder, *(p.component for p in build.provisioners),
                 *(pp.component for chain in build.post_processors for pp in chain)]
        got[build.name] = [(c.type, c.name, [_values(b.syntax, c.context(None)) for b in c.bodies]) for c in parts]
    return got


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_same_values_when_loaded(tmp_path: Path, name: str) -> None:
    """The template and a variable file, as written, formatted, with random blanks, and those formatted:
    every variable, local and component setting evaluates to the same value."""
    rnd = random.Random(7)
    pairs = [(TEMPLATES[name], VARFILE)]
    for _ in range(4):
        pairs.append((perturb(format_source(TEMPLATES[name]), rnd), perturb(format_source(VARFILE), rnd)))
    results = []
    for i, (text, varfile) in enumerate(pairs + [(format_source(t), format_source(v)) for t, v in pairs]):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "t.pkr.hcl").write_text(text)
        (folder / "x.auto.pkrvars.hcl").write_text(varfile)
        results.append(evaluated(folder))
    first = results[0]  # the values are real ones: blanks inside the heredocs and strings are in them
    assert first["locals"]["text"].startswith("hello kiln\n  indented   kept\n")
    assert first["locals"]["raw"] == "  keep    this   KILN\n" and first["locals"]["neg"] == "0"
    assert first["variables"]["sizes"] == "[\n  1,\n  2,\n  3,\n  4,\n]"  # from the variable file
    assert first["b.null.a"][1][2][0][1] == ("environment_vars", '[\n  "A=many",\n]')
    assert all(r == first for r in results[1:])


VARFILE = 'sizes = [1,2,\n3, 4]\ntags={a="x  y", b=<<EOF\n  z\nEOF\n}\n'


# -- generated by hypothesis: random blanks over the fixtures --------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(FIXTURES)), st.randoms(use_true_random=False))
def test_any_blanks_format_to_one_layout(name: str, rnd: random.Random) -> None:
    """Blanks never matter: any perturbation of a fixture formats to the fixture's own layout, once and
    for all, with the same syntax tree."""
    base = format_source(FIXTURES[name])
    noisy = perturb(base, rnd)
    assert format_source(noisy) == format_source(base) or _alignment_only(noisy, base)
    out = format_source(noisy)
    assert format_source(out) == out
    assert shape(parse_body(out.removeprefix("\ufeff"), "t")) == shape(parse_body(base.removeprefix("\ufeff"), "t"))


def _alignment_only(noisy: str, base: str) -> bool:
    """Extra blank lines (which the perturbation may add) break alignment runs: then only the blanks
    inside lines may differ."""
    strip = [" ".join(ln.split()) for ln in format_source(noisy).splitlines() if ln.strip()]
    return strip == [" ".join(ln.split()) for ln in format_source(base).splitlines() if ln.strip()]
