"""Differential test for what ``packer console`` cannot take on one line: heredocs (``<<EOF``,
``<<-EOF`` indentation, directives and strip markers across lines) and multi-line expressions.
Each case is a local in one template; Packer 1.6.6 prints ``local.<name>``, kiln parses the same file
and evaluates the same attribute."""

from __future__ import annotations

import pytest
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.format import console_value
from kiln.hcl.parse import parse_body

from tests.core.hcl.console_oracle import packer_available, packer_console

LOCALS = {
    "plain": "<<EOF\nhello\n  world\nEOF",
    "flush": "<<-EOF\n    hello\n      world\n    EOF",
    "blank_lines": "<<-EOF\n    one\n\n    two\n  EOF",
    "directives": "<<EOT\nx ${1 + 1} y\n%{ for i in [1, 2] ~}\nitem ${i}\n%{ endfor ~}\ndone\nEOT",
    "strip_then_flush": "<<-EOT\n    %{ if true ~}\n      yes\n    %{ else ~}\n      no\n    %{ endif ~}\n  EOT",
    "empty": "<<EOF\nEOF",
    "tabs": "<<-EOF\n\ttab\n\t  indented\n\tEOF",
    "escapes": "<<EOF\n$${not} %%{not} \\n\nEOF",
    "interp_first": '<<-EOF\n  ${"x"}\n    y\n  EOF',
    "indented_marker": "<<EOF\n  a\n  EOF",
    "strip_left": "<<EOF\na   \n${~ 1}\nEOF",
    "for_body_lines": "<<-EOF\n  %{~ for k, v in {a = 1, b = 2} }\n  ${k} = ${v}\n  %{~ endfor }\n  EOF",
    "if_false_no_else": "<<EOF\n[%{ if false }x%{ endif }]\nEOF",
    "unicode_indent": "<<-EOF\n  é\n   ü\n  EOF",
    "tuple": "[\n    1,\n    2,\n  ]",
    "object": '{\n    a = 1\n    b = "x"\n  }',
    "parens": "(\n    1 +\n    2\n  )",
    "for_multiline": "[for x in [1, 2] :\n    x * 2\n  ]",
    "object_for_multiline": "{\n    for k, v in {a = 1} :\n    k => v\n  }",
    "call_multiline": 'join(\n    "-",\n    ["a", "b"],\n  )',
    "nested_heredoc": '{\n    text = <<-EOT\n      inner ${"v"}\n    EOT\n  }',
    "conditional_multiline": "(true\n    ? 1\n    : 2)",
    "comment_inside": "[\n    1, # one\n    // two\n    2, /* three */\n  ]",
    "realistic_join": 'join(",", [for s in ["a", "b"] : "${s}-x"])',
    "realistic_object_for": "{ for k, v in { a = 1, b = 2 } : upper(k) => v * 2 if v > 1 }",
    "realistic_separators": '"%{ for i, s in ["a", "b", "c"] }${s}%{ if i < 2 }, %{ endif }%{ endfor }"',
    "realistic_splat": '[for p in [{ name = "a", ports = [1, 2] }] : p.ports[*]]',
    "realistic_merge": 'merge({ a = 1 }, { for k in ["b"] : k => 2 })',
    "heredoc_in_call": "length(<<EOF\nabc\nEOF\n  )",
    "script": '<<-EOS\n    #!/bin/sh\n    set -e\n    %{ for pkg in ["curl", "jq"] ~}\n    apt-get install -y ${pkg}\n    %{ endfor ~}\n    echo "done: $${HOME}"\n  EOS',
}


def _template() -> str:
    return "locals {\n" + "".join(f"  {name} = {expr}\n" for name, expr in LOCALS.items()) + "}\n"


@pytest.fixture(scope="module")
def packer_results() -> dict[str, tuple[str, int]]:
    if not packer_available():
        pytest.skip("Debian's packer (1.6.6) is not installed")
    names = list(LOCALS)
    return dict(zip(names, packer_console([f"local.{n}" for n in names], _template()), strict=True))


@pytest.fixture(scope="module")
def kiln_results() -> dict[str, tuple[str, int]]:
    from kiln.hcl.functions import FUNCTIONS

    body = parse_body(_template(), "t.pkr.hcl")
    (locals_block,) = body.blocks
    ctx = EvalContext({}, FUNCTIONS)
    return {a.name: (console_value(evaluate(a.expr, ctx)), 0) for a in locals_block.body.attributes}


@pytest.mark.parametrize("name", list(LOCALS))
def test_same_as_packer(
    name: str, packer_results: dict[str, tuple[str, int]], kiln_results: dict[str, tuple[str, int]]
) -> None:
    assert kiln_results[name] == packer_results[name]
