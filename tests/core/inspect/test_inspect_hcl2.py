"""``kiln inspect`` of HCL2 templates where Packer 1.7+ differs from 1.6.6 on purpose: asserted against the
text later Packer prints (hashicorp/packer's hcl2template ``printVariables``/``printBuilds`` and its
``command/inspect_test.go`` cases), since no newer Packer binary is at hand.

Differences from Packer 1.6.6, each tested here:
- a source renamed in a build (``source "null.a" { name = "b" }``) is listed as ``null.b`` (1.6.6: ``null.a``);
- a build without any source is left out ("missing source reference"; 1.6.6 lists it);
- components of types no plugin provides are listed (1.6.6 drops the build: it checked its own types);
- ``error-cleanup-provisioner`` is accepted, not listed (1.6.6 drops the build);
- a bad ``pause_before`` drops the build (1.6.6 crashes);
- an unsupported top-level block is reported once (1.6.6 twice);
- ``local`` blocks with ``sensitive = true``, and build names from variables (1.7+ features).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from kiln.cli import inspect as inspect_cli


def inspect(d: Path, *args: str, machine_readable: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(d)
    try:
        with contextlib.redirect_stdout(out):
            code = inspect_cli.run(list(args), machine_readable=machine_readable)
    finally:
        os.chdir(cwd)
    return code, out.getvalue()


def build(name: str, sources: list[str], provisioners: list[str] = (), post_processors: list[list[str]] = (),  # type: ignore[assignment]
          description: str = "") -> str:
    """One build of the report, as printBuilds writes it."""
    out = f"\n  > {name}:\n"
    if description:
        out += f"\n  > Description: {description}\n"
    out += "\n    sources:\n" + ("".join(f"\n      {s}\n" for s in sources) or "\n      <no source>\n")
    out += "\n    provisioners:\n\n" + ("".join(f"      {p}\n" for p in provisioners) or "      <no provisioner>\n")
    out += "\n    post-processors:\n"
    out += "".join(f"\n      {i}:\n" + "".join(f"        {p}\n" for p in chain)
                   for i, chain in enumerate(post_processors)) or "\n      <no post-processor>\n"
    return out


def report(variables: list[str], locals_: list[str], builds: list[str]) -> str:
    return ("Packer Inspect: HCL2 mode\n\n> input-variables:\n\n" + "".join(v + "\n" for v in variables)
            + "\n> local-variables:\n\n" + "".join(v + "\n" for v in locals_) + "\n> builds:\n" + "".join(builds)
            + "\n")


FRUIT = '''
variable "fruit" {
  type = string
}
locals {
  fruit = var.fruit
}
source "null" "builder" {
  communicator = "none"
}
build {
  sources = ["source.null.builder"]
  provisioner "shell-local" {
    inline = ["echo ${local.fruit} > ${local.fruit}.txt"]
  }
}
'''


@pytest.mark.parametrize(("args", "value"), [((), "<unknown>"), (("-var=fruit=banana",), "banana")])
def test_packers_own_case_unknown_and_set_variable(tmp_path: Path, args: tuple[str, ...], value: str) -> None:
    (tmp_path / "fruit_builder.pkr.hcl").write_text(FRUIT)
    assert inspect(tmp_path, *args, "fruit_builder.pkr.hcl") == (0, report(
        [f'var.fruit: "{value}"'], [f'local.fruit: "{value}"'],
        [build("<unnamed build 0>", ["null.builder"], ["shell-local"])]))


def test_packers_own_case_directory_with_env_defaults_and_undeclared_sources(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "inspect"
    d.mkdir()
    (d / "fruit_string.pkr.hcl").write_text('''
variable "fruit" {
  type    = string
  default = "banana"
}
variable "unknown_string" {
  type = string
}
variable "unknown_list_of_string" {
  type = list(string)
}
variable "unknown_unknown" {}
variable "default_from_env" {
  default = env("DEFAULT_FROM_ENV")
}
variable "other_default_from_env" {
  default = env("OTHER_DEFAULT_FROM_ENV")
}
''')
    (d / "aws-builds.pkr.hcl").write_text('''
build {
  name        = "aws_example_builder"
  description = <<EOF
The builder of clouds !!

Use it at will.
EOF
  sources = [
    "source.amazon-ebs.example-1",
    // not declared anywhere: inspect lists what the build references
    "source.amazon-ebs.example-2",
  ]
  provisioner "shell" {
    files = ["bins/install-this.sh"]
  }
  post-processor "manifest" {}
  post-processor "shell-local" {}
  post-processors {
    post-processor "manifest" {}
    post-processor "shell-local" {}
  }
}
''')
    monkeypatch.setenv("DEFAULT_FROM_ENV", "cherry")
    monkeypatch.delenv("OTHER_DEFAULT_FROM_ENV", raising=False)
    code, out = inspect(tmp_path, "-var=fruit=peach", "-var=other_default_from_env=apple", "inspect")
    assert (code, out) == (0, report(
        ['var.default_from_env: "cherry"', 'var.fruit: "peach"', 'var.other_default_from_env: "apple"',
         'var.unknown_list_of_string: "<unknown>"', 'var.unknown_string: "<unknown>"',
         'var.unknown_unknown: "<unknown>"'], [],
        [build("aws_example_builder", ["amazon-ebs.example-1", "amazon-ebs.example-2"], ["shell"],
               [["manifest"], ["shell-local"], ["manifest", "shell-local"]],
               description="The builder of clouds !!\n\nUse it at will.\n")]))
    code, out = inspect(tmp_path, "-var=fruit=peach", "-var=unknown_string=also_peach",
                        '-var=unknown_unknown=["peach_too"]',
                        '-var=unknown_list_of_string=["first_peach", "second_peach"]', "inspect/fruit_string.pkr.hcl")
    assert out.split("\n> local-variables:")[0].split("> input-variables:\n\n")[1] == (
        'var.default_from_env: "cherry"\nvar.fruit: "peach"\nvar.other_default_from_env: ""\n'
        'var.unknown_list_of_string: "[\\n  \\"first_peach\\",\\n  \\"second_peach\\",\\n]"\n'
        'var.unknown_string: "also_peach"\nvar.unknown_unknown: "[\\"peach_too\\"]"\n')


def test_packers_own_case_sensitive_variables(tmp_path: Path) -> None:
    (tmp_path / "vars.pkr.hcl").write_text('''
variable "not_sensitive" {
  default = "I am soooo not sensitive"
}
variable "not_sensitive_unknown" {}
variable "sensitive" {
  default   = "I am soooo sensitive"
  sensitive = true
}
variable "sensitive_array" {
  default   = ["Im supersensitive", "me too !!!!"]
  sensitive = true
}
variable "sensitive_tags" {
  default = {
    first_key  = "this-is-mega-sensitive"
    second_key = "this-is-also-sensitive"
  }
  sensitive = true
}
variable "sensitive_unknown" {
  sensitive = true
}
''')
    code, out = inspect(tmp_path, ".")
    assert (code, out) == (0, report([
        'var.not_sensitive: "I am soooo not sensitive"', 'var.not_sensitive_unknown: "<unknown>"',
        'var.sensitive: "<sensitive>"', 'var.sensitive_array: "[\\n  \\"<sensitive>\\",\\n  \\"<sensitive>\\",\\n]"',
        'var.sensitive_tags: "{\\n  \\"first_key\\" = \\"<sensitive>\\"\\n  \\"second_key\\" = \\"<sensitive>\\"\\n}"',
        'var.sensitive_unknown: "<unknown>"'], [], []))
    code, machine = inspect(tmp_path, ".", machine_readable=True)
    assert code == 0
    for secret in ("I am soooo sensitive", "Im supersensitive", "me too !!!!", "this-is-mega-sensitive",
                   "this-is-also-sensitive"):
        assert secret not in machine


NEWER = '''
variable "name" {
  default = "nightly"
}
variable "secret" {
  default   = "abc123"
  sensitive = true
}
local "token" {
  expression = "tok-${upper(var.name)}"
  sensitive  = true
}
locals {
  shells    = ["one", "two"]
  from_data = data.null.d.output
}
data "null" "d" {
  input = "x"
}
source "null" "a" {
  communicator = "none"
}
build {
  name        = "${var.name}-build"
  description = "built ${local.shells[0]}"
  source "null.a" {
    name = "renamed"
  }
  sources = ["source.null.a"]
  dynamic "provisioner" {
    for_each = local.shells
    labels   = ["shell-local"]
    content {
      name   = provisioner.value
      inline = ["echo ${provisioner.value}"]
    }
  }
  error-cleanup-provisioner "shell-local" {
    inline = ["echo cleanup"]
  }
}
build {
  name = "no-source-is-left-out"
}
build {
  name = "bad-pause-is-left-out"
  sources = ["null.a"]
  provisioner "shell-local" {
    pause_before = "soon"
    inline       = ["x"]
  }
}
source "no-such-builder" "x" {
  anything = 1
}
build {
  sources = ["source.no-such-builder.x"]
  provisioner "no-such-provisioner" {
    whatever = true
  }
  post-processor "no-such-pp" {
    name = "p"
  }
}
'''


def test_newer_packer_features_and_rules(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(NEWER)
    code, out = inspect(tmp_path, "t.pkr.hcl")
    assert (code, out) == (0, report(
        ['var.name: "nightly"', 'var.secret: "<sensitive>"'],
        # a data source's value needs its plugin, which inspect does not start
        ['local.from_data: "<unknown>"', 'local.shells: "[\\n  \\"one\\",\\n  \\"two\\",\\n]"',
         'local.token: "<sensitive>"'],
        [build("nightly-build", ["null.a", "null.renamed"], ["shell-local.one", "shell-local.two"],
               description="built one"),
         build("<unnamed build 1>", ["no-such-builder.x"], ["no-such-provisioner"], [["no-such-pp.p"]])]))


def test_machine_readable_is_one_say_line_per_message(tmp_path: Path) -> None:
    (tmp_path / "fruit_builder.pkr.hcl").write_text(FRUIT)
    code, out = inspect(tmp_path, "fruit_builder.pkr.hcl", machine_readable=True)
    assert code == 0
    assert [line.split(",", 1)[1] for line in out.splitlines()] == [
        ",ui,say,Packer Inspect: HCL2 mode\\n",
        ',ui,say,> input-variables:\\n\\nvar.fruit: "<unknown>"\\n\\n> local-variables:\\n\\nlocal.fruit: "<unknown>"\\n',
        ",ui,say,> builds:\\n\\n  > <unnamed build 0>:\\n\\n    sources:\\n\\n      null.builder\\n\\n    provisioners:"
        "\\n\\n      shell-local\\n\\n    post-processors:\\n\\n      <no post-processor>\\n"]
    assert all(line.split(",", 1)[0].isdigit() for line in out.splitlines())


def test_unsupported_block_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text('nonsense "a" {}\n')
    assert inspect(tmp_path, "t.pkr.hcl") == (1, (
        'Error: Unsupported block type\n\n  on t.pkr.hcl line 1, in nonsense "a":\n   1: nonsense "a" {}\n\n'
        'Blocks of type "nonsense" are not expected here.\n\n\n'))


def test_unreadable_var_file_says_why(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(FRUIT)
    code, out = inspect(tmp_path, "-var-file=missing.pkrvars.hcl", "t.pkr.hcl")
    assert code == 1
    assert out == ('Error: Failed to read file\n\nThe configuration file "missing.pkrvars.hcl" could not be read: No '
                   "such file or\ndirectory.\n\n\n")


def test_secret_changed_by_quoting_is_still_masked(tmp_path: Path) -> None:
    """Packer filters after Go's %q quoting, so it prints a secret with a quote in it; kiln does not."""
    (tmp_path / "t.pkr.hcl").write_text('variable "q" {\n  default   = "a\\"b"\n  sensitive = true\n}\n'
                                        'locals {\n  l = ["a\\"b"]\n}\n')
    assert inspect(tmp_path, "t.pkr.hcl") == (0, report(
        ['var.q: "<sensitive>"'], ['local.l: "[\\n  \\"<sensitive>\\",\\n]"'], []))


def test_override_that_is_not_an_object_leaves_the_build_out(tmp_path: Path) -> None:
    """Packer 1.6.6 panics here; later Packer reports "provisioner's override block must be an HCL object"
    while decoding the build, so inspect leaves it out."""
    (tmp_path / "t.pkr.hcl").write_text(
        'source "null" "a" {\n  communicator = "none"\n}\n'
        'build {\n  sources = ["null.a"]\n  provisioner "shell-local" {\n    override = "x"\n  }\n}\n'
        'build {\n  name = "kept"\n  sources = ["null.a"]\n}\n')
    assert inspect(tmp_path, "t.pkr.hcl") == (0, report([], [], [build("kept", ["null.a"])]))
