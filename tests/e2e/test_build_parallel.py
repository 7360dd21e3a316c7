"""A template with three sources built in parallel: one plugin process serves every component, the manifest
Packer 1.6.6 writes for the same template, and Packer's -machine-readable output."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.e2e.cli import run_kiln, run_packer

TEMPLATE = r"""
source "null" "alpha" {
  communicator = "none"
}

source "null" "beta" {
  communicator = "none"
}

source "file" "gamma" {
  content = "made by gamma"
  target  = "gamma.txt"
}

build {
  sources = ["source.null.alpha", "source.null.beta", "source.file.gamma"]

  provisioner "shell-local" {
    # print every ancestor process id, so the test can find which plugin process ran this
    inline = ["p=$$; a=; while [ \"$p\" -gt 1 ]; do a=\"$a,$p\"; p=$(cut -d' ' -f4 /proc/$p/stat); done; echo ancestors=$a build=$PACKER_BUILD_NAME type=$PACKER_BUILDER_TYPE"]
  }

  post-processor "manifest" {
    output     = "manifest.json"
    strip_path = true
    custom_data = {
      source = "${source.name}"
    }
  }
}
"""


def write(dir: Path) -> Path:
    dir.mkdir(parents=True, exist_ok=True)
    (dir / "template.pkr.hcl").write_text(TEMPLATE)
    return dir


def normalized_manifest(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    runs = {b["packer_run_uuid"] for b in data["builds"]}
    assert len(runs) == 1 and data["last_run_uuid"] in runs
    assert all(isinstance(b["build_time"], int) and b["build_time"] > 1_600_000_000 for b in data["builds"])
    builds = sorted(
        ({k: v for k, v in b.items() if k not in ("build_time", "packer_run_uuid")} for b in data["builds"]),
        key=lambda b: str(b["name"]),
    )
    return {"builds": builds, "keys": [list(b) for b in data["builds"]]}


def test_three_sources_in_parallel_match_packer(tmp_path: Path, packer: str) -> None:
    kiln_dir, packer_dir = write(tmp_path / "kiln"), write(tmp_path / "packer")
    log = tmp_path / "kiln.log"
    result = run_kiln(["build", "-color=false", "template.pkr.hcl"], kiln_dir,
                      env={"KILN_LOG": "1", "KILN_LOG_PATH": str(log)})
    assert result.code == 0, result.err + result.out
    oracle = run_packer(["build", "-color=false", "template.pkr.hcl"], packer_dir)
    assert oracle.code == 0, oracle.err + oracle.out

    # same manifest, times and ids aside (build order within it follows completion order in both tools)
    assert normalized_manifest(kiln_dir / "manifest.json") == normalized_manifest(packer_dir / "manifest.json")
    assert (kiln_dir / "gamma.txt").read_text() == (packer_dir / "gamma.txt").read_text() == "made by gamma"

    # one process of the bundled plugin served every component instance: 3 builders, 3 provisioners,
    # 3 post-processors (Terraform's process model: one process per plugin executable per run)
    started = re.findall(r"started the (.+?) as pid (\d+)", log.read_text())
    assert [label for label, _ in started] == ["bundled plugin"], started
    pids = [int(pid) for _, pid in started]
    chains = re.findall(r"ancestors=([\d,]+)", result.out)
    assert len(chains) == 3
    for chain in chains:  # each build's shell-local ran under that one process
        assert pids[0] in {int(p) for p in chain.split(",") if p}, (chain, pids)
    # the same lines as Packer (prefixes included), in any interleaving
    for build, btype in (("alpha", "null"), ("beta", "null"), ("gamma", "file")):
        assert re.search(rf"^    {btype}\.{build}: ancestors=[\d,]+ build={build} type={btype}$", result.out, re.M)
    assert "==> Builds finished. The artifacts of successful builds are:" in result.out
    for pid in pids:  # no plugin process outlives kiln
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"plugin process {pid} is still running")


def _machine_lines(text: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for line in text.splitlines():
        assert re.match(r"^\d+,[^,]*,[^,]+(,.*)?$", line), f"not machine-readable: {line!r}"
        _, target, kind, *data = line.split(",")
        joined = ",".join(data)
        joined = re.sub(r"/tmp/\S+", "TMP", joined)
        joined = re.sub(r"after [^\\]*", "after TIME", joined)
        joined = re.sub(r"ancestors=\S+", "ancestors=PIDS", joined)
        rows.append((target, kind, joined))
    return rows


def test_machine_readable_has_packers_shape(tmp_path: Path, packer: str) -> None:
    kiln_dir, packer_dir = write(tmp_path / "kiln"), write(tmp_path / "packer")
    ours = run_kiln(["build", "-machine-readable", "template.pkr.hcl"], kiln_dir)
    theirs = run_packer(["build", "-machine-readable", "template.pkr.hcl"], packer_dir)
    assert ours.code == theirs.code == 0, ours.err
    assert sorted(_machine_lines(ours.out)) == sorted(_machine_lines(theirs.out))
