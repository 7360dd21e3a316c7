"""docker-import, docker-save and docker-push end to end: the real kiln CLI, real podman, and for docker-push a
real image registry (Debian's ``docker-registry``, the CNCF distribution server) on 127.0.0.1 with htpasswd
authentication, so login, push and logout are the real calls. docker-push is also run with Packer 1.6.6
on the same registry and compared."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugins.docker.conftest import DockerCase
from tests.plugins.docker.test_differential import normalise

USER, PASSWORD = "kiln", "pw-9f2c61d0-never-printed"


@dataclass
class Registry:
    address: str  # 127.0.0.1:PORT
    env: dict[str, str]  # registries.conf marking it insecure (plain HTTP), a private auth file

    def tags(self, repository: str) -> list[str]:
        request = urllib.request.Request(f"http://{self.address}/v2/{repository}/tags/list")
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return sorted(json.load(response).get("tags") or [])
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return []
            raise


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    server = shutil.which("docker-registry")
    if server is None:
        pytest.fail("docker-registry is not installed: run `make deps` (apt-get install docker-registry)")
    import bcrypt  # paramiko's dependency

    root = tmp_path_factory.mktemp("registry")
    (root / "htpasswd").write_text(f"{USER}:{bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt()).decode()}\n")
    address = f"127.0.0.1:{_free_port()}"
    (root / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {root / 'data'}\nhttp:\n  addr: {address}\n"
        f"auth:\n  htpasswd:\n    realm: kiln-tests\n    path: {root / 'htpasswd'}\n")
    (root / "registries.conf").write_text(f'[[registry]]\nlocation = "{address}"\ninsecure = true\n')
    (root / "auth.json").write_text('{"auths": {}}')  # podman run refuses a REGISTRY_AUTH_FILE that is missing
    log = open(root / "registry.log", "wb")
    proc = subprocess.Popen([server, "serve", str(root / "config.yml")], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://{address}/v2/", timeout=2)
            except urllib.error.HTTPError as exc:
                if exc.code == 401:  # up, and asking for credentials
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"docker-registry did not start: {(root / 'registry.log').read_text()}")
                time.sleep(0.1)
        yield Registry(address, {"CONTAINERS_REGISTRIES_CONF": str(root / "registries.conf"),
                                 "REGISTRY_AUTH_FILE": str(root / "auth.json")})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


PUSH = """
variable "password" {
  type      = string
  sensitive = true
}
source "docker" "c" {
  image  = "BASE_IMAGE"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.c"]
  provisioner "shell" {
    inline = ["echo pushed > /pushed"]
  }
  post-processors {
    post-processor "docker-tag" {
      repository = "REGISTRY/REPO"
      tags       = ["1.0", "latest"]
    }
    post-processor "docker-push" {
      login          = true
      login_server   = "REGISTRY"
      login_username = "kiln"
      login_password = var.password
    }
  }
}
"""


def _push(case: DockerCase, registry: Registry, tool: str, repo: str) -> tuple[int, str, str]:
    work = case.cwd / tool
    work.mkdir()
    (work / ".home").mkdir()
    (work / "t.pkr.hcl").write_text(PUSH.replace("BASE_IMAGE", case.base).replace("REGISTRY", registry.address)
                                    .replace("REPO", repo))
    sub = DockerCase({**case.env, **registry.env}, work, case.prefix, case.base, case.made, case.tmp)
    args = ("build", "-color=false", f"-var=password={PASSWORD}", "t.pkr.hcl")
    r = sub.packer(*args) if tool == "packer" else sub.kiln(*args)
    for tag in ("1.0", "latest"):  # the local names docker-tag made (the case's own clean-up knows only PREFIX/...)
        case.docker("rmi", "-f", f"{registry.address}/{repo}:{tag}", check=False)
    return r.code, r.out, r.err


def test_docker_push_logs_in_pushes_every_tag_and_logs_out(case: DockerCase, registry: Registry) -> None:
    repo = f"{case.prefix.split('/')[-1]}/kiln"
    code, out, err = _push(case, registry, "kiln", repo)
    assert code == 0, out + err
    assert registry.tags(repo) == ["1.0", "latest"]
    said = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("    docker.c (docker-push): ")]
    pushed = [f"Pushing: {registry.address}/{repo}:{t}" for t in ("latest", "1.0", "latest")]  # as Packer: id, tags
    assert [s for s in said if s.startswith(("Log", "Push", "Removed"))] == [
        "Logging in...", "Login Succeeded!", *pushed, "Logging out...",
        f"Removed login credentials for {registry.address}"]
    assert PASSWORD not in out + err
    assert registry.address not in Path(registry.env["REGISTRY_AUTH_FILE"]).read_text()  # logged out


def test_docker_push_matches_packer(case: DockerCase, registry: Registry) -> None:
    name = case.prefix.split("/")[-1]
    results = {tool: _push(case, registry, tool, f"{name}/{tool}") for tool in ("packer", "kiln")}
    assert results["kiln"][0] == results["packer"][0] == 0, results
    assert registry.tags(f"{name}/kiln") == registry.tags(f"{name}/packer") == ["1.0", "latest"]

    def push_lines(tool: str) -> list[str]:
        lines = normalise(results[tool][1].replace(f"{name}/{tool}", "REPO"), "REPO", case.prefix)
        return [line for line in lines if "(docker-push)" in line or "docker-push" in line]

    assert push_lines("kiln") == push_lines("packer")
    for tool in results:
        assert PASSWORD not in results[tool][1] + results[tool][2]


def test_docker_push_with_a_wrong_password_fails_clearly(case: DockerCase, registry: Registry) -> None:
    repo = f"{case.prefix.split('/')[-1]}/wrong"
    case.write(PUSH.replace("REGISTRY", registry.address).replace("REPO", repo))
    r = case.kiln("build", "-color=false", "-var=password=not-the-password", "t.pkr.hcl",
                  extra_env=registry.env)
    for tag in ("1.0", "latest"):
        case.docker("rmi", "-f", f"{registry.address}/{repo}:{tag}", check=False)
    assert r.code == 1
    assert "Error logging in to Docker" in r.text
    assert "not-the-password" not in r.text
    assert registry.tags(repo) == []
    assert case.containers() == []


SAVE_AND_IMPORT = """
source "docker" "e" {
  image       = "BASE_IMAGE"
  pull        = false
  export_path = "out/export.tar"
}
source "docker" "c" {
  image  = "BASE_IMAGE"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.e", "source.docker.c"]
  provisioner "shell" {
    inline = ["echo ${source.name} > /made-by"]
  }
  post-processors {
    post-processor "docker-import" {
      only       = ["docker.e"]
      repository = "PREFIX/imported"
      tag        = "v1"
      changes    = ["ENV IMPORTED=yes", "WORKDIR /srv"]
    }
  }
  post-processors {
    post-processor "docker-tag" {
      only       = ["docker.c"]
      repository = "PREFIX/saved"
      tags       = ["v2"]
    }
    post-processor "docker-save" {
      only = ["docker.c"]
      path = "out/saved.tar"
    }
  }
}
"""


def test_docker_import_and_docker_save(case: DockerCase) -> None:
    case.write(SAVE_AND_IMPORT)
    (case.cwd / "out").mkdir()
    r = case.kiln("build", "-color=false", "t.pkr.hcl")
    assert r.code == 0, r.text
    # docker-import: the exported tar became an image with the changes applied
    assert f"{case.prefix}/imported:v1" in case.images()
    assert case.run_image(f"{case.prefix}/imported:v1", "cat /made-by") == "e\n"
    config = json.loads(case.docker("image", "inspect", f"{case.prefix}/imported:v1"))[0]["Config"]
    assert "IMPORTED=yes" in config["Env"] and config["WorkingDir"] == "/srv"
    # docker-save: the tagged image in a tar that docker load understands; no partial file left
    saved = case.cwd / "out" / "saved.tar"
    with tarfile.open(saved) as tf:
        manifest = json.load(tf.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest[0]["RepoTags"] == [f"{case.prefix}/saved:v2"]
    # docker-import does not keep its input (as Packer's): the exported tar is gone; no partial file left
    assert sorted(p.name for p in (case.cwd / "out").iterdir()) == ["saved.tar"]
    case.docker("rmi", "-f", f"{case.prefix}/saved:v2")
    loaded = case.docker("load", "-i", str(saved))
    assert f"{case.prefix}/saved:v2" in loaded
    assert case.run_image(f"{case.prefix}/saved:v2", "cat /made-by") == "c\n"
    assert case.containers() == []


SAVE_ONLY = """
source "docker" "c" {
  image  = "BASE_IMAGE"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.c"]
  post-processors {
    post-processor "docker-tag" {
      repository = "PREFIX/saved"
      tags       = ["v2"]
    }
    post-processor "docker-save" {
      path = "missing/saved.tar"
    }
  }
}
"""


def test_docker_save_into_a_missing_directory_fails_and_writes_nothing(case: DockerCase) -> None:
    case.write(SAVE_ONLY)
    r = case.kiln("build", "-color=false", "t.pkr.hcl")
    assert r.code == 1
    assert "Error creating output file" in r.text
    assert not (case.cwd / "missing").exists()
    assert case.containers() == []
