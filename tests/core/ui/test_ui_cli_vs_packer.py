"""The real ``kiln build`` against ``packer build`` (1.6.6): the console as a user sees it, per output mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.ui.packer_ui_oracle import normalise, run_packer, sort_machine_summary
from tests.core.ui.test_ui_console_vs_packer import OK_TEMPLATE, _sort_arrow_lines

KILN = [sys.executable, "-m", "kiln"]

# One build succeeds, one fails; a secret, a comma, stderr output and a post-processor's own Ui.
MIXED_TEMPLATE = """
variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
source "null" "alpha" {
  communicator = "none"
}
source "null" "beta" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha", "source.null.beta"]
  provisioner "shell-local" {
    inline = ["echo 'the secret is ${var.secret}, shh'"]
  }
  provisioner "shell-local" {
    inline = ["echo 'to stderr' >&2"]
  }
  provisioner "shell-local" {
    only   = ["null.beta"]
    inline = ["exit 3"]
  }
  post-processor "shell-local" {
    inline = ["echo 'pp says hi'"]
  }
}
"""


def run_kiln(workdir: Path, template: str, *flags: str) -> str:
    (workdir / "template.pkr.hcl").write_text(template)
    env = {k: v for k, v in os.environ.items() if k not in ("PACKER_NO_COLOR", "KILN_LOG", "PACKER_LOG")}
    proc = subprocess.run(
        [*KILN, "build", *flags, "template.pkr.hcl"],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stderr == "", proc.stderr
    return proc.stdout


@pytest.mark.parametrize("flags", [(), ("-timestamp-ui", "-color=false")])
def test_kiln_console_matches_packer(tmp_path: Path, flags: tuple[str, ...]) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "k").mkdir()
    for template in (OK_TEMPLATE, MIXED_TEMPLATE):
        packer = run_packer(tmp_path / "p", template, "-parallel-builds=1", *flags)
        kiln = run_kiln(tmp_path / "k", template, "-parallel-builds=1", *flags)
        assert "hunter2" not in kiln
        assert _sort_arrow_lines(normalise(kiln)) == _sort_arrow_lines(normalise(packer))


def test_kiln_machine_readable_matches_packer_except_the_leaked_secret(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "k").mkdir()
    packer = run_packer(tmp_path / "p", MIXED_TEMPLATE, "-parallel-builds=1", "-machine-readable")
    kiln = run_kiln(tmp_path / "k", MIXED_TEMPLATE, "-parallel-builds=1", "-machine-readable")
    assert "hunter2" in packer and "hunter2" not in kiln  # Packer 1.6.6 leaks it here; kiln masks it
    assert sort_machine_summary(normalise(kiln)) == sort_machine_summary(
        normalise(packer.replace("hunter2", "<sensitive>"))
    )
