"""``kiln build`` and ``kiln validate`` start the bundled plugin's process before they import gRPC,
protobuf or the template front ends, so that its start-up overlaps the core's own (it is the longest
part of a small build)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, subprocess, sys
seen = []
real_init = subprocess.Popen.__init__

def init(self, args, *a, **k):
    if isinstance(args, (list, tuple)) and "kiln_plugins" in args and args[-1] == "serve":
        seen.append(sorted(m for m in ("grpc", "google.protobuf", "kiln.template.hcl2", "kiln.engine.session")
                           if m in sys.modules))
    real_init(self, args, *a, **k)

subprocess.Popen.__init__ = init
sys.argv = ["kiln", *sys.argv[1:]]
from kiln.cli.main import main  # what the kiln program runs, without its final os._exit
try:
    main()
except SystemExit:
    pass
print("SPAWNS=" + json.dumps(seen))
"""
TEMPLATE = 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n'


@pytest.mark.parametrize("verb", ["build", "validate"])
def test_the_bundled_plugin_starts_before_the_heavy_imports(tmp_path: Path, verb: str) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    out = subprocess.run([sys.executable, "-c", PROBE, verb, "t.pkr.hcl"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")})
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("SPAWNS=")), None)
    assert line is not None, out.stdout + out.stderr
    spawns = json.loads(line[len("SPAWNS="):])
    assert spawns == [[]], spawns  # one plugin process, started before any of the heavy modules loaded
