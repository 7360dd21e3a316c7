"""Fixtures for the docker plugin: real podman behind a ``docker`` wrapper, a real base image.

Every test gets its own alias of the base image (``localhost/kiln-t-XXXX:base``), so "which containers
did this build leave" is exact even with other tests running in parallel: containers are found by
their image. Images a test makes are named ``localhost/kiln-t-XXXX...`` and removed after it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
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
    tmp: str = ""

    def full_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # kiln's and Packer's local temp files (packer-shell*) stay in the test's own short temp dir (short:
        # plugin sockets live there, and a Unix socket path has at most 107 bytes)
        return {**os.environ, "HOME": str(self.cwd / ".home"), "CHECKPOINT_DISABLE": "1", "TMPDIR": self.tmp,
                **self.env, **(extra or {})}

    def write(self, text: str, name: str = "t.pkr.hcl") -> Path:
        path = self.cwd / name
        path.write_text(text.replace("BASE_IMAGE", self.base).replace("PREFIX", self.prefix))
        return path

    def kiln(self, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 180) -> Result:
        return self._run([*KILN, *args], self.full_env(extra_env), timeout)

    def _run(self, argv: list[str], env: dict[str, str], timeout: float) -> Result:
        """Output goes to files, not pipes: a container left running (-on-error=abort) keeps the pipes of
        whatever started it open, and waiting for their end would wait for the container."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.run(argv, cwd=self.cwd, stdout=out, stderr=err, env=env, timeout=timeout,
                               stdin=subprocess.DEVNULL)
            out.seek(0)
            err.seek(0)
            return self._result(p.returncode, out.read().decode(), err.read().decode())

    def _result(self, code: int, out: str, err: str) -> Result:
        self.made += re.findall(r"Image ID: ([0-9a-f]{12,64})", out)  # removed after the test
        return Result(code, out, err)

    def packer(self, *args: str, timeout: float = 180) -> Result:
        return self._run(["packer", *args], self.full_env({"PACKER_TMP_DIR": str(self.cwd / ".packer-tmp")}),
                         timeout)

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
    c = DockerCase(docker_env, tmp_path, prefix, base, tmp=tempfile.mkdtemp(prefix="kiln-t-"))
    (tmp_path / ".home").mkdir()
    try:
        yield c
    finally:
        for cid in podman(docker_env, "ps", "-a", "--filter", f"ancestor={base}", "--format", "{{.ID}}",
                          check=False).stdout.decode().split():
            podman(docker_env, "rm", "-f", "-t", "0", cid, check=False)  # podman's rm -f waits 10 s for SIGTERM
        out = podman(docker_env, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", check=False).stdout.decode()
        ids = {line.split()[1] for line in out.splitlines() if line.startswith(prefix) and len(line.split()) == 2}
        names = [line.split()[0] for line in out.splitlines() if line.startswith(prefix)]
        for name in names:
            podman(docker_env, "rmi", "-f", name, check=False)
        base_id = podman(docker_env, "image", "inspect", "--format", "{{.Id}}", base_image,
                         check=False).stdout.decode().strip()
        for image_id in (ids | set(c.made)) - {base_id[:12], base_id}:
            podman(docker_env, "rmi", "-f", image_id, check=False)
        shutil.rmtree(c.tmp, ignore_errors=True)
