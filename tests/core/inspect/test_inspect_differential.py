"""``kiln inspect`` against Debian's Packer 1.6.6 ``packer inspect``: the same stdout and exit code, in
both output modes (``-machine-readable`` lines compared without their timestamp).

Legacy JSON templates follow Packer 1.6.6 byte for byte. HCL2 templates follow the layout of Packer 1.7
and later, which is Packer 1.6.6's except where a build renames a source (see test_inspect_hcl2.py):
every HCL2 fixture here is one where both agree. Packer runs once per fixture, in one shell loop.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kiln.cli import inspect as inspect_cli

pytestmark = pytest.mark.skipif(shutil.which("packer") is None, reason="needs Debian's packer 1.6.6")

NULL = {"type": "null", "communicator": "none"}


def j(**doc: object) -> str:
    return json.dumps({k.replace("_", "-") if k in ("post_processors", "sensitive_variables") else k: v
                       for k, v in doc.items()}, indent=2)


# -- legacy JSON ------------------------------------------------------------------------------------------
# Packer 1.6.6 masks a variable whose default equals a sensitive variable's default in map order (random):
# no fixture has two variables sharing a default with a sensitive one (test_sensitive_mask_is_exact).
JSON_FIXTURES: dict[str, str] = {
    "builders_only": j(builders=[NULL]),
    "no_builders": j(variables={"a": "b"}),
    "empty_object": "{}",
    "description": j(description="Builds the base image.\nTwo lines, with commas.", builders=[NULL]),
    "empty_description": j(description="", builders=[NULL]),
    "optional_variables": j(variables={"short": "1", "a_much_longer_name": "x", "mid": "", "z": "{{env `HOME`}}"},
                            builders=[NULL]),
    "required_variables": j(variables={"r2": None, "r1": None, "opt": "v"}, builders=[NULL]),
    "only_required": j(variables={"r": None}, builders=[{"type": "file", "target": "x", "content": "y"}]),
    "sensitive": j(variables={"password": "hunter2", "user": "admin", "token": "t0k"},
                   sensitive_variables=["password", "token"], builders=[NULL]),
    "sensitive_required": j(variables={"secret": None, "plain": "p"}, sensitive_variables=["secret"],
                            builders=[NULL]),
    "sensitive_undeclared": j(variables={"a": "1"}, sensitive_variables=["nope"], builders=[NULL]),
    "commas_and_newlines": j(variables={"csv": "a,b,c", "multi": "line1\nline2", "tabs": "a\tb"},
                             builders=[{**NULL, "name": "with,comma"}]),
    "unicode": j(variables={"gruß": "straße", "emoji": "\u2603"}, builders=[{**NULL, "name": "bäu"}]),
    "templates_raw": j(variables={"a": "x", "b": "{{user `a`}}-y", "ts": "{{timestamp}}", "bad": "{{nope}}"},
                       builders=[{**NULL, "name": "{{user `a`}}-{{timestamp}}"}]),
    "named_builders": j(builders=[{**NULL, "name": "zeta"}, {**NULL, "name": "alpha"}, NULL,
                                  {"type": "file", "name": "f", "target": "t", "content": "c"},
                                  {"type": "file", "target": "t", "content": "c"},
                                  {**NULL, "name": "a-very-long-builder-name"}]),
    "name_equals_type": j(builders=[{**NULL, "name": "null"}, {"type": "file", "name": "x", "content": "", "target": "y"}]),
    "many_builders": j(builders=[{**NULL, "name": f"b{i:02d}"} for i in range(25)]),
    "provisioners": j(builders=[NULL, {**NULL, "name": "two"}], provisioners=[
        {"type": "shell-local", "inline": ["a"]},
        {"type": "shell-local", "inline": ["b"], "only": ["two"]},
        {"type": "file", "source": "a", "destination": "b", "except": ["null"]},
        {"type": "shell-local", "inline": ["c"], "override": {"two": {"inline": ["d"]}}},
        {"type": "breakpoint", "pause_before": "5s", "max_retries": 3, "timeout": "1m"}]),
    "provisioner_bad_only": j(builders=[NULL], provisioners=[{"type": "shell", "only": ["missing"]}]),
    "provisioner_only_and_except": j(builders=[NULL], provisioners=[{"type": "shell", "only": ["null"],
                                                                     "except": ["null"]}]),
    "cleanup_provisioner": j(builders=[NULL], provisioners=[{"type": "shell-local", "inline": ["a"]}],
                             **{"error-cleanup-provisioner": {"type": "shell-local", "inline": ["x"]}}),
    "post_processors": j(builders=[NULL], post_processors=[
        "compress", {"type": "manifest", "output": "m.json"},
        [{"type": "checksum"}, {"type": "compress", "only": ["null"]}, "manifest"]]),
    "post_processors_only": j(builders=[NULL], post_processors=[{"type": "manifest", "keep_input_artifact": True}],
                              provisioners=[]),
    "everything": j(description="All of it", variables={"region": "eu-west-1", "ami": None, "pw": "s3cr3t",
                                                        "count": "3"},
                    sensitive_variables=["pw"], min_packer_version="1.5.0",
                    builders=[{**NULL, "name": "{{user `region`}}-a"}, {**NULL, "name": "b"}],
                    provisioners=[{"type": "shell-local", "inline": ["echo"], "only": ["b"]},
                                  {"type": "file", "source": "x", "destination": "y"}],
                    post_processors=[[{"type": "checksum"}, {"type": "manifest"}]], _comment="ignored"),
    "comments": j(_comment="top", builders=[NULL], variables={"_c": "x", "v": "1"}),
    "unknown_builder_type": j(builders=[{"type": "no-such-builder"}, {"type": "amazon-ebs", "name": "aws"}]),
    "min_version_too_new": j(min_packer_version="99.0.0", builders=[NULL]),
    # errors: Packer stops at the parse and says why
    "syntax_error": '{"builders": [ {"type": "null",} ]}',
    "truncated": '{"builders": [',
    "not_an_object": "[]",
    "number_document": "12",
    "empty_file": "",
    "unknown_root_key": j(builders=[NULL], foo=1),
    "builder_without_type": j(builders=[{"name": "x"}]),
    "builders_not_a_list": '{"builders": {"type": "null"}}',
    "duplicate_builder_names": j(builders=[NULL, NULL]),
    "variables_not_strings": j(builders=[NULL], variables={"n": 3}),
    "sensitive_not_a_list": j(builders=[NULL], variables={"a": "1"}, sensitive_variables="a"),
    "provisioner_without_type": j(builders=[NULL], provisioners=[{"inline": ["a"]}]),
    "post_processor_bad": j(builders=[NULL], post_processors=[5]),
}

# -- HCL2 where Packer 1.6.6 and later agree ----------------------------------------------------------------
HCL_FIXTURES: dict[str, str] = {
    "hcl_empty": "",
    "hcl_variables": '''
variable "s" {
  default = "text"
}
variable "n" {
  type    = number
  default = 3.5
}
variable "i" {
  default = 42
}
variable "b" {
  default = false
}
variable "l" {
  default = ["a", "b"]
}
variable "e" {
  default = []
}
variable "m" {
  type    = map(string)
  default = { z = "1", a = "2" }
}
variable "o" {
  default = { k = 1, b = true, n = null, s = "x\\ny", nested = { l = [1, 2] } }
}
variable "nul" {
  default = null
}
variable "unset" {
  type = string
}
variable "unset_any" {}
variable "quote" {
  default = "say \\"hi\\"\\tand\\\\go"
}
''',
    "hcl_locals": '''
variable "name" {
  default = "web"
}
variable "unset" {
  type = string
}
locals {
  upper    = upper(var.name)
  joined   = join("-", [var.name, "x"])
  numbers  = [1, 2, 3]
  derived  = "${var.unset}-suffix"
  obj      = { a = local.numbers, b = {} }
}
locals {
  second = length(local.numbers)
}
''',
    "hcl_sensitive": '''
variable "pw" {
  default   = "hunter2"
  sensitive = true
}
variable "keys" {
  default   = ["k-one", "k-two"]
  sensitive = true
}
variable "tags" {
  default   = { first = "t-first", second = "t-second" }
  sensitive = true
}
variable "num" {
  default   = 1234
  sensitive = true
}
variable "plain" {
  default = "not secret"
}
locals {
  same     = "hunter2"
  contains = "user:hunter2@host"
}
''',
    "hcl_builds": '''
source "null" "a" {
  communicator = "none"
}
source "file" "f" {
  content = "x"
  target  = "y"
}
build {
  name        = "first"
  description = "Two\\nlines"
  sources     = ["source.null.a", "file.f", "source.null.undeclared"]

  provisioner "shell-local" {
    inline = ["echo 1"]
  }
  provisioner "shell-local" {
    name   = "named"
    only   = ["null.a"]
    inline = ["echo 2"]
  }
  provisioner "file" {
    except      = ["file.f"]
    source      = "a"
    destination = "b"
    pause_before = "2s"
    max_retries  = 2
    timeout      = "1m"
    override = {
      a = { destination = "c" }
    }
  }
  post-processor "manifest" {
    name = "m1"
  }
  post-processor "checksum" {
    checksum_types = ["md5"]
  }
  post-processors {
    post-processor "compress" {
      name = "gz"
    }
    post-processor "manifest" {}
  }
  post-processors {
    post-processor "shell-local" {
      inline = ["true"]
    }
  }
}
build {
  source "source.null.a" {}
  source "null.a" {}
}
''',
    "hcl_dropped_builds": '''
source "null" "a" {
  communicator = "none"
}
build {
  name = "kept-before"
  sources = ["null.a"]
}
build {
  name = "bad-ref"
  sources = ["not a reference"]
}
build {
  name = "only-and-except"
  sources = ["null.a"]
  provisioner "shell-local" {
    only   = ["null.a"]
    except = ["null.a"]
    inline = ["x"]
  }
}
build {
  sources = ["null.a"]
}
''',
    "hcl_local_err": """locals {
  bad = nope(1)
  ok = "x"
}
""",
    "hcl_local_ref_err": """locals {
  bad = var.missing
  ok = 2
}
""",
    "hcl_varblock": """variables {
  a = "x"
  b = 3
}
""",
    "hcl_numbers": """variable "n" {
  default = [1e21, 0.1, -3, 12345678901234567890, 1.5e300, 100, 0.000001]
}
""",
    "hcl_unicode": """variable "u" {
  default = "ü☃\\u0001\\t—"
}
""",
    "hcl_ppfilter": """source "null" "a" {
  communicator = "none"
}
build {
  sources = ["null.a"]
  post-processor "manifest" {
    only = ["null.a"]
  }
  post-processor "manifest" {
    except = ["null.a"]
  }
}
""",
    "hcl_dup_src": """source "null" "a" {
  communicator = "none"
}
build {
  sources = ["null.a", "source.null.a"]
}
""",
    "hcl_dup_source_block": """source "null" "a" {
  communicator = "none"
}
source "null" "a" {
  communicator = "none"
}
""",
    "hcl_validation": """variable "v" {
  default = "x"
  validation {
    condition = length(var.v) > 3
    error_message = "The v value must be long."
  }
}
""",
    "hcl_typed": """variable "o" {
  type = object({ a = string, b = number })
  default = { a = "x", b = 1 }
}
variable "s" {
  type = set(string)
  default = ["b", "a", "b"]
}
variable "t" {
  type = tuple([string, number])
  default = ["a", 1]
}
""",
    "hcl_src_unknown_attr": """source "null" "a" {
  communicator = "none"
  nonsense = 1
}
build {
  sources = ["null.a"]
}
""",
    "hcl_build_bad_attr": """build {
  sources = ["null.a"]
  bogus = 1
}
""",
    "hcl_build_bad_block": """build {
  sources = ["null.a"]
  bogus {}
}
""",
    "hcl_heredoc_desc": """build {
  description = <<-EOT
    indented
      more
    EOT
  sources = ["null.a"]
}
""",
    "hcl_sensitive_num": """variable "n" {
  default = 1234
  sensitive = true
}
variable "other" {
  default = "id-1234"
}
""",
    "hcl_sensitive_empty": """variable "e" {
  default = ""
  sensitive = true
}
variable "other" {
  default = "x"
}
""",
    "hcl_syntax_error": 'variable "x" {\n  default = \n}\n',
    "hcl_unclosed": 'build {\n  sources = ["null.a"]\n',
    "hcl_bad_default_type": 'variable "n" {\n  type    = number\n  default = "abc"\n}\n',
    "hcl_json_file": "",  # written as a .pkr.json file below
}
HCL_JSON = json.dumps({"variable": {"v": {"default": "from-json"}}, "source": {"null": {"a": {"communicator": "none"}}},
                       "build": [{"name": "j", "sources": ["source.null.a"],
                                  "provisioner": [{"shell-local": {"inline": ["echo"]}}]}]}, indent=2)


_WORDS = ["web", "db", "eu-west-1", "a,b", "two\nlines", "x y", "{{timestamp}}", "{{user `v0`}}", "ü", ""]
_TYPES = ["null", "file", "amazon-ebs", "docker", "shell-local"]


def _generated(n: int) -> dict[str, str]:
    """Random combinations. Sensitive variables get defaults no other variable has (Packer 1.6.6 masks a
    variable sharing one in random map order), so Packer's output is the same on every run."""
    rnd = random.Random(166)
    out = {}
    for i in range(n):
        doc: dict[str, object] = {}
        names = rnd.sample([f"v{k}" for k in range(8)] + ["a_long_variable_name", "zz"], rnd.randint(0, 6))
        variables: dict[str, object] = {k: rnd.choice([None, *_WORDS]) for k in names}
        sensitive = [k for k in names if rnd.random() < 0.3]
        for k in sensitive:
            variables[k] = f"secret-{i}-{k}"
        if names:
            doc["variables"] = variables
        if sensitive:
            doc["sensitive-variables"] = sensitive
        if rnd.random() < 0.3:
            doc["description"] = rnd.choice(_WORDS[:6])
        builders: list[dict[str, str]] = []
        for b in range(rnd.randint(1, 4) if rnd.random() < 0.9 else 0):
            builder = {"type": rnd.choice(_TYPES)}
            if rnd.random() < 0.6 or any(x["type"] == builder["type"] and "name" not in x for x in builders):
                builder["name"] = rnd.choice(["b", "build-" + str(b), "{{user `v0`}}-" + str(b), "ü" * (b + 1)]) + str(b)
            builders.append(builder)
        doc["builders"] = builders
        names_b = [str(b.get("name", b["type"])) for b in builders]
        provisioners = []
        for _ in range(rnd.randint(0, 3)):
            prov: dict[str, object] = {"type": rnd.choice(["shell", "file", "shell-local", "ansible"])}
            if names_b and rnd.random() < 0.4:
                prov[rnd.choice(["only", "except"])] = rnd.sample(names_b, 1)
            if names_b and rnd.random() < 0.2:
                prov["override"] = {names_b[0]: {"x": 1}}
            provisioners.append(prov)
        if provisioners:
            doc["provisioners"] = provisioners
        if rnd.random() < 0.5:
            doc["post-processors"] = [rnd.choice(["compress", {"type": "manifest"}, [{"type": "checksum"}, "compress"]])
                                      for _ in range(rnd.randint(1, 3))]
        out[f"gen{i:02d}"] = json.dumps(doc, indent=2)
    return out


