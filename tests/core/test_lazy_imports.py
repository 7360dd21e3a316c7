"""The light CLI paths (``version``, ``fmt``, ``validate -syntax-only``, ``inspect``) start no plugin, so they must not
import gRPC, protobuf or boto3 (each costs start-up time); ``validate`` talks to plugins and does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("grpc", "google.protobuf", "boto3", "botocore")
PROBE = """
import sys
from kiln.cli.main import main  # what the kiln program runs, without its final os._exit
sys.argv = ["kiln", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    print("CODE=" + str(exc.code))
print("HEAVY=" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""
TEMPLATE = 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n'


def probe(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    return subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c")})


def heavy_modules(tmp_path: Path, *argv: str) -> list[str]:
    out = probe(tmp_path, *argv)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("HEAVY="))
    return [m for m in line[len("HEAVY="):].split(",") if m]


@pytest.mark.parametrize("argv", [["version"], ["fmt", "-check", "t.pkr.hcl"], ["validate", "-syntax-only", "t.pkr.hcl"],
                                  ["inspect", "t.pkr.hcl"]])
def test_light_verbs_import_no_grpc_nor_boto3(tmp_path: Path, argv: list[str]) -> None:
    assert heavy_modules(tmp_path, *argv) == []


def test_the_probe_sees_grpc_when_validate_talks_to_plugins(tmp_path: Path) -> None:
    assert "grpc" in heavy_modules(tmp_path, "validate", "t.pkr.hcl")


def test_the_fmt_probe_runs_the_verb(tmp_path: Path) -> None:
    """The probe above checks a real ``fmt -check`` run: it exits 0 on the formatted template (not 127,
    the unknown-verb code) and 3 once the template needs formatting."""
    assert "CODE=0" in probe(tmp_path, "fmt", "-check", "t.pkr.hcl").stdout
    (tmp_path / "u.pkr.hcl").write_text("a=1\n")
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), "fmt", "-check", "u.pkr.hcl"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert "CODE=3" in out.stdout and "HEAVY=\n" in out.stdout
