"""Top-level structure: which blocks and arguments a template may hold, and duplicate definitions."""

from __future__ import annotations

from pathlib import Path

from tests.core.template.tplutil import NULL_BUILD, errors, load


def test_unexpected_arguments_and_blocks_with_suggestions(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": 'foo = 1\nsourc "null" "x" {}\nvariable "b" {\n  default = 1\n  bogus = 2\n}\n'
                             + NULL_BUILD})
    assert ("Unsupported argument", 'An argument named "foo" is not expected here.', "a.pkr.hcl:1:1") in errs
    assert ("Unsupported block type", 'Blocks of type "sourc" are not expected here. Did you mean "source"?',
            "a.pkr.hcl:2:1") in errs
    assert ("Unsupported argument", 'An argument named "bogus" is not expected here.', "a.pkr.hcl:5:3") in errs


def test_duplicates(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": 'variable "a" {}\nvariable "a" {}\nvariables {\n  a = 3\n}\n'
                             'locals {\n  l = 1\n}\nlocals {\n  l = 2\n}\n' + NULL_BUILD
                             + 'source "null" "x" {}\n'})
    summaries = [(s, w) for s, _, w in errs]
    assert ("Duplicate variable", "a.pkr.hcl:2:1") in summaries
    assert ("Duplicate variable", "a.pkr.hcl:4:3") in summaries
    # sources come in a later stage (as in Packer), which these errors stop before
    assert not [e for e in errs if e[0] == "Duplicate source block"]
    errs = errors(tmp_path, {"a.pkr.hcl": NULL_BUILD + 'source "null" "x" {}\n'})
    dup_source = [e for e in errs if e[0] == "Duplicate source block"]
    assert dup_source and "a.pkr.hcl:2,1" in dup_source[0][1]


def test_invalid_variable_name_and_label_count(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": 'variable "0bad" {}\nsource "null" {}\n' + NULL_BUILD})
    assert {(s, w) for s, _, w in errs} == {("Invalid variable name", "a.pkr.hcl:1:10"),
                                            ("Missing name for source", "a.pkr.hcl:2:1")}


def test_files_of_a_directory_are_one_template(tmp_path: Path) -> None:
    t = load(tmp_path, {"vars.pkr.hcl": 'variable "v" { default = "a" }\n',
                        "build.pkr.hcl": 'locals { l = "${var.v}b" }\n' + NULL_BUILD,
                        "notes.hcl": "this is not read"})
    assert t.scope.locals["l"].v == "ab"  # type: ignore[attr-defined]
    assert [b.name for b in t.builds()] == ["null.x"]


def test_no_config_file(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"x.hcl": ""})
    assert errs[0][0] == f"Could not find any config file in {tmp_path}"


def test_syntax_errors_stop_loading(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": "locals { a = 1 \n", "b.pkr.hcl": "foo = \n"})
    assert len(errs) == 2 and all(w for _, _, w in errs)


def test_required_version(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": 'packer {\n  required_version = "~> 1.6"\n}\n' + NULL_BUILD})
    assert t.required_version == "~> 1.6"
    # checked against the template language kiln implements (today's Packer), not 1.6.6's
    t = load(tmp_path, {"a.pkr.hcl": 'packer {\n  required_version = ">= 1.7.0, < 2"\n}\n' + NULL_BUILD})
    assert t.required_version == ">= 1.7.0, < 2"
    errs = errors(tmp_path, {"a.pkr.hcl": 'packer {\n  required_version = ">= 1.99.0"\n}\n' + NULL_BUILD})
    assert errs[0][0] == "Unsupported Packer Core version" and errs[0][2] == "a.pkr.hcl:2:22"
    errs = errors(tmp_path, {"a.pkr.hcl": 'packer {\n  required_version = "bogus"\n}\n' + NULL_BUILD})
    assert errs[0][0] == "Invalid version constraint"


def test_required_plugins_are_kept(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": 'packer {\n  required_plugins {\n    amazon = {\n      version = ">= 1.0"\n'
                        '      source = "github.com/hashicorp/amazon"\n    }\n  }\n}\n' + NULL_BUILD})
    p = t.required_plugins["amazon"]
    assert (p.source, p.version) == ("github.com/hashicorp/amazon", ">= 1.0")


def test_missing_paths(tmp_path: Path) -> None:
    import pytest
    from kiln.template import TemplateError, load_template

    with pytest.raises(TemplateError) as info:
        load_template(str(tmp_path / "nope.pkr.hcl"))
    assert [d.summary for d in info.value.diagnostics] == [
        f"Cannot tell wether {tmp_path}/nope.pkr.hcl is a directory",
        f"Could not find any config file in {tmp_path}/nope.pkr.hcl"]
    with pytest.raises(TemplateError) as info:
        load_template(str(tmp_path / "nope.json"))
    assert info.value.diagnostics[0].summary.endswith("no such file or directory")


def test_unsupported_version_is_reported_alone(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": 'packer {\n  required_version = ">= 9"\n}\nnew_block_of_v9 {}\n' + NULL_BUILD})
    assert [s for s, _, _ in errs] == ["Unsupported Packer Core version"]


def test_duplicate_locals_are_a_warning_and_the_last_wins(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": "locals {\n  l = 1\n}\nlocals {\n  l = 2\n}\n" + NULL_BUILD})
    assert t.scope.locals["l"].v == 2  # type: ignore[attr-defined]
    assert [(w.summary, w.range.start.line if w.range else 0) for w in t.warnings] == [
        ("Duplicate local variable", 5)]
