"""Input variables: precedence, types, validation, sensitivity (the differential test covers Packer parity)."""

from __future__ import annotations

from pathlib import Path

from kiln.template.hcl2 import HCL2Template

from tests.core.template.tplutil import NULL_BUILD, errors, load, write


def _values(t: object) -> dict[str, object]:
    assert isinstance(t, HCL2Template)
    return {k: v.v for k, v in t.scope.variables.items()}


def test_precedence_default_env_auto_files_args(tmp_path: Path) -> None:
    files = {
        "a.pkr.hcl": "".join(f'variable "{v}" {{ default = "default" }}\n' for v in "abcdef") + NULL_BUILD,
        "z.auto.pkrvars.hcl": 'c = "auto-hcl"\nd = "auto-hcl"\n',
        "y.auto.pkrvars.json": '{"d": "auto-json", "e": "auto-json", "f": "auto-json"}',
        "one.pkrvars.hcl": 'e = "file1"\nf = "file1"\n',
        "two.pkrvars.json": '{"f": "file2"}',
    }
    write(tmp_path, files)
    t = load(tmp_path, {}, env={"PKR_VAR_b": "env", "PKR_VAR_c": "env", "PKR_VAR_undeclared": "x"},
             var_files=[str(tmp_path / "one.pkrvars.hcl"), str(tmp_path / "two.pkrvars.json")],
             vars=[("a", "first"), ("a", "cmd")])
    assert _values(t) == {"a": "cmd", "b": "env", "c": "auto-hcl", "d": "auto-json", "e": "file1", "f": "file2"}


def test_types_and_conversions(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": """
variable "n" { type = number }
variable "l" { type = list(number) }
variable "o" {
  type = object({ a = string, b = optional(number, 7) })
}
variable "raw" {}
variable "anything" { type = any }
""" + NULL_BUILD}, vars=[("n", "5"), ("l", "[1, 2]"), ("o", '{ a = "x" }'), ("raw", "[1]"), ("anything", "[1]")])
    v = t.scope.variables  # type: ignore[attr-defined]
    assert v["n"].v == 5 and [e.v for e in v["l"].v] == [1, 2]
    assert v["o"].v["b"].v == 7
    assert v["raw"].v == "[1]"
    assert [e.v for e in v["anything"].v] == [1]


def test_sensitive_values_are_marked_and_listed(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": """
variable "pw" {
  default   = { user = "u", pass = "p4ss" }
  sensitive = true
}
local "token" {
  expression = "tok-${var.pw.user}"
  sensitive  = true
}
""" + NULL_BUILD})
    assert t.scope.variables["pw"].is_sensitive  # type: ignore[attr-defined]
    assert sorted(t.sensitive_values) == ["p4ss", "tok-u", "u"]


def test_unset_and_undeclared(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": 'variable "u" {}\n' + NULL_BUILD}, vars=[("nope", "1")])
    assert [s for s, _, _ in errs] == ["Undefined -var variable"]
    errs = errors(tmp_path, {"a.pkr.hcl": 'variable "u" {}\n' + NULL_BUILD})
    assert errs == [('Unset variable "u"', "A used variable must be set or have a default value; see "
                     "https://packer.io/docs/configuration/from-1.5/syntax for details.", "")]
    t = load(tmp_path, {"a.pkr.hcl": 'variable "u" {}\n' + NULL_BUILD}, lenient=True)
    assert not t.scope.variables["u"].is_known  # type: ignore[attr-defined]


def test_validation_rules(tmp_path: Path) -> None:
    tpl = """
variable "size" {
  type    = number
  default = 10
  validation {
    condition     = var.size >= 10
    error_message = "The size must be at least 10."
  }
}
""" + NULL_BUILD
    assert _values(load(tmp_path, {"a.pkr.hcl": tpl}, vars=[("size", "12")])) == {"size": 12}
    errs = errors(tmp_path, {"a.pkr.hcl": tpl}, vars=[("size", "2")])
    assert errs[0][0] == "Invalid value for cmd variable"
    assert errs[0][1].startswith("The size must be at least 10.\n\nThis was checked by the validation rule at ")
    assert errs[0][1].endswith("a.pkr.hcl:5,3-13.")
    errs = errors(tmp_path, {"v.auto.pkrvars.hcl": "size = 3\n", "a.pkr.hcl": tpl})
    assert errs[0][0] == "Invalid value for varfile variable" and errs[0][2] == "v.auto.pkrvars.hcl:1:8"


def test_var_file_declaring_a_variable(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": NULL_BUILD, "x.auto.pkrvars.hcl": 'variable "v" {}\n'})
    assert errs[0][0] == "Variable declaration in a .pkrvar file" and errs[0][2] == "x.auto.pkrvars.hcl:1:1"


def test_syntax_only_skips_values_checks(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": 'variable "u" {}\nlocals { x = local.y }\n' + NULL_BUILD}, syntax_only=True)
    assert t.builds() == []
