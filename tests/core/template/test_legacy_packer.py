"""Differential tests: legacy JSON templates through kiln and through Debian's Packer 1.6.6.

Same acceptance or rejection (and Packer's message), same interpolated values: a shell-local
provisioner writes what Packer rendered to a file, kiln decodes the same provisioner.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from kiln.template.legacy import LegacyTemplate, LegacyTemplateError, load_legacy
from kiln.template.model import PACKER_LANGUAGE_VERSION
from kiln_plugins.shell_local_common import ShellLocalConfig
from kiln_sdk.config import schema_of
from kiln_sdk.gotemplate import Context, render

PACKER = "/usr/bin/packer"
pytestmark = pytest.mark.skipif(not shutil.which(PACKER), reason="Packer 1.6.6 is the oracle")
SHELL_LOCAL = schema_of(ShellLocalConfig)
NULL = {"type": "null", "communicator": "none"}


def packer(tmp: Path, verb: str, path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    penv = {**os.environ, "CHECKPOINT_DISABLE": "1", "HOME": str(tmp), **(env or {})}
    proc = subprocess.run([PACKER, verb, *args, str(path)], capture_output=True, text=True, env=penv,
                          cwd=tmp, timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


def kiln(path: Path, *args: str, env: dict[str, str] | None = None) -> LegacyTemplate | LegacyTemplateError:
    var_files = [a.split("=", 1)[1] for a in args if a.startswith("-var-file=")]
    pairs = [a.split("=", 1)[1] for a in args if a.startswith("-var=")]
    vars_ = [(p.split("=", 1)[0], p.split("=", 1)[1]) for p in pairs]
    try:
        return load_legacy(str(path), var_files=var_files, vars=vars_, env={**os.environ, **(env or {})})
    except LegacyTemplateError as exc:
        return exc


def words(text: str) -> str:
    return " ".join(text.split())


def points(text: str) -> set[str]:
    """The "* ..." items of a (multi)error, whatever their order (Go iterates maps randomly)."""
    return {words(p) for p in ("\n" + text).split("\n\t* ")[1:]} or {words(text)}


def write(tmp: Path, template: Any, name: str = "t.json") -> Path:
    path = tmp / name
    path.write_text(template if isinstance(template, str) else json.dumps(template, indent=2))
    return path


VALIDATE_CASES: dict[str, Any] = {
    "valid": {"builders": [NULL], "description": "d", "min_packer_version": "1.2.0", "_comment": "c"},
    "unknown-root-key": {"builders": [NULL], "bogus": 1, "another": 2},
    "case-insensitive-root": {"builders": [NULL], "Description": "x"},
    "comment-not-string": {"builders": [NULL], "_c": 5},
    "description-not-string": {"builders": [NULL], "description": 5},
    "builders-not-list": {"builders": {"type": "null"}},
    "no-builders": {"builders": []},
    "builder-problems": {"builders": [{"name": "x"}, "str", NULL, NULL, {**NULL, "name": 5},
                                      {**NULL, "name": "5"}]},
    "variables-not-strings": {"builders": [NULL], "variables": {"n": 3}},
    "variables-not-map": {"builders": [NULL], "variables": [1]},
    "sensitive-not-list": {"builders": [NULL], "variables": {"a": "1"}, "sensitive-variables": "a"},
    "provisioner-problems": {"builders": [NULL], "provisioners": [
        {"type": "shell-local", "inline": ["a"], "only": "null", "pause_before": 5, "max_retries": 2},
        {"inline": []}, "x", {"type": "shell-local", "inline": ["a"], "pause_before": "5x"},
        {"type": "shell-local", "inline": ["a"], "max_retries": [1]}]},
    "only-and-except": {"builders": [NULL], "provisioners": [
        {"type": "shell-local", "inline": ["a"], "only": ["null"], "except": ["nope"], "override": {"zz": {}}}]},
    "only-unknown-builder": {"builders": [NULL], "provisioners": [
        {"type": "shell-local", "inline": ["a"], "only": ["nope", "null"]}],
        "post-processors": [{"type": "manifest", "except": ["zip"]}]},
    "post-processor-formats": {"builders": [NULL], "post-processors": [
        [["a"]], 5, ["manifest", 3], {"name": "x"}]},
    "post-processor-types": {"builders": [NULL], "post-processors": [
        {"type": "manifest", "only": "x", "keep_input_artifact": "x"}]},
    "min-version-too-new": {"builders": [NULL], "min_packer_version": "99.0"},
    "min-version-malformed": {"builders": [NULL], "min_packer_version": "abc"},
    "required-unset": {"builders": [NULL], "variables": {"r1": None, "r2": None, "ok": "x"}},
    "variable-cycle": {"builders": [NULL], "variables": {"a": "{{user `b`}}", "b": "{{user `a`}}"}},
    "variable-undefined-ref": {"builders": [NULL], "variables": {"a": "x{{user `zz`}}"}},
    "variable-bad-function": {"builders": [NULL], "variables": {"a": "{{foo}}"}},
    "variable-chain": {"builders": [NULL], "variables": {"a": "{{user `b`}}-a", "b": "{{user `c`}}-b",
                                                         "c": "{{env `KILN_T`}}"}},
    "build-name-env": {"builders": [{**NULL, "name": "{{env `HOME`}}"}]},
    "build-name-user": {"builders": [{**NULL, "name": "n-{{user `a`}}"}], "variables": {"a": "x"}},
    "max-retries-bad": {"builders": [NULL], "provisioners": [
        {"type": "shell-local", "inline": ["a"], "max_retries": "abc"}]},
    "max-retries-user": {"builders": [NULL], "variables": {"n": "2"}, "provisioners": [
        {"type": "shell-local", "inline": ["a"], "max_retries": "{{user `n`}}"}]},
    "duplicate-field": '{"builders": [{"type": "null", "communicator": "none"}], "variables": {"a": "1", "a": "2"}}',
    "cleanup-provisioner": {"builders": [NULL], "error-cleanup-provisioner": {"inline": ["x"]}},
    "push-is-ignored": {"builders": [NULL], "push": {"name": "x"}},
}


@pytest.mark.parametrize("case", sorted(VALIDATE_CASES))
def test_validate_like_packer(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, VALIDATE_CASES[case])
    env = {"KILN_T": "from-env"}
    rc, out = packer(tmp_path, "validate", path, env=env)
    ours = kiln(path, env=env)
    if rc == 0:
        assert isinstance(ours, LegacyTemplate), ours.packer_message() if isinstance(ours, LegacyTemplateError) else ""
        return
    assert isinstance(ours, LegacyTemplateError), f"Packer rejects it:\n{out}"
    # kiln checks min_packer_version against the template language it implements, and says which
    out = out.replace("using 1.6.6", f"using {PACKER_LANGUAGE_VERSION}")
    message = ours.packer_message()
    if ours.stage == "parse":  # Packer prints these as they are
        assert message + "\n" == out
    head = message.split(":", 1)[0]
    assert words(out).startswith(words(head))
    assert points(out.split(":", 1)[1] if ":" in out else out) == points(message.split(":", 1)[1])


def test_variables_and_precedence_like_packer(tmp_path: Path) -> None:
    (tmp_path / "v1.json").write_text(json.dumps({"a": "file1", "b": "file1", "c": "file1"}))
    (tmp_path / "v2.json").write_text(json.dumps({"b": "file2", "extra": "e"}))
    template = {
        "variables": {"a": "default", "b": "default", "c": "default", "d": "default", "dep": "{{user `c`}}+"},
        "builders": [NULL],
        "provisioners": [{"type": "shell-local", "inline": [
            "echo a={{user `a`}} b={{user `b`}} c={{user `c`}} d={{user `d`}} dep={{user `dep`}}"
            " extra={{user `extra`}} cli={{user `cli`}}"]}],
    }
    path = write(tmp_path, template)
    args = ("-var-file=" + str(tmp_path / "v1.json"), "-var=c=cli", "-var-file=" + str(tmp_path / "v2.json"),
            "-var=cli=yes")
    rc, out = packer(tmp_path, "build", path, "-color=false", *args)
    assert rc == 0, out
    t = kiln(path, *args)
    assert isinstance(t, LegacyTemplate)
    (build,) = t.builds()
    (line,) = build.provisioners[0].component.decode(SHELL_LOCAL).config["inline"]
    expected = line.removeprefix("echo ")
    assert f"null: {expected}" in out


@pytest.mark.parametrize("content", ['{"a": 1}', '{"a": }', 'a = "x"', '[1]', None])
def test_bad_var_files_are_rejected_like_packer(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "v.json").write_text(content)
    path = write(tmp_path, {"variables": {"a": ""}, "builders": [NULL]})
    arg = "-var-file=" + str(tmp_path / "v.json")
    rc, out = packer(tmp_path, "validate", path, arg)
    assert rc == 1
    ours = kiln(path, arg)
    assert isinstance(ours, LegacyTemplateError)
    assert ours.packer_message() + "\n" == out


def _simulate(t: LegacyTemplate, tmp: Path) -> dict[str, str]:
    """What each build's shell-local heredocs would write, from kiln's decoded configs."""
    files: dict[str, str] = {}
    for build in t.builds():
        for p in build.provisioners:
            decoded = p.component.decode(SHELL_LOCAL)
            assert not decoded.has_errors, decoded.diagnostics
            # the plugin renders what the core left ({{.Field}}) with its own data: a map
            inline = [render(line, Context(data={}, missing_field="no_value")) for line in decoded.config["inline"]]
            target = inline[0].split(">> ", 1)[1].split(" <<", 1)[0]
            files[target] = files.get(target, "") + "".join(line + "\n" for line in inline[1:-1])
    return files


BUILD_TEMPLATE = {
    "variables": {"name": "web", "greeting": "hello {{user `name`}}", "secret": "s3cr3t", "t": "true",
                  "path": "{{template_dir}}"},
    "sensitive-variables": ["secret"],
    "builders": [NULL, {**NULL, "name": "{{user `name`}}-1"}, {**NULL, "name": "other"}],
    "provisioners": [
        {"type": "shell-local", "inline": ["cat >> OUT/{{build_name}}.txt <<'KILN_EOF'",
                                           "greet={{user `greeting`}} name={{build_name}} type={{build_type}}",
                                           "dir={{template_dir}} pwd={{pwd}} v={{packer_version}} path={{user `path`}}",
                                           "split={{split `a-b-c` `-` 2}} up={{upper `x`}} low={{lower `Y`}}",
                                           "repl={{replace `o` `0` 1 `foo`}} all={{replace_all `o` `0` `foo`}}",
                                           "iso={{isotime `2006`}} ts-len={{len timestamp}} uuid-len={{len uuid}}",
                                           "if={{if eq (user `t`) `true`}}yes{{else}}no{{end}} field={{.Missing}}",
                                           "KILN_EOF"]},
        {"type": "shell-local", "only": ["{{user `name`}}-1"],
         "inline": ["cat >> OUT/{{build_name}}.txt <<'KILN_EOF'", "only-for-raw-name", "KILN_EOF"]},
        {"type": "shell-local", "except": ["null"],
         "inline": ["cat >> OUT/{{build_name}}.txt <<'KILN_EOF'", "except-null", "KILN_EOF"],
         "override": {"other": {"inline": ["cat >> OUT/{{build_name}}.txt <<'KILN_EOF'", "overridden", "KILN_EOF"]}}},
    ],
    "post-processors": [{"type": "manifest", "output": "OUT/manifest.json"}],
}


def test_build_output_like_packer(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    path = write(tmp_path, json.loads(json.dumps(BUILD_TEMPLATE).replace("OUT", str(out_dir))))
    rc, log = packer(tmp_path, "build", path, "-color=false")
    assert rc == 0, log
    manifest = json.loads((out_dir / "manifest.json").read_text())
    t = kiln(path)
    assert isinstance(t, LegacyTemplate)
    # build names: the rendered builder name (manifest "name"), in Packer's (sorted) order
    assert [b.name for b in t.builds()] == sorted(b["name"] for b in manifest["builds"])
    assert {b.builder_type for b in t.builds()} == {"null"}
    cwd = os.getcwd()
    os.chdir(tmp_path)  # {{pwd}}: Packer ran there
    try:
        ours = _simulate(t, tmp_path)
    finally:
        os.chdir(cwd)
    theirs = {str(p): p.read_text() for p in out_dir.glob("*.txt")}
    assert ours == theirs
    assert t.sensitive_values == ["s3cr3t"]


INSPECT_CASES: dict[str, Any] = {
    "full": {"description": "desc here", "variables": {"a": "x", "req": None, "n": "3", "pw": "secret"},
             "sensitive-variables": ["pw"],
             "builders": [{**NULL, "name": "{{user `a`}}-b"}, {**NULL, "name": "two"}, NULL],
             "provisioners": [{"type": "shell-local", "inline": ["a"]}, {"type": "file", "source": "a",
                                                                          "destination": "b"}]},
    "empty": {"builders": [NULL]},
    "only-required": {"variables": {"r": None}, "builders": [{"type": "file", "target": "x", "content": "y"}]},
}


@pytest.mark.parametrize("case", sorted(INSPECT_CASES))
def test_inspect_like_packer(tmp_path: Path, case: str) -> None:
    from kiln.template.legacy.inspection import inspect_text

    path = write(tmp_path, INSPECT_CASES[case])
    rc, out = packer(tmp_path, "inspect", path)
    assert rc == 0, out
    t = load_legacy(str(path), syntax_only=True)
    assert inspect_text(t.raw) == out


# -- the whole pipeline: `kiln build` and `packer build` of the same legacy templates -----------------

CHAIN = {f"v{i:03d}": f"{{{{user `v{i + 1:03d}`}}}}x" for i in range(120)} | {"v120": "end"}

PIPELINE_CASES: dict[str, Any] = {
    # Packer settles variables in at most 100 rounds: a longer chain leaves some unset (and odd values)
    "long-variable-chain": {"variables": CHAIN, "builders": [NULL], "provisioners": [{"type": "shell-local", "inline": [
        "echo [{{user `v000`}}] [{{user `v030`}}] [{{user `v119`}}]"]}]},
    "functions": {
        "variables": {"a": "hello", "b": "{{user `a`}}-x", "e": "{{env `KILN_T`}}"},
        "builders": [NULL],
        "provisioners": [{"type": "shell-local", "inline": [
            "echo A={{user `a`}} B={{user `b`}} E={{user `e`}} U={{ user `a` | upper }}",
            "echo N={{build_name}} T={{build_type}} V={{packer_version}} D={{template_dir}}",
            "echo X={{split `a,b,c` `,` 1}} R={{replace `a` `b` 1 `aaa`}} RA={{replace_all `a` `b` `aaa`}}",
            "echo {{- ` trim` -}}  x {{if eq (user `a`) `hello`}}yes{{end}} ID={{ build `ID` }}"]}],
    },
    "weak-typing": {
        "builders": [NULL],
        "provisioners": [
            {"type": "shell-local", "inline": "echo one,echo two", "environment_vars": "A=1,B=2",
             "valid_exit_codes": ["0", 1]},
            {"type": "shell-local", "inline": ["echo $A $B"], "environment_vars": ["A={{user `x`}}", "B=2"],
             "use_linux_pathing": "false"}],
    },
    "builds-only-except-override": {
        "variables": {"n": "web"},
        "builders": [NULL, {**NULL, "name": "{{user `n`}}-2"}, {**NULL, "name": "c"}],
        "provisioners": [
            {"type": "shell-local", "inline": ["echo all {{build_name}}"],
             "override": {"c": {"inline": ["echo overridden for c"]}}},
            {"type": "shell-local", "only": ["{{user `n`}}-2"], "inline": ["echo only raw name"]},
            {"type": "shell-local", "except": ["null"], "inline": ["echo except null"]}],
        "post-processors": [[{"type": "shell-local", "inline": ["echo pp {{build_name}}"], "only": ["c"]}]],
    },
}


def _lines(output: str) -> dict[str, list[str]]:
    """Each build's indented output lines (what its components printed), in order. The UI's prefix
    of a post-processor's lines ("c (shell-local): ") is the UI's business, not this test's."""
    out: dict[str, list[str]] = {}
    for line in output.splitlines():
        if line.startswith("    ") and ": " in line:
            build, text = line[4:].split(": ", 1)
            out.setdefault(build.split(" (", 1)[0], []).append(text)
    return out