JSON_FIXTURES.update(_generated(30))


def _filename(name: str) -> str:
    if name == "hcl_json_file":
        return f"{name}.pkr.json"
    return f"{name}.pkr.hcl" if name.startswith("hcl_") else f"{name}.json"


FIXTURES = {**JSON_FIXTURES, **HCL_FIXTURES}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("inspect")
    for name, text in FIXTURES.items():
        (d / _filename(name)).write_text(HCL_JSON if name == "hcl_json_file" else text)
    script = ('for f in *.json *.pkr.hcl; do packer inspect "$f" > "$f.out" 2>/dev/null; echo $? > "$f.rc"; '
              'packer -machine-readable inspect "$f" > "$f.mout" 2>/dev/null; done')
    subprocess.run(["bash", "-c", script], cwd=d, check=True, timeout=600,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(d), "CHECKPOINT_DISABLE": "1"})
    return d


def kiln_inspect(d: Path, args: list[str], machine_readable: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(d)  # file names in diagnostics are as given, relative to the folder, as for Packer
    try:
        with contextlib.redirect_stdout(out):
            code = inspect_cli.run(args, machine_readable=machine_readable)
    finally:
        os.chdir(cwd)
    return code, out.getvalue()


def required_sorted(text: str) -> str:
    """Packer 1.6.6 lists a JSON template's required variables in Go's map order, which changes from run
    to run; kiln sorts them. Compare the block sorted."""
    head, sep, rest = text.partition("Required variables:\n\n")
    if not sep:
        return text
    block, sep2, tail = rest.partition("\n\nOptional variables")
    return head + sep + "\n".join(sorted(block.split("\n"))) + sep2 + tail


def without_timestamps(text: str) -> list[str]:
    """Machine-readable lines without their first field (the time each was written); the required
    variables' pairs of lines (``template-variable,NAME,,1`` and ``ui,say,  NAME``) sorted, as above."""
    lines = [line.split(",", 1)[1] for line in text.splitlines()]
    required = [i for i, line in enumerate(lines) if line.startswith(",template-variable,") and line.endswith(",1")]
    if required:
        pairs = sorted((lines[i], lines[i + 1]) for i in required)
        for i, pair in zip(required, pairs, strict=True):
            lines[i], lines[i + 1] = pair
    return lines


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_inspect_matches_packer(name: str, oracle: Path) -> None:
    f = _filename(name)
    code, out = kiln_inspect(oracle, [f])
    assert required_sorted(out) == required_sorted((oracle / f"{f}.out").read_text())
    assert code == int((oracle / f"{f}.rc").read_text())


@pytest.mark.parametrize("name", sorted(set(FIXTURES) - {"hcl_sensitive"}))
def test_machine_readable_matches_packer(name: str, oracle: Path) -> None:
    f = _filename(name)
    code, out = kiln_inspect(oracle, [f], machine_readable=True)
    assert without_timestamps(out) == without_timestamps((oracle / f"{f}.mout").read_text())
    assert code == int((oracle / f"{f}.rc").read_text())
    # -machine-readable after the verb is the same flag
    assert without_timestamps(kiln_inspect(oracle, ["-machine-readable", f])[1]) == without_timestamps(out)


def _packer(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    p = subprocess.run(["packer", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "CHECKPOINT_DISABLE": "1", **(env or {})})
    return p.returncode, p.stdout


VARS_TEMPLATE = '''
variable "fruit" {
  type = string
}
variable "count" {
  type    = number
  default = 1
}
variable "list" {
  type = list(string)
}
variable "from_env" {
  default = env("KILN_INSPECT_FRUIT")
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
    inline = ["echo ${var.fruit}"]
  }
}
'''


@pytest.mark.parametrize("args", [
    [],
    ["-var", "fruit=banana"],
    ["-var=fruit=peach", "-var=count=7", '-var=list=["a", "b"]'],
    ["-var-file=values.pkrvars.hcl"],
    ["-var-file=values.pkrvars.hcl", "-var=fruit=cherry"],
    ["-var-file=values.json"],
    ["-var=count=lots"],
    ["-var=undeclared=1"],
    ["-var-file=undeclared.pkrvars.hcl"],
])
def test_variables_from_the_command_line_and_environment(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "t.pkr.hcl").write_text(VARS_TEMPLATE)
    (tmp_path / "values.pkrvars.hcl").write_text('fruit = "apple"\nlist = ["x"]\n')
    (tmp_path / "values.json").write_text('{"fruit": "kiwi", "count": 2}')
    (tmp_path / "undeclared.pkrvars.hcl").write_text('nope = "x"\nfruit = "lime"\n')
    env = {"KILN_INSPECT_FRUIT": "mango", "PKR_VAR_count": "12"}
    want = _packer(["inspect", *args, "t.pkr.hcl"], tmp_path, env)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        got = kiln_inspect(tmp_path, [*args, "t.pkr.hcl"])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert got == want


@pytest.mark.parametrize("args", [["-var", "a=zz"], ["-var-file=v.json"], ["-var-file=missing.json"]])
def test_json_template_ignores_variables_but_reads_var_files(tmp_path: Path, args: list[str]) -> None:
    """Packer 1.6.6 shows a JSON template's defaults as written; a -var-file must still be readable."""
    (tmp_path / "t.json").write_text(j(variables={"a": "x", "r": None}, builders=[NULL]))
    (tmp_path / "v.json").write_text('{"a": "from-file"}')
    assert kiln_inspect(tmp_path, [*args, "t.json"]) == _packer(["inspect", *args, "t.json"], tmp_path)


def test_directory_of_hcl_files(tmp_path: Path) -> None:
    d = tmp_path / "tpl"
    d.mkdir()
    (d / "variables.pkr.hcl").write_text('variable "region" {\n  default = "eu"\n}\n')
    (d / "sources.pkr.hcl").write_text('source "null" "a" {\n  communicator = "none"\n}\n')
    (d / "build.pkr.hcl").write_text('build {\n  name = "b"\n  sources = ["null.a"]\n}\n')
    (d / "more.pkr.json").write_text('{"locals": {"l": "${var.region}-x"}}')
    (d / "ignored.json").write_text("not even json")
    assert kiln_inspect(tmp_path, ["tpl"]) == _packer(["inspect", "tpl"], tmp_path)


@pytest.mark.parametrize("path", ["missing.json", "missing.pkr.hcl", "empty_dir"])
def test_missing_template_like_packer(tmp_path: Path, path: str) -> None:
    (tmp_path / "empty_dir").mkdir()
    assert kiln_inspect(tmp_path, [path]) == _packer(["inspect", path], tmp_path)


def test_usage_as_packer() -> None:
    p = subprocess.run(["packer", "inspect", "-h"], capture_output=True, text=True, env={"CHECKPOINT_DISABLE": "1"})
    assert inspect_cli.USAGE.strip() + "\n" == p.stdout.replace("packer inspect", "kiln inspect")


def test_sensitive_mask_is_exact(tmp_path: Path) -> None:
    """Packer 1.6.6 masks, in map order, any variable whose default equals a sensitive one's, so its output
    changes from run to run; kiln masks exactly the sensitive variables, every time."""
    (tmp_path / "t.json").write_text(j(variables={"pw": "same", "other": "same", "r": None},
                                       sensitive_variables=["pw"], builders=[NULL]))
    code, out = kiln_inspect(tmp_path, ["t.json"])
    assert code == 0
    assert "  other = same\n  pw    = <sensitive>\n" in out
    code, out = kiln_inspect(tmp_path, ["t.json"], machine_readable=True)
    assert ",template-variable,other,same,0" in out and ",template-variable,pw,<sensitive>,0" in out


def test_machine_readable_masks_secrets_where_packer_leaks_them(oracle: Path) -> None:
    """Packer's machine-readable UI filters secrets and then overwrites the result with the unfiltered
    text (packer/ui.go, 1.6.6 to 1.14): it prints sensitive values. kiln masks them in both modes."""
    f = _filename("hcl_sensitive")
    theirs = (oracle / f"{f}.mout").read_text()
    assert "hunter2" in theirs and "k-one" in theirs  # the leak this test documents
    code, ours = kiln_inspect(oracle, [f], machine_readable=True)
    assert code == 0
    for secret in ("hunter2", "k-one", "k-two", "t-first", "t-second"):
        assert secret not in ours
    masked = theirs
    for secret in ("hunter2", "k-one", "k-two", "t-first", "t-second"):
        masked = masked.replace(secret, "<sensitive>")
    assert without_timestamps(ours) == without_timestamps(masked)  # what Packer means to print


def test_console_variables_command_prints_what_inspect_prints(oracle: Path) -> None:
    """``packer console``'s ``variables`` is the same printVariables as inspect's: sensitive lists and maps
    show each element masked."""
    f = _filename("hcl_sensitive")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(oracle), "CHECKPOINT_DISABLE": "1"}
    theirs = subprocess.run(["packer", "console", f], input="variables\n", capture_output=True, text=True,
                            cwd=oracle, env=env, timeout=60)
    ours = subprocess.run([sys.executable, "-m", "kiln", "console", f], input="variables\n", capture_output=True,
                          text=True, cwd=oracle, env={**os.environ, "HOME": str(oracle)}, timeout=60)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)
    assert 'var.keys: "[\\n  \\"<sensitive>\\",\\n  \\"<sensitive>\\",\\n]"' in ours.stdout
