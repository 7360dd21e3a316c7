"""``traversals``: the variables an expression refers to, for dependency ordering."""

from __future__ import annotations

from kiln.hcl.parse import parse_expression
from kiln.hcl.references import traversals


def refs(src: str) -> list[tuple[str, tuple[str | int, ...], str]]:
    return [
        (t.root, t.steps, src[t.range.start.byte : t.range.end.byte])
        for t in traversals(parse_expression(src))
    ]


def test_roots_with_static_steps_and_ranges() -> None:
    assert refs('"${var.a}-${local.b[0]}"') == [("var", ("a",), "var.a"), ("local", ("b", 0), "local.b[0]")]
    assert refs("data.aws_ami.ubuntu.id") == [("data", ("aws_ami", "ubuntu", "id"), "data.aws_ami.ubuntu.id")]
    assert refs('local.m["k"].x') == [("local", ("m", "k", "x"), 'local.m["k"].x')]


def test_dynamic_indexes_and_nested_expressions() -> None:
    assert refs("local.m[var.k].x") == [("local", ("m",), "local.m"), ("var", ("k",), "var.k")]
    assert refs("f(var.a, [local.b], {k = var.c})") == [
        ("var", ("a",), "var.a"),
        ("local", ("b",), "local.b"),
        ("var", ("c",), "var.c"),
    ]
    assert refs("var.c ? local.x : local.y") == [
        ("var", ("c",), "var.c"),
        ("local", ("x",), "local.x"),
        ("local", ("y",), "local.y"),
    ]


def test_for_and_splat_do_not_count_their_own_names() -> None:
    assert refs("[for s in var.list : upper(s) if s != local.skip]") == [
        ("var", ("list",), "var.list"),
        ("local", ("skip",), "local.skip"),
    ]
    assert refs('"%{ for k, v in var.m }${k}${local.sep}%{ endfor }"') == [
        ("var", ("m",), "var.m"),
        ("local", ("sep",), "local.sep"),
    ]
    assert refs("var.items[*].name") == [("var", ("items",), "var.items")]
    assert refs("[for x in x : x]") == [("x", (), "x")]
