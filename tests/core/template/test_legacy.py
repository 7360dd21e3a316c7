"""Legacy JSON templates loaded into the block model: variables, builders, provisioners,
post-processors, LegacyComponent decoding (interpolation, weak typing, unknown keys, ranges)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kiln.hcl.values import string
from kiln.template import load_template
from kiln.template.legacy import LegacyTemplate, LegacyTemplateError, is_legacy_json, load_legacy
from kiln.template.legacy.funcs import PLACEHOLDER_MSG, FuncContext, clean_resource_name, packer_funcs
from kiln_sdk.duration import parse_duration
from kiln_sdk.gotime import go_format
from kiln_sdk.schema import Attribute, Block, Schema

NULL = {"type": "null", "communicator": "none"}
SCHEMA = Schema(
    attributes=(
        Attribute("inline", "list(string)"), Attribute("command", "string"), Attribute("retries", "number"),
        Attribute("ok", "bool"), Attribute("tags", "map(string)"), Attribute("vars", "list(string)"),
        Attribute("anything", "any"), Attribute("communicator", "string"),
        Attribute("opts", "object({a=string, n=number})"), Attribute("codes", "list(number)"),
    ),
    blocks=(Block("disk", Schema((Attribute("size", "number"),)), "list"),),
)


def write(tmp: Path, template: Any, name: str = "t.json") -> Path:
    path = tmp / name
    path.write_text(template if isinstance(template, str) else json.dumps(template, indent=1))
    return path


def load(tmp: Path, template: Any, **kw: Any) -> LegacyTemplate:
    return load_legacy(str(write(tmp, template)), env={"HOME": "/home/k", "KV": "env-value"}, **kw)


def fail(tmp: Path, template: Any, **kw: Any) -> LegacyTemplateError:
    with pytest.raises(LegacyTemplateError) as exc:
        load(tmp, template, **kw)
    return exc.value


# -- variables ---------------------------------------------------------------------------------------

def test_variables_defaults_required_sensitive_and_precedence(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"b": "file-a", "c": "file-a"}')
    (tmp_path / "b.json").write_text('{"c": "file-b"}')
    t = load(tmp_path, {
        "variables": {"a": "default", "b": "default", "c": "default", "req": None, "home": "{{env `HOME`}}",
                      "ref": "{{user `a`}}/{{user `req`}}", "pw": "hunter2"},
        "sensitive-variables": ["pw", "not-a-variable"],
        "builders": [NULL],
    }, var_files=[str(tmp_path / "a.json"), str(tmp_path / "b.json")], vars=[("req", "r"), ("c", "cli")])
    assert t.user_variables == {"a": "default", "b": "file-a", "c": "cli", "req": "r", "home": "/home/k",
                                "ref": "default/r", "pw": "hunter2"}
    assert t.variables["req"].required and not t.variables["a"].required
    assert t.variables["pw"].sensitive
    assert t.sensitive_values == ["hunter2"]


def test_required_variable_unset_points_at_it(tmp_path: Path) -> None:
    err = fail(tmp_path, {"variables": {"a": "x", "need": None}, "builders": [NULL]})
    (d,) = err.diagnostics
    assert d.summary == "required variable not set: need"
    assert d.range is not None and (d.range.start.line, d.range.start.column) == (4, 3)
    assert err.packer_message() == "Error: \n\n1 error occurred:\n\t* required variable not set: need\n\n"


def test_env_only_in_variables(tmp_path: Path) -> None:
    t = load(tmp_path, {"variables": {"v": "{{env `KV`}}"}, "builders": [NULL],
                        "provisioners": [{"type": "shell-local", "inline": ["{{env `KV`}}"]}]})
    assert t.user_variables["v"] == "env-value"
    decoded = t.builds()[0].provisioners[0].component.decode(SCHEMA)
    (d,) = decoded.diagnostics
    assert "error calling env: env vars are not allowed here" in d.summary
    assert d.range is not None
    line = (tmp_path / "t.json").read_text().splitlines()[d.range.start.line - 1]
    assert line[d.range.start.column - 1:].startswith('"{{env `KV`}}"')


def test_undefined_user_variable_is_empty_outside_variables(tmp_path: Path) -> None:
    t = load(tmp_path, {"builders": [NULL], "provisioners": [{"type": "x", "command": "[{{user `nope`}}]"}]})
    assert t.builds()[0].provisioners[0].component.decode(SCHEMA).config == {"command": "[]"}


def test_var_file_errors(tmp_path: Path) -> None:
    (tmp_path / "v.json").write_text('{"a": [1]}')
    err = fail(tmp_path, {"builders": [NULL]}, var_files=[str(tmp_path / "v.json")])
    assert "json: cannot unmarshal array into Go value of type string" in err.packer_text
    (tmp_path / "w.json").write_text('{"a": }')
    err = fail(tmp_path, {"builders": [NULL]}, var_files=[str(tmp_path / "w.json")])
    assert err.diagnostics[0].range is not None and err.diagnostics[0].range.filename.endswith("w.json")


# -- builders, provisioners, post-processors ---------------------------------------------------------

def test_builds_are_named_by_builder_name_and_sorted(tmp_path: Path) -> None:
    t = load(tmp_path, {"variables": {"n": "web"},
                        "builders": [{**NULL, "name": "{{user `n`}}-z"}, NULL, {**NULL, "name": "alpha"}]})
    builds = t.builds()
    assert [b.name for b in builds] == ["alpha", "null", "web-z"]
    assert [b.source_name for b in builds] == ["alpha", "null", "web-z"]
    assert {b.builder_type for b in builds} == {"null"}
    assert builds[2].builder.name == "{{user `n`}}-z"  # the raw name, as written
    # "type" and "name" are Packer's, not the plugin's
    assert builds[2].builder.decode(SCHEMA).config == {"communicator": "none"}


def test_duplicate_builder_names_are_rejected(tmp_path: Path) -> None:
    err = fail(tmp_path, {"builders": [NULL, {"type": "null", "name": "null"}]})
    assert err.stage == "parse"
    assert err.diagnostics[0].summary == "builder 2: builder with name 'null' already exists"
    assert err.diagnostics[0].range is not None and err.diagnostics[0].range.start.line == 7


def test_provisioner_settings_only_except_and_override(tmp_path: Path) -> None:
    t = load(tmp_path, {
        "builders": [NULL, {**NULL, "name": "b"}],
        "provisioners": [
            {"type": "p1", "command": "base", "ok": True, "pause_before": "1m30s", "max_retries": "3",
             "timeout": "10s", "override": {"b": {"command": "for-b"}}},
            {"type": "p2", "only": ["b"], "timeout": "5m"},
            {"type": "p3", "except": ["b"], "pause_before": "2s", "timeout": "1m"},
        ],
    })
    by_name = {b.name: b for b in t.builds()}
    assert [p.component.type for p in by_name["null"].provisioners] == ["p1", "p3"]
    assert [p.component.type for p in by_name["b"].provisioners] == ["p1", "p2"]
    p1 = by_name["b"].provisioners[0]
    assert (p1.pause_before, p1.max_retries, p1.timeout) == (90.0, 3, None)  # Packer: pause wins over timeout
    assert by_name["b"].provisioners[1].timeout == 300.0
    assert p1.only == [] and p1.except_ == [] and p1.override == {}  # already applied for this build
    assert p1.component.decode(SCHEMA).config == {"command": "for-b", "ok": True}
    assert by_name["null"].provisioners[0].component.decode(SCHEMA).config == {"command": "base", "ok": True}


def test_post_processor_shapes(tmp_path: Path) -> None:
    t = load(tmp_path, {
        "builders": [NULL, {**NULL, "name": "b"}],
        "post-processors": [
            "manifest",
            {"type": "checksum", "keep_input_artifact": True, "only": ["b"]},
            [{"type": "compress", "name": "zip", "command": "c"}, "artifice"],
            {"type": "shell-local", "except": ["null", "b"]},
        ],
    })
    chains = {b.name: [[(pp.component.type, pp.component.name, pp.keep_input_artifact) for pp in c]
                       for c in b.post_processors] for b in t.builds()}
    assert chains["null"] == [[("manifest", "manifest", None)], [("compress", "zip", None), ("artifice", "artifice", None)]]
    assert chains["b"] == [[("manifest", "manifest", None)], [("checksum", "checksum", True)],
                           [("compress", "zip", None), ("artifice", "artifice", None)]]
    zip_pp = next(b for b in t.builds() if b.name == "null").post_processors[1][0].component
    assert zip_pp.decode(SCHEMA).config == {"command": "c"}


def test_error_cleanup_provisioner_and_description(tmp_path: Path) -> None:
    t = load(tmp_path, {"description": "about", "min_packer_version": "1.0.0", "builders": [NULL],
                        "error-cleanup-provisioner": {"type": "shell-local", "command": "{{build_name}}"}})
    (b,) = t.builds()
    assert t.description == "about" and b.description == "about"
    assert b.error_cleanup_provisioner is not None
    assert b.error_cleanup_provisioner.component.decode(SCHEMA).config == {"command": "null"}


def test_min_packer_version(tmp_path: Path) -> None:
    err = fail(tmp_path, {"builders": [NULL], "min_packer_version": "2.0"})
    assert err.packer_text == "This template requires Packer version 2.0.0 or higher; using 1.14.0"
    load(tmp_path, {"builders": [NULL], "min_packer_version": "1.7"})  # today's Packer's language: accepted


# -- decoding against a schema -----------------------------------------------------------------------

def component(tmp: Path, config: dict[str, Any], **template: Any) -> Any:
    t = load(tmp, {"builders": [NULL], "provisioners": [{"type": "x", **config}], **template})
    return t.builds()[0].provisioners[0].component


def test_weak_typing_as_mapstructure(tmp_path: Path) -> None:
    c = component(tmp_path, {"command": 3.5, "retries": "0x10", "ok": "true", "tags": [{"a": 1}, {"{{user `v`}}": True}],
                             "vars": "x,y", "inline": "single", "anything": {"k-{{user `v`}}": ["{{user `v`}}"]},
                             "opts": {"a": 1, "n": "2"}, "disk": {"size": "10"}, "codes": "0,{{user `v2`}}"},
                  variables={"v": "val", "v2": "2"})
    assert c.decode(SCHEMA).config == {
        "command": "3.5", "retries": 16, "ok": True, "tags": {"a": "1", "val": "1"}, "vars": ["x", "y"],
        "inline": ["single"], "anything": {"k-val": ["val"]}, "opts": {"a": "1", "n": 2}, "disk": [{"size": 10}],
        "codes": [0, 2],
    }


def test_type_errors_and_unknown_keys_point_at_the_json(tmp_path: Path) -> None:
    c = component(tmp_path, {"ok": "maybe", "retries": "many", "foo": 1, "command": ["a"], "disk": [{"bar": 1}]})
    decoded = c.decode(SCHEMA)
    summaries = [d.summary for d in decoded.diagnostics]
    assert "cannot parse 'ok' as bool: strconv.ParseBool: parsing \"maybe\": invalid syntax" in summaries
    assert "cannot parse 'retries' as int: strconv.ParseInt: parsing \"many\": invalid syntax" in summaries
    assert "unknown configuration key: '\"foo\"'" in summaries
    assert "unknown configuration key: '\"disk[0].bar\"'" in summaries
    assert ("'command' expected type 'string', got unconvertible type '[]interface {}', value: '[a]'"
            in summaries)
    foo = next(d for d in decoded.diagnostics if "foo" in d.summary)
    assert foo.range is not None and foo.range.filename.endswith("t.json")
    text = (tmp_path / "t.json").read_text().splitlines()
    assert text[foo.range.start.line - 1][foo.range.start.column - 1:].startswith('"foo"')


def test_range_of_attribute_paths(tmp_path: Path) -> None:
    c = component(tmp_path, {"inline": ["a", "b"], "command": "x"})
    text = (tmp_path / "t.json").read_text().splitlines()
    r = c.range_of(("inline", "1"))
    assert text[r.start.line - 1][r.start.column - 1:].startswith('"b"')
    assert c.range_of(("nothing", "here")) == c.range
    assert c.range_of(()) == c.range


def test_fields_are_left_for_the_plugin_and_build_is_known_later(tmp_path: Path) -> None:
    c = component(tmp_path, {"command": "{{.Vars}} sh {{.Path}} {{user `u`}}", "inline": ["id={{ build `ID` }}"],
                             "vars": ["{{ build `SourceAMI` }}"]}, variables={"u": "U"})
    prepare = c.decode(SCHEMA)
    assert prepare.config["command"] == "{{.Vars}} sh {{.Path}} U"
    assert prepare.config["inline"] == [f"id=Build_ID. {PLACEHOLDER_MSG}"]
    assert prepare.config["vars"] == [f"Build_SourceAMI. {PLACEHOLDER_MSG}"]
    provision = c.decode(SCHEMA, {"ID": string("i-123"), "SourceAMI": string("ami-1")})
    assert provision.config["inline"] == ["id=i-123"] and provision.config["vars"] == ["ami-1"]
    missing = c.decode(SCHEMA, {"Host": string("h")})
    assert missing.config["inline"] == ["id=<no value>"]  # a basic key: there, without a value (Packer)
    (d,) = missing.diagnostics
    assert "loaded data, but couldnt find SourceAMI in it." in d.summary


def test_sensitive_values_are_reported_for_masking(tmp_path: Path) -> None:
    c = component(tmp_path, {"command": "login {{user `pw`}}"}, variables={"pw": "s3cret"},
                  **{"sensitive-variables": ["pw"]})
    assert c.decode(SCHEMA).sensitive == ["s3cret"]


# -- functions ---------------------------------------------------------------------------------------

def test_functions(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    fc = FuncContext(user_variables={"a": "x"}, build_name="b", build_type="null",
                     template_path=str(tmp_path / "t.json"), init_time=datetime(2021, 2, 3, 4, 5, 6, tzinfo=UTC))
    f = packer_funcs(fc)
    assert f["isotime"]() == "2021-02-03T04:05:06Z"
    assert f["isotime"]("Jan _2 2006 15:04:05.000 MST") == "Feb  3 2021 04:05:06.000 UTC"
    assert f["timestamp"]() == "1612325106"
    assert f["template_dir"]() == str(tmp_path)
    assert (f["build_name"](), f["build_type"](), f["packer_version"]()) == ("b", "null", "1.6.6")
    assert f["split"]("a/b/c", "/", 2) == "c"
    assert f["replace"]("a", "b", 1, "aaa") == "baa" and f["replace"]("a", "b", -1, "aaa") == "bbb"
    assert f["replace_all"]("a", "b", "aaa") == "bbb"
    u1, u2 = f["uuid"](), f["uuid"]()
    assert u1 != u2 and [len(p) for p in u1.split("-")] == [8, 4, 4, 4, 12]
    assert clean_resource_name("My Image/2021.01") == "my-image-2021-01"
    assert f["user"]("a") == "x" and f["user"]("zz") == ""


def test_go_time_and_durations() -> None:
    from datetime import UTC, datetime

    t = datetime(2006, 1, 2, 15, 4, 5, 123456, tzinfo=UTC)
    assert go_format(t, "Monday, 02-Jan-06 03:04:05PM -0700") == "Monday, 02-Jan-06 03:04:05PM +0000"
    assert go_format(t, "2006-01-02T15:04:05.999999Z07:00") == "2006-01-02T15:04:05.123456Z"
    assert parse_duration("1h2m3.5s") == 3723.5 and parse_duration("250ms") == 0.25
    with pytest.raises(ValueError, match='time: missing unit in duration "5"'):
        parse_duration("5")


# -- dispatch ----------------------------------------------------------------------------------------

def test_load_template_dispatches_legacy_json(tmp_path: Path) -> None:
    path = write(tmp_path, {"builders": [NULL]})
    assert is_legacy_json(str(path))
    assert not is_legacy_json(str(write(tmp_path, {"source": {}}, "x.pkr.json")))
    t = load_template(str(path))
    assert isinstance(t, LegacyTemplate) and t.kind == "json"
    assert [b.name for b in t.builds()] == ["null"]


def test_syntax_only_skips_core_checks(tmp_path: Path) -> None:
    path = write(tmp_path, {"builders": [NULL], "variables": {"r": None}, "min_packer_version": "9"})
    t = load_legacy(str(path), syntax_only=True)
    assert [b.name for b in t.builds()] == ["null"]
    with pytest.raises(LegacyTemplateError):
        load_legacy(str(path))


def test_malformed_json_is_a_template_error_with_position(tmp_path: Path) -> None:
    err = fail(tmp_path, '{\n "builders": [\n  {"type": "null",}\n ]\n}')
    (d,) = err.diagnostics
    assert d.range is not None and (d.range.start.line, d.range.start.column) == (3, 19)  # the '}'
    assert err.packer_message().startswith("Failed to parse template: Error parsing JSON: invalid character '}'")
