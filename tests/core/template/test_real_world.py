"""Constructs found in public Packer templates (tried as a new user would), each reduced to a small
self-made template: what kiln got wrong with them, and now gets right."""

from __future__ import annotations

from pathlib import Path

from kiln.template import load_template
from kiln_sdk.schema import Attribute, Schema

from tests.core.template.tplutil import errors, load

SOURCES = """
source "null" "x" { communicator = "none" }
source "null" "y" { communicator = "none" }
"""
INLINE = Schema(attributes=(Attribute("inline", "list(string)"),))


def test_dynamic_blocks_in_a_build_are_expanded(tmp_path: Path) -> None:
    # Packer expands dynamic blocks in the whole build body: an optional hcp_packer_registry
    # (for_each = cond ? [1] : []), or provisioners generated from a list.
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
variable "registry" { default = false }
variable "steps" { default = ["one", "two"] }
build {
  sources = ["source.null.x"]
  dynamic "hcp_packer_registry" {
    for_each = var.registry ? [1] : []
    content {
      bucket_name = "b"
    }
  }
  dynamic "provisioner" {
    for_each = var.steps
    labels   = ["shell-local"]
    iterator = step
    content {
      name   = step.value
      inline = ["echo ${step.key} ${step.value} ${source.name}"]
    }
  }
  dynamic "post-processor" {
    for_each = ["manifest"]
    labels   = [post-processor.value]
    content {}
  }
}
"""})
    (b,) = t.builds()
    assert t.warnings == []
    assert [(p.component.type, p.component.name) for p in b.provisioners] == [
        ("shell-local", "one"), ("shell-local", "two")]
    assert [p.component.decode(INLINE).config["inline"] for p in b.provisioners] == [
        ["echo 0 one x"], ["echo 1 two x"]]
    assert [[pp.component.type for pp in chain] for chain in b.post_processors] == [["manifest"]]


def test_dynamic_hcp_packer_registry_enabled_is_the_usual_warning(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  sources = ["source.null.x"]
  dynamic "hcp_packer_registry" {
    for_each = [1]
    content {
      bucket_name = "b"
    }
  }
}
"""})
    assert [w.summary for w in t.warnings] == ["HCP Packer registry is not supported"]


def test_dynamic_nested_source_blocks_in_a_build(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  dynamic "source" {
    for_each = { x = "one", y = "two" }
    iterator = s
    labels   = ["source.null.${s.key}"]
    content {
      name = "${s.key}-renamed"
      inline = [s.value]
    }
  }
}
"""})
    builds = t.builds()
    assert [b.name for b in builds] == ["null.x-renamed", "null.y-renamed"]
    assert [b.builder.decode(INLINE).config.get("inline") for b in builds] == [["one"], ["two"]]


def test_a_legacy_component_is_placed_at_its_type_line(tmp_path: Path) -> None:
    # Errors about a whole builder (unknown type, failed start) quoted its whole JSON object, 30 lines
    # for a real builder; they now point at its "type", as an HCL block's errors point at its header.
    (tmp_path / "t.json").write_text("""{
  "builders": [
    {
      "boot_wait": "5s",
      "type": "qemu",
      "vm_name": "x"
    }
  ],
  "post-processors": [[{"type": "manifest"}], {"output": "o", "type": "checksum"}],
  "provisioners": [{"type": "shell-local", "inline": ["true"]}]
}
""")
    t = load_template(str(tmp_path / "t.json"), env={})
    (b,) = t.builds()
    where = [(c.range.start.line, c.range.start.column, c.range.end.line, c.range.end.column) for c in (
        b.builder, b.provisioners[0].component, b.post_processors[0][0].component, b.post_processors[1][0].component)]
    assert where == [(5, 7, 5, 21), (10, 21, 10, 42), (9, 25, 9, 43), (9, 63, 9, 81)]
    # a plugin's error about no setting in particular ("A checksum must be specified") too
    assert b.builder.range_of(()) == b.builder.range
    assert b.builder.range_of(("vm_name",)).start.line == 6


def test_a_duplicate_source_is_found_after_the_syntax_only_stage(tmp_path: Path) -> None:
    # Packer reads source and build blocks after variables, data sources and locals, in a stage that
    # validate -syntax-only does not run: a template declaring one source twice passes it.
    files = {"a.pkr.hcl": 'source "qemu" "t" {}\nsource "vagrant" "t" {}\nsource "qemu" "t" {}\n'}
    t = load(tmp_path, files, syntax_only=True)
    assert t.warnings == []
    assert [(s, w) for s, _, w in errors(tmp_path, files)] == [("Duplicate source block", "a.pkr.hcl:3:1")]


def test_a_dynamic_source_iterator_named_source_is_seen_in_its_content_only(tmp_path: Path) -> None:
    # build { dynamic "source" { for_each = local.builds, labels = ["TYPE.NAME"], content { name =
    # source.key ... } } }: the default iterator is called "source", and hides source.* in the content
    # only; the source block's own settings still see source.name (the name given by the content).
    schema = Schema(attributes=(Attribute("inline", "list(string)"), Attribute("size", "string")))
    t = load(tmp_path, {"a.pkr.hcl": """
