"""Decoding a component's body against its plugin's schema (what the engine does at prepare time)."""

from __future__ import annotations

from pathlib import Path

from kiln.hcl.values import number, string
from kiln.template.component import UNKNOWN_PLACEHOLDER
from kiln_sdk.schema import Attribute, Block, Schema

from tests.core.template.tplutil import load

SCHEMA = Schema(
    attributes=(
        Attribute("inline", "list(string)"),
        Attribute("count", "number"),
        Attribute("env", "map(string)"),
        Attribute("password", "string", sensitive=True),
        Attribute("required_thing", "string", required=True),
        Attribute("flag", "bool"),
    ),
    blocks=(
        Block("disk", Schema((Attribute("size", "number", required=True), Attribute("name", "string"))),
              nesting="list"),
        Block("network", Schema((Attribute("mode", "string"),))),
    ),
)


def _template(tmp_path: Path, body: str, extra: str = "", json: bool = False):  # type: ignore[no-untyped-def]
    files = {"a.pkr.hcl": f"""
variable "secret" {{
  default   = "s3cret"
  sensitive = true
}}
source "null" "x" {{
{body}
}}
build {{
  sources = ["source.null.x"]
  provisioner "shell-local" {{
    only    = ["null.x"]
    inline  = ["id=${{build.ID}}", "host=${{build.Host}}", "src=${{source.name}}"]
    count   = 2
    required_thing = "x"
  }}
}}
{extra}"""}
    return load(tmp_path, files)


def test_decode_converts_to_schema_types_and_collects_secrets(tmp_path: Path) -> None:
    t = _template(tmp_path, """
  inline = ["a", 1, true]
  count = "3"
  env = { A = 1 }
  password = var.secret
  required_thing = "x"
  flag = "true"
  disk {
    size = 10
  }
  disk {
    size = "20"
    name = "second"
  }
  network {
    mode = "nat"
  }
""")
    decoded = t.builds()[0].builder.decode(SCHEMA)
    assert decoded.diagnostics == []
    assert decoded.config == {
        "inline": ["a", "1", "true"], "count": 3, "env": {"A": "1"}, "password": "s3cret",
        "required_thing": "x", "flag": True, "disk": [{"size": 10}, {"size": 20, "name": "second"}],
        "network": {"mode": "nat"},
    }
    assert decoded.sensitive == ["s3cret"]


def test_decode_diagnostics_point_at_the_template(tmp_path: Path) -> None:
    t = _template(tmp_path, """
  inlin = ["a"]
  count = "many"
  disk {
    name = "no size"
  }
  network {}
  network {}
  bogus {}
""")
    decoded = t.builds()[0].builder.decode(SCHEMA)
    got = [(d.summary, d.detail, d.range.start.line if d.range else 0) for d in decoded.diagnostics]
    assert ("Unsupported argument", 'An argument named "inlin" is not expected here. Did you mean "inline"?',
            8) in got
    assert ("Incorrect attribute value type", 'Inappropriate value for attribute "count": a number is required.',
            9) in got
    assert ("Missing required argument", 'The argument "required_thing" is required, but no definition was found.',
            6) in got
    assert ("Missing required argument", 'The argument "size" is required, but no definition was found.', 10) in got
    assert any(s == "Duplicate network block" and line == 14 for s, _, line in got)
    assert ("Unsupported block type", 'Blocks of type "bogus" are not expected here.', 15) in got
    assert decoded.has_errors


def test_build_variables_unknown_at_prepare_then_given(tmp_path: Path) -> None:
    t = _template(tmp_path, 'required_thing = "x"')
    prov = t.builds()[0].provisioners[0].component
    before = prov.decode(SCHEMA)
    assert before.diagnostics == []
    assert before.config["inline"] == [UNKNOWN_PLACEHOLDER, UNKNOWN_PLACEHOLDER, "src=x"]
    after = prov.decode(SCHEMA, {"ID": string("i-123"), "Host": string("10.0.0.1"), "Port": number(22)})
    assert after.config["inline"] == ["id=i-123", "host=10.0.0.1", "src=x"]
    named = load(tmp_path, {"a.pkr.hcl": 'source "null" "x" {}\nbuild {\n  name = "nb"\n  sources = ["null.x"]\n'
                            '  provisioner "p" {\n    inline = [build.name]\n  }\n}\n'})
    decoded = named.builds()[0].provisioners[0].component.decode(SCHEMA, {"ID": string("i")})
    assert decoded.config["inline"] == ["nb"]
    assert after.config["count"] == 2
    assert "only" not in after.config  # Packer's own arguments are not the plugin's


