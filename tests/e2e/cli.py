"""Run the real ``kiln`` CLI, and Debian's Packer 1.6.6 as the oracle, in a test's folder."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

KILN = [sys.executable, "-m", "kiln"]


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_kiln(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    full_env = {**os.environ, "HOME": str(cwd / ".home"), **(env or {})}
    p = subprocess.run([*KILN, *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return Run(p.returncode, p.stdout, p.stderr)


def run_packer(args: list[str], cwd: Path, timeout: float = 120) -> Run:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "HOME": str(cwd / ".home")}
    p = subprocess.run(["packer", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return Run(p.returncode, p.stdout, p.stderr)