@pytest.mark.parametrize("case", sorted(PIPELINE_CASES))
def test_kiln_build_prints_what_packer_prints(tmp_path: Path, case: str) -> None:
    import sys

    path = write(tmp_path, PIPELINE_CASES[case])
    env = {"KILN_T": "from-env"}
    rc, theirs = packer(tmp_path, "build", path, "-color=false", env=env)
    assert rc == 0, theirs
    kenv = {**os.environ, **env, "HOME": str(tmp_path), "KILN_PLUGIN_PATH": str(tmp_path / "plugins")}
    proc = subprocess.run([sys.executable, "-m", "kiln", "build", "-color=false", str(path)], capture_output=True,
                          text=True, env=kenv, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _lines(proc.stdout) == _lines(theirs)


def test_component_problems_like_packer(tmp_path: Path) -> None:
    """Unknown keys, type errors and template errors in a component, as Packer's Prepare reports them."""
    cases = [
        ({"type": "shell-local", "inline": ["a"], "foo": 1, "bar": {"x": 1}},
         {"unknown configuration key: '\"bar\"'", "unknown configuration key: '\"foo\"'"}),
        ({"type": "shell-local", "inline": ["echo {{ nope }}"]},
         {"invalid 'inline': template: root:1: function \"nope\" not defined in: echo {{ nope }}"}),
        ({"type": "shell-local", "inline": ["echo {{env `HOME`}}"]},
         {"render 'inline': template: root:1:7: executing \"root\" at <env `HOME`>: error calling env: "
          "env vars are not allowed here in: echo {{env `HOME`}}"}),
    ]
    for call, why in [("sed `s/a/b/` `aaa`", "template function `sed` is deprecated use `replace` or `replace_all` "
                                             "instead.Documentation: https://www.packer.io/docs/templates/engine"),
                      ("vault `a` `b`", "Vault vars are only allowed in the variables section"),
                      ("consul_key `a`", "consul_key is not allowed here"),
                      ("aws_secretsmanager `a`", "AWS Secrets Manager is only allowed in the variables section")]:
        name = call.split()[0]
        cases.append(({"type": "shell-local", "inline": [f"echo {{{{ {call} }}}}"]},
                      {f"render 'inline': template: root:1:8: executing \"root\" at <{call}>: error calling {name}: "
                       f"{why} in: echo {{{{ {call} }}}}"}))
    for config, expected in cases:
        path = write(tmp_path, {"builders": [NULL], "provisioners": [config]})
        rc, out = packer(tmp_path, "validate", path)
        assert rc == 1
        for message in expected:
            assert words(message) in words(out)
        t = kiln(path)
        assert isinstance(t, LegacyTemplate)
        decoded = t.builds()[0].provisioners[0].component.decode(SHELL_LOCAL)
        assert {words(d.summary) for d in decoded.diagnostics} == {words(m) for m in expected}


@pytest.mark.parametrize("case", sorted(INSPECT_CASES))
def test_inspect_machine_readable_like_packer(tmp_path: Path, case: str) -> None:
    from kiln.template.legacy.inspection import inspect_records

    path = write(tmp_path, INSPECT_CASES[case])
    penv = {**os.environ, "CHECKPOINT_DISABLE": "1", "HOME": str(tmp_path)}
    proc = subprocess.run([PACKER, "-machine-readable", "inspect", str(path)], capture_output=True, text=True,
                          env=penv, timeout=60)
    assert proc.returncode == 0
    theirs = [line.split(",", 2)[2] for line in proc.stdout.splitlines()]  # drop timestamp and target

    def esc(s: str) -> str:
        return s.replace(",", "%!(PACKER_COMMA)").replace("\n", "\\n")

    t = load_legacy(str(path), syntax_only=True)
    ours = [("ui,say," if kind == "say" else kind + ",") + ",".join(esc(a) for a in args)
            for kind, args in inspect_records(t.raw)]
    assert ours == theirs


def test_map_keys_are_interpolated_like_packer(tmp_path: Path) -> None:
    """manifest's custom_data (a map) with templates in its keys, through both tools."""
    import sys

    template = {"variables": {"k": "MYKEY"}, "builders": [NULL],
                "post-processors": [{"type": "manifest", "output": "m.json",
                                     "custom_data": {"K_{{user `k`}}": "v-{{user `k`}}", "plain": "{{build_name}}"}}]}
    custom = []
    for tool in ("packer", "kiln"):
        d = tmp_path / tool
        d.mkdir()
        path = write(d, template)
        if tool == "packer":
            rc, out = packer(d, "build", path, "-color=false")
        else:
            kenv = {**os.environ, "HOME": str(d)}
            proc = subprocess.run([sys.executable, "-m", "kiln", "build", "-color=false", str(path)],
                                  capture_output=True, text=True, env=kenv, cwd=d, timeout=120)
            rc, out = proc.returncode, proc.stdout + proc.stderr
        assert rc == 0, out
        custom.append(json.loads((d / "m.json").read_text())["builds"][0]["custom_data"])
    assert custom[0] == custom[1] == {"K_MYKEY": "v-MYKEY", "plain": "null"}
