"""Diagnostics and their Packer-style rendering (also checked against ``packer validate``)."""

from __future__ import annotations

from kiln.hcl.diagnostics import DiagnosticError, error, has_errors
from kiln.hcl.parse import parse_body
from kiln.hcl.render import render, wrap
from kiln.hcl.syntax import Pos, Range

SOURCE = 'source "null" "basic" {\n  communicator = "none"\n  foo = "bar"\n}\n'
FOO = Range("template.pkr.hcl", Pos(3, 3, 50), Pos(3, 6, 53))


def test_render_names_the_block_and_shows_the_line() -> None:
    diag = error("Unsupported argument", 'An argument named "foo" is not expected here.', FOO)
    assert render([diag], lambda _f: SOURCE) == (
        "Error: Unsupported argument\n\n"
        '  on template.pkr.hcl line 3, in source "null" "basic":\n'
        '   3:   foo = "bar"\n\n'
        'An argument named "foo" is not expected here.\n\n'
    )
    body = parse_body(SOURCE, "template.pkr.hcl")
    assert render([diag], lambda _f: SOURCE, {"template.pkr.hcl": body}) == render([diag], lambda _f: SOURCE)


def test_render_without_source_with_values_and_context_lines() -> None:
    diag = error("Duplicate object key", "detail", FOO, values=("x as 1", 'y as "a"'))
    assert render([diag], lambda _f: None) == (
        "Error: Duplicate object key\n\n"
        "  on template.pkr.hcl line 3:\n  (source code not available)\n\n"
        "with x as 1,\n"
        '     y as "a".\n\n'
        "detail\n\n"
    )
    context = Range("template.pkr.hcl", Pos(1, 1, 0), Pos(4, 2, 72))
    text = render([error("S", "", FOO, context)], lambda _f: SOURCE)
    assert [line[:4] for line in text.splitlines() if line[:4].strip().rstrip(":").isdigit()] == [
        "   1",
        "   2",
        "   3",
        "   4",
    ]


def test_wrap_matches_go_wordwrap() -> None:
    text = "Two different items produced the key \"1\" in this 'for' expression. If duplicates are expected."
    assert (
        wrap(text, 80)
        == "Two different items produced the key \"1\" in this 'for' expression. If duplicates\nare expected."
    )
    assert wrap("a\nb c", 3) == "a\nb c"
    assert wrap("x" * 90, 80) == "x" * 90


def test_errors_carry_file_line_column() -> None:
    diag = error("Bad", "it is bad", FOO)
    assert str(diag) == "template.pkr.hcl:3:3: Bad; it is bad"
    assert str(DiagnosticError([diag])) == "template.pkr.hcl:3:3: Bad; it is bad"
    assert has_errors([diag])
