"""HCL's JSON syntax (``*.pkr.json``) read into the same body model as native HCL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kiln.template.body import JsonBody
from kiln.template.hclapi import eval_expr
from kiln.template.jsonsyntax import JObject, JSONSyntaxError, parse_json

from tests.core.template.tplutil import errors, load


def test_positions_of_values() -> None:
    node = parse_json('{"a": [1, "x\\n"],\n "b": {"c": true}}')
    assert isinstance(node, JObject)
    a, b = node.props
    assert (a.key.start.line, a.key.start.column) == (1, 2)
    assert (b.value.start.line, b.value.start.column, b.value.start.byte) == (2, 7, 24)
    with pytest.raises(JSONSyntaxError) as info:
        parse_json('{"a": 1,\n "b" 2}')
    assert (info.value.pos.line, info.value.pos.column) == (2, 6)


def test_labels_nest_and_arrays_repeat_blocks() -> None:
    doc = {"source": {"null": {"a": {"communicator": "none"}, "b": {}}},
           "build": [{"sources": ["source.null.a"]}, {"sources": ["source.null.b"]}]}
    body = JsonBody(parse_json(json.dumps(doc)), "t.pkr.json")  # type: ignore[arg-type]
    c = body.content({"source": 2, "build": 0})
    assert [(b.type, b.labels) for b in c.blocks] == [
        ("source", ("null", "a")), ("source", ("null", "b")), ("build", ()), ("build", ())]
    assert c.attributes == {}


def test_string_templates_keep_ranges_inside_the_string(tmp_path: Path) -> None:
    text = '{"locals": {"a": "x-${upper(\\"y\\")}", "b": "pre ${local.nope} post"}}'
    body = JsonBody(parse_json(text), "t.pkr.json")  # type: ignore[arg-type]
    locals_block = body.content({"locals": 0}).blocks[0]
    attrs = locals_block.body.content({}).attributes
    # "a" has escapes: evaluated correctly
    from kiln.hcl.functions import FUNCTIONS
    from kiln.template.hclapi import make_context

    val, diags = eval_expr(attrs["a"].expr, make_context({}, FUNCTIONS))
    assert not diags and val.v == "x-Y"
    errs = errors(tmp_path, {"t.pkr.json": text.replace('"a": "x-${upper(\\"y\\")}", ', "")})
    assert errs and errs[0][2] == "t.pkr.json:1:31"  # points at "nope" in local.nope, inside the string


def test_json_template_builds_like_hcl(tmp_path: Path) -> None:
    doc = {
        "variable": {"who": {"default": "world"}},
        "locals": {"greeting": "hello ${var.who}"},
        "source": {"null": {"x": {"communicator": "none"}}},
        "build": {"name": "b", "sources": ["source.null.x"],
                  "provisioner": [{"shell-local": {"inline": ["echo ${local.greeting}"]}},
                                  {"shell-local": {"inline": ["second"]}}]},
    }
    t = load(tmp_path, {"t.pkr.json": json.dumps(doc, indent=2)})
    [b] = t.builds()
    assert b.name == "b.null.x"
    assert [p.component.type for p in b.provisioners] == ["shell-local", "shell-local"]
    assert t.scope.locals["greeting"].v == "hello world"  # type: ignore[attr-defined]


def test_json_syntax_errors_have_positions(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"t.pkr.json": '{"source": {"null": {"x": {}}},\n  "build": [}'})
    assert errs[0][0] == "Missing JSON value" and errs[0][2] == "t.pkr.json:2:13"
    errs = errors(tmp_path, {"t.pkr.json": "[1]"})
    assert errs[0][0] == "Root value must be object"


@pytest.mark.parametrize(("text", "summary"), [
    ('{"a": 1,}', "Trailing comma in object"),
    ('{"a" = 1}', "Missing property value colon"),
    ('{"a"}', "Missing object value"),
    ('{"a": 1 "b": 2}', "Missing attribute seperator comma"),
    ('{"a": [1 2]}', "Missing attribute seperator comma"),
    ('{"a": [1,]}', "Trailing comma in array"),
    ('{"a": tru}', "Invalid JSON keyword"),
    ('{"a": 01}', "Invalid JSON number"),
    ('{"a": "x\\q"}', "Invalid JSON string"),
    ('{"a": 1', "Unclosed object"),
    ('{"a": 1]', "Mismatched braces"),
    ("{1: 2}", "Invalid object property name"),
    ("{} x", "Extraneous data after value"),
    ("", "Missing value"),
])
def test_syntax_errors_in_hcl_words(text: str, summary: str) -> None:
    with pytest.raises(JSONSyntaxError) as info:
        parse_json(text)
    assert info.value.summary == summary


def test_every_block_kind_in_json(tmp_path: Path) -> None:
    doc = {
        "packer": {"required_version": ">= 1.5"},
        "variables": {"a": "from variables block"},
        "variable": {"v": {"type": "object({n = number})", "default": {"n": 1},
                           "validation": {"condition": "${var.v.n > 0}", "error_message": "Must be positive."}}},
        "local": {"secret": {"expression": "${upper(var.a)}", "sensitive": True}},
        "data": {"fake": {"d": {"input": "${local.secret}"}}},
        "source": [{"null": {"x": {"communicator": "none"}}}],
        "build": {"sources": ["source.null.x"],
                  "post-processors": [{"post-processor": {"manifest": {"output": "m.json"}}}]},
    }
    t = load(tmp_path, {"t.pkr.json": json.dumps(doc)}, vars=[("v", "{n = 2}")])
    assert t.required_version == ">= 1.5"
    assert t.scope.variables["v"].v["n"].v == 2  # type: ignore[attr-defined]
    assert t.scope.locals["secret"].is_sensitive  # type: ignore[attr-defined]
    assert t.sensitive_values == ["FROM VARIABLES BLOCK"]
    [b] = t.builds()
    assert [[pp.component.type for pp in c] for c in b.post_processors] == [["manifest"]]
    errs = errors(tmp_path, {"t.pkr.json": json.dumps(doc)}, vars=[("v", "{n = 0}")])
    assert errs[0][0] == "Invalid value for cmd variable"
