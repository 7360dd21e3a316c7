"""``kiln hcl2_upgrade`` where newer Packer (and so kiln) converts differently from Packer 1.6.6.

Each fixture names the documented difference (docs/hcl2_upgrade.md) and spells it out as exact edits
of Packer 1.6.6's output (after the differences every output goes through, oracle.base_rewrites);
each edit must find its text, and the result must equal kiln's output byte for byte.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kiln.hcl2_upgrade import comments

from tests.core.hcl2_upgrade.oracle import (
    NULL,
    base_rewrites,
    kiln,
    must_replace,
    points_sorted,
    run_packer_all,
    strip_annotations,
    success_line,
    t,
    validate_syntax,
)

pytestmark = pytest.mark.skipif(shutil.which("packer") is None, reason="needs Debian's packer 1.6.6")

_HCL = "https://www.packer.io/docs/templates/hcl_templates"


def _unhandled(call: str, fix: str, docs: str) -> str:
    return (f'# unhandled "{call}" call:\n# there is no way to automatically upgrade the "{call}" call.\n'
            f"# Please manually upgrade to {fix}\n# Visit {docs} for more infos.")


_REPL = "`replace(string, substring, replacement)` or `regex_replace(string, substring, replacement)`"
_REPL_DOCS = f"{_HCL}/functions/string/replace or {_HCL}/functions/string/regex_replace"
UNHANDLED = {
    "lower": _unhandled("lower", "`lower(var.example)`", f"{_HCL}/functions/string/lower"),
    "upper": _unhandled("upper", "`upper(var.example)`", f"{_HCL}/functions/string/upper"),
    "split": _unhandled("split", "`split(separator, string)`", f"{_HCL}/functions/string/split"),
    "replace": _unhandled("replace", _REPL, _REPL_DOCS),
    "replace_all": _unhandled("replace_all", _REPL, _REPL_DOCS),
    "clean_resource_name": _unhandled(
        "clean_resource_name", "use custom validation rules, " + _REPL,
        "https://packer.io/docs/templates/hcl_templates/variables#custom-validation-rules , " + _REPL_DOCS),
}


def _could_not(err: str) -> str:
    return f"# could not parse template for following block: {err}\n\n"


def _plugin(name: str) -> str:
    return f'    {name} = {{\n      source  = "github.com/hashicorp/{name}"\n      version = "~> 1"\n    }}\n'


@dataclass
class Case:
    difference: str  # the item of docs/hcl2_upgrade.md's list
    json: str
    edits: list[tuple[str, str]] = field(default_factory=list)
    packer_json: str | None = None  # where Packer 1.6.6 crashes on ``json``: what it converts instead


CASES: dict[str, Case] = {
    "pause_before": Case(
        "6: pause_before is converted",
        t(NULL, pr=[{"type": "shell-local", "inline": ["x"], "pause_before": "5s", "x": 1},
                    {"type": "shell-local", "inline": ["y"], "pause_before": "90s", "timeout": "2m", "x": 1}]),
        [('    inline = ["x"]\n    x      = 1\n', '    inline       = ["x"]\n    pause_before = "5s"\n    x            = 1\n'),
         ('    inline  = ["y"]\n    timeout = "2m0s"\n    x       = 1\n',
          '    inline       = ["y"]\n    pause_before = "1m30s"\n    timeout      = "2m0s"\n    x            = 1\n')]),
    "builder_name_with_spaces": Case(
        "7: source names are trimmed, spaces become _",
        t({"type": "null", "name": " my builder ", "communicator": "none"}, NULL),
        [('source "null" " my builder " {', 'source "null" "my_builder" {'),
         ('"source.null. my builder "', '"source.null.my_builder"')]),
    "error_cleanup_provisioner": Case(
        "8: error-cleanup-provisioner is converted",
        t(NULL, pr=[{"type": "shell-local", "inline": ["a"]}],
          **{"error-cleanup-provisioner": {"type": "shell-local", "inline": ["b"]}}),
        [('    inline = ["a"]\n  }\n\n', '    inline = ["a"]\n  }\n\n  error-cleanup-provisioner "shell-local" {\n'
                                       '    inline = ["b"]\n  }\n\n')]),
    "unhandled_function": Case(
        "9: unhandled functions stay Go templates, the rest of the block is converted",
        t(NULL, pr=[{"type": "shell-local", "inline": ["echo {{lower `X`}} {{user `v`}}"]}], variables={"v": "1"}),
        [('  # template: hcl2_upgrade:2:20: executing "hcl2_upgrade" at <lower `X`>: error calling lower: '
          + UNHANDLED["lower"].removeprefix("# ").replace("\n", "\n  "),
          "  # 1 error occurred upgrading the following block:\n  " + UNHANDLED["lower"].replace("\n", "\n  ")),
         ('["echo {{lower `X`}} {{user `v`}}"]', '["echo {{ lower `X` }} ${var.v}"]')]),
    "unhandled_functions_many": Case(
        "9: several unhandled functions: one comment lists them all",
        t({"type": "null", "communicator": "none", "a": "{{upper `x`}}", "b": "{{split `a-b` `-` 0}}",
           "c": "{{replace `a` `b` 1 `abc`}}", "d": "{{replace_all `a` `b` `abc`}}",
           "e": "{{clean_resource_name `a b`}}"}),
        [('# template: hcl2_upgrade:3:20: executing "hcl2_upgrade" at <upper `x`>: error calling upper: '
          + UNHANDLED["upper"].removeprefix("# ") + "\n",
          "# 5 errors occurred upgrading the following block:\n" + "\n\n".join(
              UNHANDLED[f] for f in ("upper", "split", "replace", "replace_all", "clean_resource_name"))),
         ('"{{upper `x`}}"', '"{{ upper `x` }}"'), ('"{{split `a-b` `-` 0}}"', '"{{ split `a-b` `-` 0 }}"'),
         ('"{{replace `a` `b` 1 `abc`}}"', '"{{ replace `a` `b` `abc` 1 }}"'),
         ('"{{replace_all `a` `b` `abc`}}"', '"{{ replace_all `a` `b` `abc` }}"'),
         ('"{{clean_resource_name `a b`}}"', '"{{ clean_resource_name `a b` }}"')]),
    "fields_kept": Case(
        "10: {{ .Field }} is written back, the rest of the block converted",
        t({"type": "null", "communicator": "none", "a": "{{ .Name }}", "b": "{{.SourceAMI.Id}}", "c": "{{user `v`}}"},
          variables={"v": "1"}),
        [(_could_not('"template: hcl2_upgrade:3:21: executing \\"hcl2_upgrade\\" at <.Name>: can\'t evaluate field '
                     'Name in type struct { HTTPIP string; HTTPPort string }"'), ""),
         ('"{{.SourceAMI.Id}}"', '"{{ .SourceAMI.Id }}"'), ('"{{user `v`}}"', '"${var.v}"')]),
    "single_terms_kept": Case(
        "10: any single term that is not a function call is written back",
        t({"type": "null", "communicator": "none", "a": "{{ `lit` }}", "b": "{{ 'a' }}", "c": "{{ $x := 1 }}",
           "d": "{{ (user `v`) }}"}, variables={"v": "1"}),
        [('"lit"', '"{{ `lit` }}"'), ('"97"', "\"{{ 'a' }}\""), ('c            = ""', 'c            = "{{ 1 }}"'),
         ('d            = "${var.v}"', 'd            = "{{ (user `v`) }}"')]),
    "if_unhandled": Case(
        "10: {{if}}, {{range}}, {{with}}: the block as written, after Packer's comment",
        t({"type": "null", "communicator": "none", "a": "{{if true}}yes{{end}}", "b": "{{user `v`}}"},
          variables={"v": "1"}),
        [('\nsource "null"', '\n# unhandled node type *parse.IfNode\n\nsource "null"'),
         ('"yes"', '"{{if true}}yes{{end}}"'), ('"${var.v}"', '"{{user `v`}}"')]),
    "error_column": Case(
        "10: an error's column is counted in the rewritten template ({{user}} for {{ user }})",
        t({"type": "null", "communicator": "none", "a": "{{ user }}"}),
        [("hcl2_upgrade:3:21:", "hcl2_upgrade:3:20:")]),
    "escaped_quotes": Case(
        '11: {{ env \\"X\\" }} is read as {{ env "X" }}',
        t({"type": "null", "communicator": "none", "a": '{{env "HOME"}}', "b": '{{ user "v" }}-{{env "X"}}'},
          variables={"v": "1"}),
        [(_could_not('"template: hcl2_upgrade:3: unexpected \\"\\\\\\\\\\" in operand"'), ""),
         ('"{{env \\"HOME\\"}}"', '"${env("HOME")}"'), ('"{{ user \\"v\\" }}-{{env \\"X\\"}}"', '"${var.v}-${env("X")}"')]),
    "isotime_strftime": Case(
        "12: isotime/strftime with a format become legacy_isotime/legacy_strftime, without one timestamp()",
        t({"type": "null", "communicator": "none", "a": "{{isotime `2006-01-02`}}", "b": "{{isotime}}",
           "c": "{{strftime `%Y`}}"}),
        [("\n# source blocks", comments.LEGACY_ISOTIME + comments.LEGACY_STRFTIME + "\n# source blocks"),
         (_could_not('"template: hcl2_upgrade:5: function \\"strftime\\" not defined"'), ""),
         ('"{{isotime `2006-01-02`}}"', '"${legacy_isotime("2006-01-02")}"'), ('"{{isotime}}"', '"${timestamp()}"'),
         ('"{{strftime `%Y`}}"', '"${legacy_strftime("%Y")}"')]),
    "variables_as_locals": Case(
        "13: a variable whose value calls a function other than env becomes a local",
        t(NULL, variables={"a": "1", "b": "{{user `a`}}-x", "c": "{{timestamp}}", "s": "{{uuid}}", "d": "{{env `X`}}"},
          sensitive_variables=["s"]),
        [('variable "b" {\n  type    = string\n  default = "${var.a}-x"\n}\n\n', ""),
         ('variable "c" {\n  type    = string\n  default = "${local.timestamp}"\n}\n\n', ""),
         ('variable "s" {\n  type      = string\n  default   = "${uuidv4()}"\n  sensitive = true\n}\n\n', ""),
         ('locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }\n',
          'locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }\n' + comments.LOCALS
          + '\nlocal "s" {\n  sensitive  = true\n  expression = "${uuidv4()}"\n}\n'
          + '\nlocals {\n  b = "${var.a}-x"\n  c = "${local.timestamp}"\n}\n')]),
    "undeclared_variable": Case(
        "14: {{user `x`}} of an undeclared variable declares it",
        t({"type": "null", "communicator": "none", "a": "{{user `nope`}}", "b": "{{user `v`}}"}, variables={"v": "1"}),
        [('variable "v" {', 'variable "nope" {\n  type = string\n}\n\nvariable "v" {')]),
    "secrets_manager": Case(
        "15: aws_secretsmanager becomes amazon-secretsmanager data sources",
        t({"type": "null", "communicator": "none", "a": "{{aws_secretsmanager `s`}}", "b": "{{aws_secretsmanager `s` `k`}}"}),
        [("\n# source blocks", comments.SECRETS + '\ndata "amazon-secretsmanager" "autogenerated_1" {\n  name = "s"\n}\n'
          + '\ndata "amazon-secretsmanager" "autogenerated_2" {\n  key  = "k"\n  name = "s"\n}\n\n# source blocks'),
         (_could_not('"template: hcl2_upgrade:3: function \\"aws_secretsmanager\\" not defined"'), ""),
         ('"{{aws_secretsmanager `s`}}"', '"${data.amazon-secretsmanager.autogenerated_1.value}"'),
         ('"{{aws_secretsmanager `s` `k`}}"', '"${data.amazon-secretsmanager.autogenerated_2.value}"')]),
    "data_function": Case(
        "15: {{data `x`}} becomes ${data.x}",
        t({"type": "null", "communicator": "none", "a": "{{ data `x.y` }}"}),
        [(_could_not('"template: hcl2_upgrade:3: function \\"data\\" not defined"'), ""),
         ('"{{ data `x.y` }}"', '"${data.x.y}"')]),
    "known_plugins": Case(
        "16: required_plugins for the HashiCorp plugins the template uses",
        t({"type": "docker", "image": "x", "commit": True}, {"type": "qemu", "iso_url": "u", "iso_checksum": "none"},
          pr=[{"type": "ansible", "playbook_file": "p.yml"}], pp=[{"type": "vagrant"}, {"type": "docker-tag"}]),
        [("executed together and the outcome will be unknown.\n",
          "executed together and the outcome will be unknown.\n" + comments.PACKER + "packer {\n  required_plugins {\n"
          + "".join(_plugin(p) for p in ("ansible", "docker", "qemu", "vagrant")) + "  }\n}\n")]),
    "amazon_ami_filter": Case(
        "17: source_ami_filter becomes an amazon-ami data source (identical filters share one)",
        t({"type": "amazon-ebs", "region": "us-east-1", "access_key": "{{user `ak`}}", "ami_name": "a",
           "source_ami_filter": {"filters": {"name": "ubuntu-*"}, "owners": ["099720109477"], "most_recent": True}},
          {"type": "amazon-ebs", "name": "second", "region": "us-east-1", "access_key": "{{user `ak`}}", "ami_name": "b",
           "source_ami_filter": {"filters": {"name": "ubuntu-*"}, "owners": ["099720109477"], "most_recent": True}},
          {"type": "amazon-ebs", "name": "third", "region": "eu-west-1", "ami_name": "c",
           "source_ami_filter": {"filters": {"name": "debian-*"}, "owners": ["self"]}}, variables={"ak": ""}),
        [("executed together and the outcome will be unknown.\n",
          "executed together and the outcome will be unknown.\n" + comments.PACKER + "packer {\n  required_plugins {\n"
          + _plugin("amazon") + "  }\n}\n"),
         ("}\n\n# source blocks", "}\n" + comments.AMI
          + '\ndata "amazon-ami" "autogenerated_1" {\n  access_key = "${var.ak}"\n  filters = {\n    name = "ubuntu-*"\n'
          + '  }\n  most_recent = true\n  owners      = ["099720109477"]\n  region      = "us-east-1"\n}\n'
          + '\ndata "amazon-ami" "autogenerated_2" {\n  filters = {\n    name = "debian-*"\n  }\n  owners = ["self"]\n'
          + '  region = "eu-west-1"\n}\n\n# source blocks'),
         *[('  region     = "us-east-1"\n  source_ami_filter {\n    filters = {\n      name = "ubuntu-*"\n    }\n'
            '    most_recent = true\n    owners      = ["099720109477"]\n  }\n',
            '  region     = "us-east-1"\n  source_ami = "${data.amazon-ami.autogenerated_1.id}"\n')] * 2,
         ('  ami_name = "c"\n  region   = "eu-west-1"\n  source_ami_filter {\n    filters = {\n      name = "debian-*"\n'
          '    }\n    owners = ["self"]\n  }\n',
          '  ami_name   = "c"\n  region     = "eu-west-1"\n  source_ami = "${data.amazon-ami.autogenerated_2.id}"\n')]),
    "provisioner_without_config": Case(
        "18: a provisioner or post-processor with only special keys (Packer 1.6.6 crashes)",
        t(NULL, pr=[{"type": "shell-local", "only": ["null"]}]),
        [('    only = ["null"]\n    x    = 1\n', '    only = ["null"]\n')],
        packer_json=t(NULL, pr=[{"type": "shell-local", "only": ["null"], "x": 1}])),
    "post_processor_without_config": Case(
        "18: a provisioner or post-processor with only special keys (Packer 1.6.6 crashes)",
        t(NULL, pp=[{"type": "checksum", "name": "c"}]),
        [('    name = "c"\n    x    = 1\n', '    name = "c"\n')],
        packer_json=t(NULL, pp=[{"type": "checksum", "name": "c", "x": 1}])),
}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hcl2_upgrade_differences")
    runs = {name: case.packer_json or case.json for name, case in CASES.items()}
    runs.update({f"{name}.crash": case.json for name, case in CASES.items() if case.packer_json})
    run_packer_all(d, runs)
    for name, case in CASES.items():  # kiln converts the template itself
        (d / f"{name}.json").write_text(case.json)
    return d


@pytest.mark.parametrize("name", sorted(CASES))
def test_documented_difference(name: str, oracle: Path) -> None:
    case = CASES[name]
    assert (oracle / f"{name}.rc").read_text().strip() == "0", (oracle / f"{name}.stdout").read_text()
    if case.packer_json:
        assert (oracle / f"{name}.crash.rc").read_text().strip() == "2"  # "panic: assignment to entry in nil map"
    want = (oracle / f"{name}.packer.hcl").read_text()
    for rewrite in base_rewrites(case.json):
        want = rewrite(want)
    for old, new in case.edits:
        want = must_replace(want, old, new)
    annotated, plain = oracle / f"{name}.annotated.hcl", oracle / f"{name}.plain.hcl"
    code, out = kiln(["-with-annotations", f"-output-file={annotated}", str(oracle / f"{name}.json")])
    assert code == 0, out
    assert points_sorted(out) == points_sorted(success_line((oracle / f"{name}.stdout").read_text(), name, annotated))
    assert annotated.read_text() == want, case.difference
    code, out = kiln([f"-output-file={plain}", str(oracle / f"{name}.json")])
    assert code == 0, out
    assert plain.read_text() == strip_annotations(want)
    for path in (annotated, plain):
        code, out = validate_syntax(path)
        assert code == 0, out
