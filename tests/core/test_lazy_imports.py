"""The light CLI paths (``version``, ``fmt``, ``validate -syntax-only``) start no plugin, so they must not
import gRPC, protobuf or boto3 (each costs start-up time); ``validate`` talks to plugins and does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("grpc", "google.protobuf", "boto3", "botocore")
PROBE = """
import runpy, sys
sys.argv = ["kiln", *sys.argv[1:]]
try:
    runpy.run_module("kiln", run_name="__main__")
except SystemExit:
    pass
print("HEAVY=" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""
TEMPLATE = 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n'


def heavy_modules(tmp_path: Path, *argv: str) -> list[str]:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")})
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("HEAVY="))
    return [m for m in line[len("HEAVY="):].split(",") if m]


@pytest.mark.parametrize("argv", [["version"], ["fmt", "-check", "t.pkr.hcl"], ["validate", "-syntax-only", "t.pkr.hcl"]])
def test_light_verbs_import_no_grpc_nor_boto3(tmp_path: Path, argv: list[str]) -> None:
    assert heavy_modules(tmp_path, *argv) == []


def test_the_probe_sees_grpc_when_validate_talks_to_plugins(tmp_path: Path) -> None:
    assert "grpc" in heavy_modules(tmp_path, "validate", "t.pkr.hcl")