def test_range_of_maps_plugin_paths(tmp_path: Path) -> None:
    t = _template(tmp_path, """
  required_thing = "x"
  disk {
    size = 1
  }
  disk {
    size = 2
  }
""")
    builder = t.builds()[0].builder
    assert builder.range_of(["required_thing"]).start.line == 8
    assert builder.range_of(["disk", "1", "size"]).start.line == 13
    assert builder.range_of(["disk"]).start.line == 9
    assert builder.range_of(["nothing"]) == builder.range


def test_nested_source_block_adds_settings(tmp_path: Path) -> None:
    files = {"a.pkr.hcl": """
source "null" "x" {
  count = 1
}
build {
  source "source.null.x" {
    name           = "y"
    required_thing = "from build"
  }
  source "source.null.x" {
    name  = "z"
    count = 2
  }
}
"""}
    t = load(tmp_path, files)
    y, z = t.builds()
    assert y.builder.decode(SCHEMA).config == {"count": 1, "required_thing": "from build"}
    dup = z.builder.decode(SCHEMA).diagnostics
    assert [d.summary for d in dup][:1] == ["Duplicate argument"]


def test_dynamic_blocks(tmp_path: Path) -> None:
    t = _template(tmp_path, """
  required_thing = "x"
  dynamic "disk" {
    for_each = { a = 1, b = 2 }
    iterator = d
    content {
      size = d.value * 10
      name = d.key
    }
  }
  dynamic "network" {
    for_each = ["nat"]
    content {
      mode = network.value
    }
  }
""")
    decoded = t.builds()[0].builder.decode(SCHEMA)
    assert decoded.diagnostics == []
    assert decoded.config["disk"] == [{"size": 10, "name": "a"}, {"size": 20, "name": "b"}]
    assert decoded.config["network"] == {"mode": "nat"}
    bad = _template(tmp_path, 'required_thing = "x"\n  dynamic "disk" {\n    for_each = 3\n    content {}\n  }\n')
    assert [d.summary for d in bad.builds()[0].builder.decode(SCHEMA).diagnostics] == [
        "Invalid dynamic for_each value"]


def test_build_keys_a_builder_does_not_set_are_unknown_text(tmp_path: Path) -> None:
    t = _template(tmp_path, 'required_thing = "x"')
    prov = t.builds()[0].provisioners[0].component
    assert prov.decode(SCHEMA, {"PackerRunUUID": string("u")}).config["inline"][:2] == [
        "id=<unknown>", "host=<unknown>"]


def test_attribute_written_as_block_and_block_as_attribute(tmp_path: Path) -> None:
    t = _template(tmp_path, 'required_thing = "x"\n  env {\n    A = "1"\n  }\n  network = {}\n')
    details = [d.detail for d in t.builds()[0].builder.decode(SCHEMA).diagnostics]
    assert details == [
        'An argument named "network" is not expected here. Did you mean to define a block of type "network"?',
        'Blocks of type "env" are not expected here. Did you mean to define argument "env"? If so, use the equals '
        "sign to assign it a value."]


def test_null_is_not_set(tmp_path: Path) -> None:
    t = _template(tmp_path, 'required_thing = null\n  count = null\n')
    decoded = t.builds()[0].builder.decode(SCHEMA)
    assert decoded.config == {}
    assert [d.summary for d in decoded.diagnostics] == ["Required argument is null"]


def test_range_of_in_json_bodies(tmp_path: Path) -> None:
    text = ('{"source": {"null": {"x": {\n  "required_thing": "x",\n  "disk": [\n    {"size": 1},\n'
            '    {"size": 2, "name": "b"}\n  ]\n}}},\n "build": {"sources": ["source.null.x"]}}')
    t = load(tmp_path, {"t.pkr.json": text})
    builder = t.builds()[0].builder
    assert builder.decode(SCHEMA).config["disk"] == [{"size": 1}, {"size": 2, "name": "b"}]
    r = builder.range_of(["disk", "1", "name"])
    assert (r.start.line, r.start.column) == (5, 25)
    assert builder.range_of(["required_thing"]).start.line == 2
