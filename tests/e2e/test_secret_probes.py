"""Secrets stay secret (issue 13, item 3): a known secret is planted through each path a value can
enter kiln, and every byte kiln wrote is searched for it, raw and in the forms programs encode it in.

Paths: -var, -var-file, the environment (PKR_VAR_), a data source's output marked sensitive in its
schema, a provisioner's environment variable, an error message (a failing script that prints it, a
plugin diagnostic, a template error), plugin stderr relayed to the log (KILN_LOG), the manifest's
custom data, -machine-readable output, a crash report. What kiln wrote: stdout, stderr, the log file,
the crash log, every file under the run's folder, TMPDIR and HOME that kiln or its plugins made (the
user's own artifact excepted)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.e2e.cli import KILN

FAKE = Path(__file__).parent.parent / "sdk" / "fakes" / "fake_plugin.py"
# one secret per path, each with characters that JSON, Go and URLs escape
SECRETS = {
    "var": 'var-Hunter2"s3cr3t/1',
    "var_file": "file-Hunter2's3cr3t&f=2",
    "env": "env-Hunter2 s3cr3t+e%3",
    "data": "data-Hunter2<s3cr3t>d4",
    "local": "loc4l-Hunter2:s3cr3t5",
}
# what the template makes of them (a derived value is sensitive too: its encodings are searched as well)
ALL = "|".join(SECRETS[k] for k in ("var", "var_file", "env", "data", "local"))


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    out = {secret, json.dumps(secret)[1:-1], urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
           base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    return sorted(out)


TEMPLATE = r"""
variable "from_var" {
  type      = string
  sensitive = true
}
variable "from_file" {
  type      = string
  sensitive = true
}
variable "from_env" {
  type      = string
  sensitive = true
}
data "misbehave-greet" "g" {
  name       = "world"
  token_file = "token.txt"
}
locals {
  mixed = sensitive("loc4l-Hunter2:s3cr3t5")
  all   = "${var.from_var}|${var.from_file}|${var.from_env}|${data.misbehave-greet.g.token}|${local.mixed}"
}
source "file" "artifact" {
  target  = "artifact.txt"
  content = "the user's own file: ${local.all}"
}
source "null" "failing" {
  communicator = "none"
}
build {
  sources = ["source.file.artifact", "source.null.failing"]
  provisioner "shell-local" {
    environment_vars = ["ALL=${local.all}", "B64=${base64encode(local.all)}", "JSON=${jsonencode({a = local.all})}",
                        "URL=${urlencode(local.all)}"]
    inline = ["echo out $ALL $B64 $JSON $URL", "echo err $ALL $B64 $JSON $URL >&2"]
  }
  provisioner "shell-local" {
    only             = ["null.failing"]
    environment_vars = ["V=${var.from_var}"]
    inline           = ["echo failing with $V", "exit 7"]
  }
  post-processor "manifest" {
    output      = "manifest.json"
    custom_data = { all = local.all, b64 = base64encode(var.from_file) }
  }
}
"""


def _plugin_dir(tmp_path: Path) -> Path:
    d = tmp_path / "plugins"
    d.mkdir()
    exe = d / "kiln-plugin-misbehave"
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    return d


def _everything_written(*roots: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    found: dict[str, str] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink() and path not in skip and "__pycache__" not in path.parts:
                try:
                    found[str(path)] = path.read_bytes().decode(errors="replace")
                except OSError:
                    continue
    return found


def _leaks(texts: dict[str, str]) -> list[str]:
    secrets = [*SECRETS.values(), ALL]
    return [f"{name}: {form!r}" for name, text in texts.items() for s in secrets for form in forms(s) if form in text]


@pytest.mark.parametrize("machine_readable", [False, True])
def test_no_secret_reaches_any_output(tmp_path: Path, machine_readable: bool) -> None:
    work, tmp, home = tmp_path / "work", tmp_path / "tmp", tmp_path / "home"
    for d in (work, tmp, home):
        d.mkdir()
    (work / "t.pkr.hcl").write_text(TEMPLATE)
    (work / "v.pkrvars.hcl").write_text(f"from_file = {json.dumps(SECRETS['var_file'])}\n")
    (work / "token.txt").write_text(SECRETS["data"])
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "KILN_LOG": "1",
           "KILN_LOG_PATH": str(work / "kiln.log"), "KILN_PLUGIN_PATH": str(_plugin_dir(tmp_path)),
           "PKR_VAR_from_env": SECRETS["env"]}
    args = [*KILN, *(["-machine-readable"] if machine_readable else []), "build", "-color=false",
            "-var", f"from_var={SECRETS['var']}", "-var-file=v.pkrvars.hcl", "t.pkr.hcl"]
    r = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    (tmp_path / "debug.out").write_text(r.stdout + r.stderr)
    assert r.returncode == 1  # the second provisioner fails, on purpose
    out = r.stdout + r.stderr
    # every path was taken: the values reached the scripts (masked in what kiln shows), the error is there
    assert "out <sensitive>" in out and "err <sensitive>" in out
    assert "Script exited with non-zero exit status: 7" in out
    assert "failing with <sensitive>" in out
    log = (work / "kiln.log").read_text()
    assert "read the token <sensitive>" in log  # the data source's stderr, relayed to the log
    manifest = json.loads((work / "manifest.json").read_text())
    assert manifest["builds"][0]["custom_data"] == {"all": "<sensitive>", "b64": "<sensitive>"}
    assert (work / "artifact.txt").read_text().startswith("the user's own file: ")  # the user asked for that
    written = {"stdout": r.stdout, "stderr": r.stderr,
               **_everything_written(work, tmp, home, skip=(work / "artifact.txt", work / "token.txt",
                                                            work / "v.pkrvars.hcl", work / "t.pkr.hcl"))}
    assert _leaks(written) == []


def test_no_secret_in_validate_errors_or_a_crash_report(tmp_path: Path) -> None:
    secret = SECRETS["var"]
    (tmp_path / "t.pkr.hcl").write_text("""
variable "s" {
  type      = string
  sensitive = true
}
locals {
  n = tonumber(var.s)
  f = file(var.s)
  r = regex("(", var.s)
  j = jsondecode(var.s)
  k = { (var.s) = 1 }["nope"]
}
source "file" "a" {
  target  = var.s
  content = 1 + var.s
}
build {
  sources = ["source.file.a"]
}
""")
    env = {**os.environ, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path), "KILN_LOG": "1",
           "KILN_LOG_PATH": str(tmp_path / "kiln.log")}
    r = subprocess.run([*KILN, "validate", "-var", f"s={secret}", "t.pkr.hcl"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 1 and "Error" in r.stdout
    written = {"stdout": r.stdout, "stderr": r.stderr, **_everything_written(tmp_path, skip=(tmp_path / "t.pkr.hcl",))}
    assert _leaks(written) == []
