"""The bundled components in a real ``kiln build`` (core + plugin processes) next to Packer 1.6.6.

One post-processor chain exercises shell-local, artifice, compress and manifest; the files left
behind, the archive's content, the manifest's shape and the closing summary must match Packer's.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKER = shutil.which("packer") or "/usr/bin/packer"

TEMPLATE = '''
source "file" "f" {
  content = "hello\\n"
  target  = "sub/out.txt"
}
source "null" "alpha" {
  communicator = "none"
}
build {
  sources = ["source.file.f", "source.null.alpha"]
  provisioner "shell-local" {
    inline = ["echo prov $PACKER_BUILD_NAME > prov-$PACKER_BUILD_NAME.txt"]
  }
  post-processor "checksum" {
    checksum_types = ["sha1"]
    only           = ["file.f"]
  }
  post-processors {
    post-processor "shell-local" {
      inline = ["echo pp $PACKER_BUILD_NAME"]
    }
    post-processor "artifice" {
      files = ["prov-{{ build_name }}.txt"]
    }
    post-processor "compress" {
      output = "{{ .BuildName }}.tar.gz"
    }
    post-processor "manifest" {
      strip_time = true
    }
  }
}
'''


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "HOME": str(cwd / ".home")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".home" not in p.parts and p.is_file())


@pytest.mark.skipif(not os.path.exists(PACKER), reason="Packer 1.6.6 (Debian's packer) is not installed")
def test_post_processor_chain_matches_packer(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "kiln", tmp_path / "packer"
    for d in (ours, theirs):
        d.mkdir()
        (d / "t.pkr.hcl").write_text(TEMPLATE)
    kiln = _run([sys.executable, "-m", "kiln", "build", "-color=false", "t.pkr.hcl"], ours)
    packer = _run([PACKER, "build", "-color=false", "t.pkr.hcl"], theirs)
    assert packer.returncode == 0, packer.stdout
    assert kiln.returncode == 0, kiln.stdout + kiln.stderr

    def summary(out: str) -> list[str]:
        return sorted(line for line in out.splitlines() if line.startswith("--> "))

    assert summary(kiln.stdout) == summary(packer.stdout)
    assert _files(ours) == _files(theirs)  # artifice's and compress's inputs deleted alike
    for name in ("f.tar.gz", "alpha.tar.gz"):
        assert gzip.decompress((ours / name).read_bytes()) == gzip.decompress((theirs / name).read_bytes()), name
    assert (ours / "packer_f_file_sha1.checksum").read_bytes() == (theirs / "packer_f_file_sha1.checksum").read_bytes()

    def shape(path: Path) -> list[tuple[str, str, list[str], str]]:
        doc = json.loads(path.read_text())
        assert all(b["packer_run_uuid"] == doc["last_run_uuid"] for b in doc["builds"])
        return sorted((b["name"], b["builder_type"], [f["name"] for f in b["files"]], b["artifact_id"])
                      for b in doc["builds"])

    assert shape(ours / "packer-manifest.json") == shape(theirs / "packer-manifest.json")

    def pp_output(out: str) -> list[str]:
        return sorted(line for line in out.splitlines() if line.endswith((": pp f", ": pp alpha")))

    assert pp_output(kiln.stdout) == pp_output(packer.stdout) == [
        "    file.f (shell-local): pp f", "    null.alpha (shell-local): pp alpha"]


@pytest.mark.skipif(not os.path.exists(PACKER), reason="Packer 1.6.6 (Debian's packer) is not installed")
def test_null_builder_over_ssh_says_what_packer_says(tmp_path: Path) -> None:
    from tests.sshd_fixture import running_sshd

    with running_sshd() as server:
        template = f'''
source "null" "alpha" {{
  ssh_host             = "{server.host}"
  ssh_port             = {server.port}
  ssh_username         = "root"
  ssh_private_key_file = "{server.client_key}"
  ssh_timeout          = "10s"
}}
build {{
  sources = ["source.null.alpha"]
  provisioner "shell-local" {{
    inline = ["echo local $PACKER_BUILDER_TYPE"]
  }}
}}
'''
        outputs = []
        for name, argv in (("kiln", [sys.executable, "-m", "kiln"]), ("packer", [PACKER])):
            d = tmp_path / name
            d.mkdir()
            (d / "t.pkr.hcl").write_text(template)
            proc = _run([*argv, "build", "-color=false", "t.pkr.hcl"], d)
            assert proc.returncode == 0, proc.stdout + proc.stderr
            outputs.append([line.split("/tmp/")[0] for line in proc.stdout.splitlines()
                            if line.startswith(("==> null.alpha: ", "    null.alpha: "))])
    assert outputs[0] == outputs[1] == [
        f"==> null.alpha: Using ssh communicator to connect: {server.host}",
        "==> null.alpha: Waiting for SSH to become available...",
        "==> null.alpha: Connected to SSH!",
        "==> null.alpha: Running local shell script: ",
        "    null.alpha: local null",
    ]


FEATURES = '''
source "file" "copy" {
  source = "input.txt"
  target = "out/copied.txt"
}
source "null" "alpha" {
  communicator = "none"
}
build {
  sources = ["source.file.copy", "source.null.alpha"]
  provisioner "shell-local" {
    scripts          = ["a.sh", "b.sh"]
    environment_vars = ["Q=it's \\"quoted\\" $HOME", "EMPTY="]
  }
  provisioner "shell-local" {
    script           = "a.sh"
    execute_command  = ["/bin/bash", "-c", "{{.Vars}} /bin/sh {{.Script}} extra"]
    valid_exit_codes = [0, 4]
  }
  provisioner "breakpoint" {
    disable = true
    note    = "not now"
  }
  provisioner "shell-local" {
    inline           = ["echo out; echo err >&2", "exit 4"]
    valid_exit_codes = [4]
  }
  post-processor "shell-local" {
    inline = ["echo pp for $PACKER_BUILD_NAME", "ls out"]
  }
}
'''


@pytest.mark.skipif(not os.path.exists(PACKER), reason="Packer 1.6.6 (Debian's packer) is not installed")
def test_builders_and_shell_local_features_print_what_packer_prints(tmp_path: Path) -> None:
    import re

    outputs = []
    for name, argv in (("kiln", [sys.executable, "-m", "kiln"]), ("packer", [PACKER])):
        d = tmp_path / name
        d.mkdir()
        (d / "t.pkr.hcl").write_text(FEATURES)
        (d / "a.sh").write_text('echo "A: $Q|$EMPTY|$1"\n')
        (d / "b.sh").write_text("echo B; exit 0\n")
        for script in ("a.sh", "b.sh"):
            (d / script).chmod(0o755)
        (d / "input.txt").write_text("in\n")
        proc = _run([*argv, "build", "-color=false", "t.pkr.hcl"], d)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outputs.append(sorted(
            re.sub(r" after [0-9].*$", " after TIME", re.sub(r"/tmp/\S+", "TMP", line))
            for line in proc.stdout.splitlines()
            if "Running post-processor:" not in line  # the core names unnamed post-processors differently
        ))
        assert (d / "out" / "copied.txt").read_text() == "in\n"
    assert outputs[0] == outputs[1]