locals {
  builds = {
    small = { size = "s-1" }
    large = { size = "s-8" }
  }
}
source "null" "base" {
  inline = ["out-${source.name}"]
}
build {
  dynamic "source" {
    for_each = local.builds
    labels   = ["null.base"]
    content {
      name = source.key
      size = source.value.size
    }
  }
}
"""})
    builds = t.builds()
    assert [b.name for b in builds] == ["null.large", "null.small"]
    assert [b.builder.decode(schema).config for b in builds] == [
        {"inline": ["out-large"], "size": "s-8"}, {"inline": ["out-small"], "size": "s-1"}]


def test_a_build_name_and_description_may_use_variables_and_locals(tmp_path: Path) -> None:
    # Packer 1.6.6 said "Variables not allowed"; Packer 1.7.9 and later evaluate them (PR #11425),
    # and templates written since do: name = var.role, description = "... ${local.x}".
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
variable "role" { default = "consul" }
locals { version = "1.2" }
build {
  name        = var.role
  description = "${upper(var.role)} image ${local.version}"
  sources     = ["source.null.x"]
  provisioner "shell-local" {
    inline = ["echo ${build.name}"]
  }
}
"""})
    (b,) = t.builds()
    assert (b.name, b.build_block_name, b.description) == ("consul.null.x", "consul", "CONSUL image 1.2")
    assert b.provisioners[0].component.decode(INLINE, {}).config["inline"] == ["echo consul"]


def test_a_dynamic_iterator_written_in_json(tmp_path: Path) -> None:
    # Generated *.pkr.json recipes write "iterator": "name"; HCL reads that string as a traversal.
    t = load(tmp_path, {"t.pkr.json": """{
  "variable": {"steps": {"default": ["one", "two"]}},
  "source": {"null": {"x": {"communicator": "none"}}},
  "build": {
    "sources": ["source.null.x"],
    "dynamic": {"provisioner": {"for_each": "${var.steps}", "labels": ["shell-local"], "iterator": "s",
                                "content": {"inline": ["echo ${s.key} ${s.value}"]}}}
  }
}
"""})
    (b,) = t.builds()
    assert [p.component.decode(INLINE).config["inline"] for p in b.provisioners] == [["echo 0 one"], ["echo 1 two"]]
    errs = errors(tmp_path, {"t.pkr.json": '{"source": {"null": {"x": {"communicator": "none"}}}, "build": {'
                             '"sources": ["source.null.x"], "dynamic": {"provisioner": {"for_each": [1], '
                             '"labels": ["shell-local"], "iterator": "a.b", "content": {}}}}}'})
    assert [e[0] for e in errs] == ["Invalid dynamic iterator name"]


def test_build_in_a_source_is_an_object_without_attributes(tmp_path: Path) -> None:
    # Packer issue #12439 (open): build.* cannot be used in a source. Packer says so with "Unsupported
    # attribute" (build is an unknown object there); kiln said "Unknown variable".
    t = load(tmp_path, {"a.pkr.hcl": 'source "null" "x" {\n  inline = ["${build.name}"]\n}\n'
                        'build {\n  name = "b"\n  sources = ["source.null.x"]\n}\n'})
    d = t.builds()[0].builder.decode(INLINE)
    assert [(x.summary, x.detail) for x in d.diagnostics] == [
        ("Unsupported attribute", 'This object does not have an attribute named "name".')]
