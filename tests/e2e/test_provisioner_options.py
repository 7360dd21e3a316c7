"""Provisioner options and build selection, side by side with Packer 1.6.6 on the same templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.cli import Run, run_kiln, run_packer

HCL = r"""
source "null" "alpha" {
  communicator = "none"
}
source "null" "beta" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha", "source.null.beta"]
  provisioner "shell-local" {
    pause_before = "1s"
    inline       = ["echo first on ${source.name}"]
  }
  provisioner "shell-local" {
    only   = ["null.beta"]
    inline = ["echo only beta"]
  }
  provisioner "shell-local" {
    except = ["null.beta"]
    inline = ["echo except beta"]
  }
  provisioner "shell-local" {
    max_retries = 1
    inline      = ["if [ -e flag-${source.name} ]; then echo retried; else touch flag-${source.name}; exit 3; fi"]
  }
}
"""

LEGACY = r"""
{
  "builders": [{"type": "null", "communicator": "none"}],
  "provisioners": [
    {"type": "shell-local", "inline": ["echo about to fail"]},
    {"type": "shell-local", "inline": ["exit 2"]}
  ],
  "error-cleanup-provisioner": {"type": "shell-local", "inline": ["echo cleaning up after {{build_name}}"]}
}
"""

TIMEOUT = r"""
source "null" "alpha" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha"]
  provisioner "shell-local" {
    timeout = "1s"
    inline  = ["sleep 4"]
  }
}
"""


def both(tmp_path: Path, name: str, text: str, *args: str) -> tuple[Run, Run]:
    results = []
    for tool, runner in (("kiln", run_kiln), ("packer", run_packer)):
        d = tmp_path / tool
        d.mkdir()
        (d / name).write_text(text)
        results.append(runner(["build", "-color=false", *args, name], d))
    return results[0], results[1]


def lines(run: Run) -> list[str]:
    """Output lines without times and temporary paths, sorted (builds interleave differently)."""
    out = []
    for line in run.out.splitlines():
        line = re.sub(r"/tmp/\S+", "TMP", line)
        line = re.sub(r" after [0-9].*?(\.|:|$)", r" after TIME\1", line)
        out.append(line)
    return sorted(out)


def test_pause_only_except_retries(tmp_path: Path, packer: str) -> None:
    ours, theirs = both(tmp_path, "t.pkr.hcl", HCL)
    assert ours.code == theirs.code == 0, ours.out
    assert lines(ours) == lines(theirs)


@pytest.mark.parametrize("args", [("-only=null.alpha",), ("-except=null.a*",), ("-only=*.beta",)])
def test_only_except_select_builds(tmp_path: Path, packer: str, args: tuple[str, ...]) -> None:
    ours, theirs = both(tmp_path, "t.pkr.hcl", HCL, *args)
    assert ours.code == theirs.code, ours.out
    assert lines(ours) == lines(theirs)


def test_error_cleanup_provisioner(tmp_path: Path, packer: str) -> None:
    ours, theirs = both(tmp_path, "t.json", LEGACY)
    assert ours.code == theirs.code == 1, ours.out
    assert lines(ours) == lines(theirs)
    assert "    null: cleaning up after null" in ours.out


@pytest.mark.parametrize("mode", ["abort", "run-cleanup-provisioner", "cleanup"])
def test_on_error_modes(tmp_path: Path, packer: str, mode: str) -> None:
    ours, theirs = both(tmp_path, "t.json", LEGACY, f"-on-error={mode}")
    assert ours.code == theirs.code == 1, ours.out
    assert lines(ours) == lines(theirs)


OVERRIDE = r"""
source "null" "alpha" {
  communicator = "none"
}
source "null" "beta" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha", "source.null.beta"]
  provisioner "shell-local" {
    inline = ["echo default"]
    override = {
      alpha = {
        inline = ["echo overridden for alpha"]
      }
    }
  }
}
"""


def test_override_per_source(tmp_path: Path, packer: str) -> None:
    ours, theirs = both(tmp_path, "t.pkr.hcl", OVERRIDE)
    assert ours.code == theirs.code == 0, ours.out
    assert lines(ours) == lines(theirs)
    assert "    null.alpha: overridden for alpha" in ours.out


def test_parallel_builds_one_runs_builds_one_after_another(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(OVERRIDE)
    r = run_kiln(["build", "-color=false", "-parallel-builds=1", "t.pkr.hcl"], tmp_path)
    assert r.code == 0, r.out
    out = r.out.splitlines()
    first_finished = next(i for i, line in enumerate(out) if line.startswith("Build '"))
    finished_name = out[first_finished].split("'")[1]
    other = "null.beta" if finished_name == "null.alpha" else "null.alpha"
    # nothing of the other build before the first one finished
    assert not any(other in line for line in out[:first_finished])


def test_timeout_cancels_the_provisioner(tmp_path: Path, packer: str) -> None:
    ours, theirs = both(tmp_path, "t.pkr.hcl", TIMEOUT)
    assert ours.code == theirs.code == 1, ours.out
    assert "==> null.alpha: Cancelling provisioner after a timeout..." in ours.out
    assert lines(ours) == lines(theirs)
