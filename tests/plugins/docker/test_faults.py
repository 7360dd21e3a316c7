"""Bad input and faults: a clear error, exit status 1, and no container started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.plugins.docker.conftest import DockerCase

ONE = """
source "docker" "b" {
  image = "BASE_IMAGE"
  pull  = false
SETTINGS
}
build {
  sources = ["source.docker.b"]
  provisioner "shell" {
    inline = ["echo provisioned"]
  }
}
"""


def _build(case: DockerCase, settings: str, extra_env: dict[str, str] | None = None) -> str:
    case.write(ONE.replace("SETTINGS", settings))
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=extra_env)
    assert r.code == 1, r.text
    assert "Starting docker container" not in r.out
    assert "provisioned" not in r.out
    assert "Traceback" not in r.text
    assert case.containers() == []
    return r.text


@pytest.mark.parametrize(("settings", "expected"), [
    ('  commit = true\n  discard = true',
     ["Error: Cannot specify more than one of commit, discard, and export_path", "t.pkr.hcl line 6",
      "Both commit and discard are set; keep exactly one."]),
    ('  commit = true\n  export_path = "x.tar"',
     ["Error: Cannot specify more than one of commit, discard, and export_path", "t.pkr.hcl line 6"]),
    ("",
     ["Error: No instructions given for handling the artifact; expected commit, discard, or export_path"]),
    ('  commit = true\n  changes = ["ENV A=1", "RUN apt-get update"]',
     ["Error: Invalid change 'RUN apt-get update': \"RUN\" is not an instruction docker applies on commit or import",
      "t.pkr.hcl line 6", "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,"]),
    ('  export_path = "missing/dir/out.tar"',
     ["Error: export_path's directory does not exist: ", "missing/dir", "t.pkr.hcl line 5"]),
    ('  discard = true\n  windows_container = true',
     ["Error: windows_container is not supported on this host", "t.pkr.hcl line 6"]),
    ('  discard = true\n  communicator = "winrm"',
     ["communicator \"winrm\" is not supported by kiln's docker builder", "t.pkr.hcl line 6"]),
])
def test_bad_settings_are_errors_before_anything_runs(case: DockerCase, settings: str, expected: list[str]) -> None:
    text = _build(case, settings)
    for part in expected:
        assert part in text


def test_no_docker_command(case: DockerCase, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    text = _build(case, "  discard = true", {"PATH": str(empty)})
    assert "Build 'docker.b' errored after" in text
    assert 'exec: "docker": executable file not found in $PATH' in text
    assert "Creating a temporary directory" not in text


def test_daemon_not_answering(case: DockerCase, tmp_path: Path) -> None:
    """A real podman client whose service is not there (podman --remote to a socket nobody serves)."""
    bindir = tmp_path / "remote-bin"
    bindir.mkdir()
    wrapper = bindir / "docker"
    wrapper.write_text(f"#!/bin/sh\nexec {shutil.which('podman')} --remote --url unix://{tmp_path}/nobody.sock \"$@\"\n")
    wrapper.chmod(0o755)
    text = _build(case, "  discard = true", {"PATH": f"{bindir}:/usr/bin:/bin"})
    assert "The docker daemon is not answering (docker version failed)" in text
    assert "nobody.sock" in text
    assert "Start the Docker daemon" in text
