"""Fixtures for the docker plugin: real podman behind a ``docker`` wrapper, a real base image.

Every test gets its own alias of the base image (``localhost/kiln-t-XXXX:base``), so "which containers
did this build leave" is exact even with other tests running in parallel: containers are found by
their image. Images a test makes are named ``localhost/kiln-t-XXXX...`` and removed after it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.podman_fixture import base_image, docker_env, podman  # noqa: F401  (pytest fixtures)

KILN = [sys.executable, "-m", "kiln"]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class DockerCase:
    env: dict[str, str]
    cwd: Path
    prefix: str  # localhost/kiln-t-XXXX
    base: str  # this test's alias of the base image
    made: list[str] = field(default_factory=list)

    def full_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.cwd / ".home"), "CHECKPOINT_DISABLE": "1", **self.env,
                **(extra or {})}

    def write(self, text: str, name: str = "t.pkr.hcl") -> Path:
        path = self.cwd / name
        path.write_text(text.replace("BASE_IMAGE", self.base).replace("PREFIX", self.prefix))
        return path

    def kiln(self, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 180) -> Result:
        p = subprocess.run([*KILN, *args], cwd=self.cwd, capture_output=True, text=True,
                           env=self.full_env(extra_env), timeout=timeout, stdin=subprocess.DEVNULL)
        return self._result(p.returncode, p.stdout, p.stderr)

    def _result(self, code: int, out: str, err: str) -> Result:
        self.made += re.findall(r"Image ID: ([0-9a-f]{12,64})", out)  # removed after the test
        return Result(code, out, err)

    def packer(self, *args: str, timeout: float = 180) -> Result:
        p = subprocess.run(["packer", *args], cwd=self.cwd, capture_output=True, text=True,
                           env=self.full_env({"PACKER_TMP_DIR": str(self.cwd / ".packer-tmp")}),
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return self._result(p.returncode, p.stdout, p.stderr)

    def docker(self, *args: str, check: bool = True) -> str:
        return podman(self.env, *args, check=check).stdout.decode()

    def containers(self) -> list[str]:
        """Every container (running or not) made from this test's base image."""
        return self.docker("ps", "-a", "--filter", f"ancestor={self.base}", "--format", "{{.ID}} {{.Status}}").split("\n")[:-1]

    def images(self) -> list[str]:
        """The names of this test's images (repository:tag), sorted."""
        out = self.docker("images", "--format", "{{.Repository}}:{{.Tag}}")
        return sorted(n for n in out.split() if n.startswith(self.prefix) and n != self.base)

    def run_image(self, image: str, command: str) -> str:
        return self.docker("run", "--rm", "--entrypoint=/bin/sh", image, "-c", command)


@pytest.fixture
def case(docker_env: dict[str, str], base_image: str, tmp_path: Path) -> Iterator[DockerCase]:  # noqa: F811
    prefix = f"localhost/kiln-t-{uuid.uuid4().hex[:10]}"
    base = f"{prefix}:base"
    podman(docker_env, "tag", base_image, base)
    c = DockerCase(docker_env, tmp_path, prefix, base)
    (tmp_path / ".home").mkdir()
    try:
        yield c
    finally:
        for cid in podman(docker_env, "ps", "-a", "--filter", f"ancestor={base}", "--format", "{{.ID}}",
                          check=False).stdout.decode().split():
            podman(docker_env, "rm", "-f", cid, check=False)
        out = podman(docker_env, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", check=False).stdout.decode()
        ids = {line.split()[1] for line in out.splitlines() if line.startswith(prefix) and len(line.split()) == 2}
        names = [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]
        for name in names:
            podman(docker_env, "rmi", "-f", name, check=False)
        base_id = podman(docker_env, "image", "inspect", "--format", "{{.Id}}", base_image,
                         check=False).stdout.decode().strip()
        for image_id in (ids | set(c.made)) - {base_id[:12], base_id}:
            podman(docker_env, "rmi", "-f", image_id, check=False)
