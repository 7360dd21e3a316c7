"""Parsing HCL2 native syntax into kiln's syntax model (shapes, ranges, templates, errors)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.parse import parse_body, parse_expression, parse_template
from kiln.hcl.syntax import (
    AnonSymbol,
    Binary,
    Conditional,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    Parens,
    Splat,
    TemplateExpr,
    TemplateFor,
    TemplateIf,
    TemplateWrap,
    TupleCons,
    Unary,
    Variable,
)

TEMPLATE = """\
variable "region" {
  type    = string
  default = "us-east-1"
}

source "null" "basic" {
  communicator = "none"
}

build {
  sources = ["source.null.basic"]

  provisioner "shell-local" {
    inline = ["echo ${var.region}"]
  }
}
"""


def _errors(src: str, parse=parse_expression) -> list[tuple[str, str, int, int]]:  # type: ignore[no-untyped-def]
    with pytest.raises(DiagnosticError) as err:
        parse(src, "t.hcl")
    assert all(d.range is not None for d in err.value.diagnostics)
    return [(d.summary, d.detail, d.range.start.line, d.range.start.column)  # type: ignore[union-attr]
            for d in err.value.diagnostics]


def test_body_keeps_attributes_blocks_and_their_ranges() -> None:
    body = parse_body(TEMPLATE, "t.pkr.hcl")
    assert [b.type for b in body.blocks] == ["variable", "source", "build"]
    variable, source, build = body.blocks
    assert variable.labels == ("region",)
    assert [a.name for a in variable.body.attributes] == ["type", "default"]
    assert source.labels == ("null", "basic")
    assert [(r.start.line, r.start.column, r.end.column) for r in source.label_ranges] == [
        (6, 8, 14),
        (6, 15, 22),
    ]
    assert (source.type_range.start.line, source.type_range.start.column) == (6, 1)
    assert (source.range.start.line, source.range.end.line) == (6, 8)
    default = variable.body.attribute("default")
    assert default is not None
    assert (default.name_range.start.line, default.name_range.start.column) == (3, 3)
    assert (default.expr.range.start.column, default.expr.range.end.column) == (13, 24)
    provisioner = build.body.blocks_of("provisioner")[0]
    assert provisioner.labels == ("shell-local",)
    assert build.body.attribute("sources") is not None


def test_single_line_blocks_and_empty_bodies() -> None:
    body = parse_body('a { b = 1 }\nc {}\nd "x" {\n}\n', "t.hcl")
    assert [(b.type, [a.name for a in b.body.attributes]) for b in body.blocks] == [
        ("a", ["b"]),
        ("c", []),
        ("d", []),
    ]


def test_newlines_end_arguments_but_not_bracketed_expressions() -> None:
    assert _errors("a = 1\n+ 2\n", parse_body)[0][0] == "Argument or block definition required"
    body = parse_body("a = (1\n+ 2)\nb = [\n1,\n2\n]\nc = f(\n1,\n)\n", "t.hcl")
    assert [a.name for a in body.attributes] == ["a", "b", "c"]


def test_attribute_redefined_names_the_first_definition() -> None:
    [(summary, detail, line, col)] = _errors("a = 1\na = 2\n", parse_body)
    assert summary == "Attribute redefined"
    assert detail == 'The argument "a" was already set at t.hcl:1,1-2. Each argument may be set only once.'
    assert (line, col) == (2, 1)


def test_operator_precedence_and_associativity() -> None:
    e = parse_expression("1 + 2 * 3 - 4")
    assert isinstance(e, Binary) and e.op == "-"
    assert isinstance(e.left, Binary) and e.left.op == "+"
    assert isinstance(e.left.right, Binary) and e.left.right.op == "*"
    e = parse_expression("a || b && c == d")
    assert isinstance(e, Binary) and e.op == "||" and isinstance(e.right, Binary) and e.right.op == "&&"
    e = parse_expression("-a.b + 1")
    assert isinstance(e, Binary) and isinstance(e.left, Unary) and isinstance(e.left.operand, GetAttr)
    e = parse_expression("a ? b : c ? d : e")
    assert isinstance(e, Conditional) and isinstance(e.false_expr, Conditional)
    e = parse_expression("!!true")
    assert isinstance(e, Unary) and isinstance(e.operand, Unary)


def test_literals() -> None:
    number = parse_expression("1.5e3")
    assert isinstance(number, Literal) and number.value.v == Decimal(1500)
    for src, payload in (("true", True), ("false", False), ("null", None)):
        lit = parse_expression(src)
        assert isinstance(lit, Literal) and lit.value.v == payload


def test_traversals_splats_and_legacy_index() -> None:
    e = parse_expression('a.b[0]["k"].c')
    assert isinstance(e, GetAttr) and e.name == "c"
    assert isinstance(e.source, Index) and isinstance(e.source.source, Index)
    e = parse_expression("a[*].b[0]")
    assert isinstance(e, Splat) and isinstance(e.each, Index) and isinstance(e.each.source, GetAttr)
    assert isinstance(e.each.source.source, AnonSymbol)
    e = parse_expression("a.*.b[0]")  # the attribute-only splat ends at the index
    assert isinstance(e, Index) and isinstance(e.source, Splat) and isinstance(e.source.each, GetAttr)
    e = parse_expression("a.0.b")
    assert isinstance(e, GetAttr) and isinstance(e.source, Index)
    assert _errors("a.0.1")[0][0] == "Invalid legacy index syntax"


def test_object_keys_bare_names_keywords_and_expressions() -> None:
    e = parse_expression('{a = 1, "b" = 2, (c) = 3, null = 4, d: 5}')
    assert isinstance(e, ObjectCons)
    keys = [i.key for i in e.items]
    assert isinstance(keys[0], Literal) and keys[0].value.v == "a"
    assert isinstance(keys[1], TemplateExpr)
    assert isinstance(keys[2], Parens) and isinstance(keys[2].expr, Variable)
    assert isinstance(keys[3], Literal) and keys[3].value.v == "null"
    assert isinstance(keys[4], Literal) and keys[4].value.v == "d"
    assert parse_expression("{a.b = 1}").items[0].ambiguous  # type: ignore[attr-defined]


def test_function_calls_and_for_expressions() -> None:
    e = parse_expression("f(1, [2]...)")
    assert isinstance(e, FunctionCall) and e.name == "f" and e.expand_final and len(e.args) == 2
    assert (e.name_range.start.column, e.close_paren_range.start.column) == (1, 12)
    e = parse_expression("[for i, v in xs : v if i > 0]")
    assert isinstance(e, ForExpr) and (e.key_var, e.value_var) == ("i", "v") and e.key_expr is None
    assert e.cond is not None and not e.group
    e = parse_expression("{for v in xs : v => v...}")
    assert isinstance(e, ForExpr) and e.key_var is None and e.key_expr is not None and e.group


def test_templates_wrap_directives_and_strip_markers() -> None:
    assert isinstance(parse_expression('"${x}"'), TemplateWrap)
    e = parse_expression('"a ${~ x ~} b%{ if c }y%{ else }z%{ endif }"')
    assert isinstance(e, TemplateExpr)
    lit_a, var, lit_b, cond = e.parts
    assert isinstance(lit_a, Literal) and lit_a.value.v == "a"
    assert isinstance(var, Variable)
    assert isinstance(lit_b, Literal) and lit_b.value.v == "b"
    assert isinstance(cond, TemplateIf) and cond.false_part is not None
    e = parse_expression('"%{ for k, v in m }${k}%{ endfor }"')
    assert isinstance(e, TemplateExpr) and isinstance(e.parts[0], TemplateFor)
    assert e.parts[0].key_var == "k"
    e = parse_expression('"\\u00e9\\t$${x}%%{y}"')
    assert isinstance(e, TemplateExpr) and e.parts[0].value.v == "é\t${x}%{y}"  # type: ignore[attr-defined]


def test_heredocs_and_flush_indentation() -> None:
    e = parse_expression("<<EOF\n  a\n    b\nEOF\n")
    assert isinstance(e, TemplateExpr) and "".join(p.value.v for p in e.parts) == "  a\n    b\n"  # type: ignore[attr-defined]
    e = parse_expression("<<-EOF\n    a\n\n      b\n    EOF\n")
    assert "".join(p.value.v for p in e.parts) == "a\n\n  b\n"  # type: ignore[attr-defined]


def test_bare_template() -> None:
    e = parse_template("Hello ${name}!\n%{ for x in xs ~}\n- ${x}\n%{ endfor ~}\n", "t.tpl")
    assert isinstance(e, TemplateExpr)
    assert isinstance(e.parts[1], Variable) and isinstance(e.parts[3], TemplateFor)


@pytest.mark.parametrize(
    ("src", "summary", "line", "col"),
    [
        ("1 +", "Invalid expression", 1, 4),
        ("[1, 2", "Missing item separator", 1, 6),
        ("(1", "Unbalanced parentheses", 1, 3),
        ('"abc', "Unterminated template string", 1, 1),
        ("1 2", "Extra characters after expression", 1, 3),
        ("f(1 2)", "Missing argument separator", 1, 5),
        ('"${1"', "Extra characters after interpolation expression", 1, 5),
        ('"%{ endif }"', "Unexpected endif directive", 1, 2),
        ("a.", "Invalid attribute name", 1, 3),
        ("x[*", "Missing close bracket on splat index", 1, 4),
    ],
)
def test_syntax_errors_are_diagnostics_with_positions(src: str, summary: str, line: int, col: int) -> None:
    first = _errors(src)[0]
    assert (first[0], first[2], first[3]) == (summary, line, col)


def test_invalid_characters_are_reported_before_the_parse_error() -> None:
    assert [e[0] for e in _errors("1 & 2")] == ["Unsupported operator", "Extra characters after expression"]
    assert [e[0] for e in _errors("@")] == ["Invalid character", "Invalid expression"]


def test_block_errors() -> None:
    assert _errors('source "a" = {\n}\n', parse_body)[0][0] == "Invalid block definition"
    assert _errors("a { b = 1, c = 2 }\n", parse_body)[0][0] == "Invalid single-argument block definition"
    assert _errors("a {\n", parse_body)[0][:2] == (
        "Argument or block definition required",
        "An argument or block definition is required here.",
    )
    assert _errors('"a" = 1\n', parse_body)[0][0] == "Invalid argument name"


def test_ranges_span_multiple_lines_and_count_characters() -> None:
    e = parse_expression('[\n  "é",\n  2,\n]', "f.hcl")
    assert (e.range.start.line, e.range.end.line, e.range.end.column) == (1, 4, 2)
    assert isinstance(e, TupleCons)
    assert (e.items[1].range.start.line, e.items[1].range.start.column) == (3, 3)
    assert str(e.items[0].range) == "f.hcl:2,3-6"
