"""Locals and data sources: dependency order, cycles, the data-source callback."""

from __future__ import annotations

from pathlib import Path

from kiln.hcl.values import Value, string
from kiln.template import ComponentSpec
from kiln.template.scope import obj

from tests.core.template.tplutil import NULL_BUILD, errors, load


def test_locals_in_dependency_order_across_blocks_and_files(tmp_path: Path) -> None:
    t = load(tmp_path, {
        "a.pkr.hcl": 'locals {\n  c = "${local.b}c"\n}\nlocals {\n  b = "${local.a}b"\n}\n' + NULL_BUILD,
        "b.pkr.hcl": 'local "a" {\n  expression = "a"\n}\n',
    })
    assert {k: v.v for k, v in t.scope.locals.items()} == {"a": "a", "b": "ab", "c": "abc"}  # type: ignore[attr-defined]


def test_cycles_are_reported_with_ranges(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": "locals {\n  a = local.b\n  b = local.a\n  self = local.self\n"
                             "  ok = 1\n  uses_cycle = local.a\n}\n" + NULL_BUILD})
    cycles = [(d, w) for s, d, w in errs if s == "Cycle in local and data source definitions"]
    assert [w for _, w in cycles] == ["a.pkr.hcl:2:3", "a.pkr.hcl:4:3"]
    assert "local.a -> local.b -> local.a" in cycles[0][0]
    assert "local.self -> local.self" in cycles[1][0]


def test_data_sources_resolved_in_order_by_callback(tmp_path: Path) -> None:
    seen: list[str] = []

    def resolve(spec: ComponentSpec) -> Value:
        seen.append(f"{spec.type}.{spec.name}")
        from kiln_sdk.schema import Attribute, Schema

        config = spec.decode(Schema((Attribute("input", "string"),))).config
        return obj({"output": string(f"{spec.name}:{config.get('input', '')}")})

    t = load(tmp_path, {"a.pkr.hcl": """
data "fake" "second" {
  input = "${data.fake.first.output}+${local.l}"
}
data "fake" "first" {
  input = "x"
}
locals {
  l = "loc"
  from_data = data.fake.second.output
}
""" + NULL_BUILD}, resolve_data=resolve)
    assert seen == ["fake.first", "fake.second"]
    assert t.scope.locals["from_data"].v == "second:first:x+loc"  # type: ignore[attr-defined]


def test_without_callback_data_is_unknown(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": 'data "fake" "d" {}\nlocals { v = data.fake.d.output }\n' + NULL_BUILD})
    assert not t.scope.locals["v"].is_known  # type: ignore[attr-defined]


def test_env_is_only_for_variable_defaults(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": 'locals { e = env("HOME") }\n' + NULL_BUILD})
    assert errs[0][0] == "Call to unknown function"
    t = load(tmp_path, {"a.pkr.hcl": 'variable "h" { default = env("KILN_T") }\n' + NULL_BUILD},
             env={"KILN_T": "set"})
    assert t.scope.variables["h"].v == "set"  # type: ignore[attr-defined]


def test_contextual_values(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": 'locals {\n  root = path.root\n  v = packer.version\n}\n' + NULL_BUILD})
    assert t.scope.locals["root"].v == str(tmp_path)  # type: ignore[attr-defined]
    assert t.scope.locals["v"].v == "1.6.6"  # type: ignore[attr-defined]


def test_data_source_failures_are_template_errors(tmp_path: Path) -> None:
    from kiln.template import TemplateError
    from kiln.template.diag import error

    def resolve(spec: ComponentSpec) -> Value:
        raise TemplateError([error("Datasource failed", f"{spec.type}.{spec.name}: no such thing", spec.range)])

    errs = errors(tmp_path, {"a.pkr.hcl": 'data "fake" "d" {}\n' + NULL_BUILD}, resolve_data=resolve)
    assert errs == [("Datasource failed", "fake.d: no such thing", "a.pkr.hcl:1:1")]


def test_lenient_mode_leaves_failing_locals_out(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": 'locals {\n  bad = local.nope\n  good = 1\n}\n' + NULL_BUILD}, lenient=True)
    assert sorted(t.scope.locals) == ["good"]  # type: ignore[attr-defined]
