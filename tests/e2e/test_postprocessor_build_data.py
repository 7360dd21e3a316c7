"""Post-processors see ``build.*`` (the builder's generated data), as today's Packer evaluates them
again when the artifact exists (Packer 1.6.6 handed them placeholders)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.cli import run_kiln

TEMPLATE = """
source "null" "alpha" {
  communicator = "none"
}
build {
  name    = "nb"
  sources = ["source.null.alpha"]
  post-processor "shell-local" {
    inline = ["echo id=${build.ID} run=${build.PackerRunUUID} name=${build.name}"]
  }
  post-processor "manifest" {
    output = "manifest-${build.ID}.json"
  }
}
"""


def test_post_processors_are_evaluated_with_the_build_data(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path)
    assert r.code == 0, r.out
    m = re.search(r"id=(\S*) run=(\S*) name=(\S*)", r.out)
    assert m is not None, r.out
    assert m.group(1) == "Null" and re.fullmatch(r"[0-9a-f-]{36}", m.group(2)) and m.group(3) == "nb"
    assert (tmp_path / "manifest-Null.json").exists()
