"""Decoding ``packer { required_plugins {} }``: Packer's rules and messages, at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiln.plugins.requirements import SourceError, parse_source

from tests.core.template.tplutil import NULL_BUILD, errors, load


def _tpl(entries: str) -> dict[str, str]:
    return {"a.pkr.hcl": f"packer {{\n  required_plugins {{\n{entries}  }}\n}}\n" + NULL_BUILD}


def test_entries_are_decoded_and_normalised(tmp_path: Path) -> None:
    t = load(tmp_path, _tpl('    amazon = {\n      version = ">= 1.0, < 2"\n      source = "GitHub.com/hashicorp/amazon"\n'
                            '    }\n    hello = { source = "example.com/Example/Hello", version = "~> 0.1" }\n'))
    amazon, hello = t.required_plugins["amazon"], t.required_plugins["hello"]
    assert (amazon.source, amazon.version, amazon.plugin_name) == ("github.com/hashicorp/amazon", ">= 1.0, < 2", "amazon")
    assert amazon.range is not None and (amazon.range.start.line, amazon.range.start.column) == (3, 14)
    assert hello.source == "example.com/example/hello" and hello.constraints.allows("0.1.5")


def test_json_template(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.json": '{"packer": {"required_plugins": {"docker": {"source": "github.com/hashicorp/docker",'
                                      ' "version": "~> 1"}}}, "source": {"null": {"x": {"communicator": "none"}}},'
                                      ' "build": {"sources": ["source.null.x"]}}'})
    assert t.required_plugins["docker"].source == "github.com/hashicorp/docker"


DOCS = "https://www.packer.io/docs/templates/hcl_templates/blocks/packer"


@pytest.mark.parametrize(("entries", "summary", "detail", "where"), [
    ('    amazon = ">= 1.2"\n', "Invalid plugin requirement",
     "'amazon = \">= 1.2\"' plugin requirement calls are not possible. You must define a whole block. For example:\n"
     "amazon = {\n  source  = github.com/hashicorp/amazon\n  version = >= 1.2\n}", "a.pkr.hcl:3:5"),
    ('    amazon = "junk"\n', "Invalid plugin requirement",
     "'amazon = \"version\"' plugin requirement calls are not possible. You must define a whole block. For example:\n"
     "amazon = {\n  source  = github.com/hashicorp/amazon\n  version = version\n}", "a.pkr.hcl:3:5"),
    ('    amazon = { source = "github.com/hashicorp/amazon" }\n', "No version constraint was set",
     f'The version field must be specified as a string. Ex: `version = ">= 1.2.0, < 2.0.0". See {DOCS}'
     "#version-constraints for docs", "a.pkr.hcl:3:14"),
    ('    amazon = { source = "github.com/hashicorp/amazon", version = 1 }\n', "Invalid version constraint",
     f"Version must be specified as a string. See {DOCS}#version-constraint-syntax for docs.", "a.pkr.hcl:3:14"),
    ('    amazon = { source = "github.com/hashicorp/amazon", version = ">= 1.x" }\n', "Invalid version constraint",
     f"This string does not use correct version constraint syntax. See {DOCS}#version-constraint-syntax for docs.\n"
     "Malformed constraint: >= 1.x", "a.pkr.hcl:3:14"),
    ('    amazon = { version = "~> 1" }\n', "No source was set",
     f'The source field must be specified as a string. Ex: `source = "coolcloud". See {DOCS}'
     "#specifying-plugin-requirements for docs", "a.pkr.hcl:3:14"),
    ('    amazon = { version = "~> 1", source = ["x"] }\n', "Invalid source",
     'Source must be specified as a string. For example: source = "coolcloud"', "a.pkr.hcl:3:14"),
    ('    amazon = { version = "~> 1", source = "hashicorp/amazon" }\n', "Invalid plugin source string",
     'The "source" attribute must be in the format "hostname/namespace/name"', "a.pkr.hcl:3:14"),
    ('    amazon = { version = "~> 1", source = "github.com/hashicorp/packer-plugin-amazon" }\n', "Invalid plugin type",
     'Plugin source "github.com/hashicorp/packer-plugin-amazon" has a type with the prefix "packer-plugin-", which '
     "isn't valid. Although that prefix is often used in the names of version control repositories for Packer "
     'plugins, plugin source strings should not include it.\n\nDid you mean "github.com/hashicorp/amazon"?',
     "a.pkr.hcl:3:14"),
    ('    amazon = { version = "~> 1", source = "github.com/hashicorp/packer-amazon" }\n', "Invalid plugin type",
     'Plugin source "github.com/hashicorp/packer-amazon" has a type with the prefix "packer-", which isn\'t allowed '
     "because it would be redundant to name a Packer plugin with that prefix. If you are the author of this plugin, "
     "rename it to not include the prefix.", "a.pkr.hcl:3:14"),
    ('    amazon = { version = "~> 1", source = "github.com/hashicorp/amazon", extra = 1 }\n',
     "Invalid required_plugins object", 'required_plugins objects can only contain "version" and "source" attributes.',
     "a.pkr.hcl:3:14"),
    ('    amazon = ["github.com/hashicorp/amazon"]\n', "Invalid required_plugins syntax",
     "required_plugins entries must be objects.", "a.pkr.hcl:3:14"),
    ('    Amazon = { version = "~> 1", source = "github.com/hashicorp/amazon" }\n', "Invalid plugin local name",
     'Plugin names must be normalized. Replace "Amazon" with "amazon" to fix this error.', "a.pkr.hcl:3:14"),
    ('    ama--zon = { version = "~> 1", source = "github.com/hashicorp/amazon" }\n', "Invalid plugin local name",
     "ama--zon is an invalid plugin local name: cannot use multiple consecutive dashes", "a.pkr.hcl:3:16"),
])
def test_errors(tmp_path: Path, entries: str, summary: str, detail: str, where: str) -> None:
    assert errors(tmp_path, _tpl(entries)) == [(summary, detail, where)]


def test_duplicate_local_names_across_blocks(tmp_path: Path) -> None:
    files = {"a.pkr.hcl": 'packer {\n  required_plugins {\n    amazon = { version = "~> 1", source = '
             '"github.com/hashicorp/amazon" }\n  }\n}\n' + NULL_BUILD,
             "b.pkr.hcl": 'packer {\n  required_plugins {\n    amazon = { version = ">= 1", source = '
             '"github.com/other/amazon" }\n  }\n}\n'}
    errs = errors(tmp_path, files)
    assert len(errs) == 1
    summary, detail, where = errs[0]
    assert summary == 'Duplicate required_plugin."amazon" block' and where == "b.pkr.hcl:3:14"
    assert detail.startswith(f'Block previously seen at {tmp_path}/a.pkr.hcl:3,14-74 is already named "amazon".\n')


def test_duplicate_in_one_block_is_hcl_duplicate_argument(tmp_path: Path) -> None:
    errs = errors(tmp_path, _tpl('    a = { version = "1", source = "x.io/y/a" }\n    a = { version = "1", source = "x.io/y/a" }\n'))
    assert [(s, w) for s, _, w in errs] == [("Attribute redefined", "a.pkr.hcl:4:5")]


def test_variables_are_not_allowed(tmp_path: Path) -> None:
    errs = errors(tmp_path, _tpl('    a = { version = var.v, source = "x.io/y/a" }\n'))
    assert [s for s, _, _ in errs] == ["Variables not allowed"]


@pytest.mark.parametrize(("source", "normal"), [
    ("github.com/hashicorp/amazon", "github.com/hashicorp/amazon"),
    ("GITHUB.COM/HashiCorp/Amazon", "github.com/hashicorp/amazon"),
    ("localhost:8080/ns/name", "localhost:8080/ns/name"),
    ("xn--bcher-kva.example/ns/name", "xn--bcher-kva.example/ns/name"),
    ("bücher.example/ns/name", "bücher.example/ns/name"),
])
def test_parse_source(source: str, normal: str) -> None:
    assert parse_source(source) == normal


@pytest.mark.parametrize(("source", "summary", "detail_part"), [
    ("potato", "Invalid plugin source string", "hostname/namespace/name"),
    ("a/b/c/d", "Invalid plugin source string", "hostname/namespace/name"),
    ("/github.com/hashicorp/azr", "Invalid plugin source string", "hostname/namespace/name"),
    ("github.com/hashicorp/azr/", "Invalid plugin source string", "hostname/namespace/name"),
    ("github.com/hashi.corp/azr", "Invalid plugin namespace", "dots are not allowed"),
    ("github.com/hashicorp/-azr", "Invalid plugin type", "may not use leading or trailing dashes"),
    ("github.com/hashicorp/az_r", "Invalid plugin type", "must contain only letters"),
    ("https://github.com/hashicorp/azr", "Invalid plugin source string", "hostname/namespace/name"),
    ("git hub.com/hashicorp/azr", "Invalid plugin source hostname", "must contain only letters"),
    ("github.com:http/hashicorp/azr", "Invalid plugin source hostname", "invalid port"),
])
def test_bad_sources(source: str, summary: str, detail_part: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_source(source)
    assert info.value.summary == summary and detail_part in info.value.detail
