"""``kiln init`` and ``kiln plugins install|mirror`` end to end: the real ``kiln`` CLI installs a plugin that
``kiln-sdk publish`` made from a ``kiln-sdk new`` project, from a real HTTP server on 127.0.0.1, and
``kiln build`` runs it. Faults come from the server's handler or from altered copies of the registry;
after each: exit 1, a clear error, and the plugin directory exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from kiln_sdk import registry

from tests.registry_fixture import (
    SOURCE,
    VERSION,
    Registry,
    RegistryServer,
    make_key,
    publish,
    published_registry,
    scaffold,
    wait_for,
)

KILN = [sys.executable, "-m", "kiln"]
RELEASE = f"/{SOURCE}/{VERSION}/"

TEMPLATE = """
packer {
  required_plugins {
    hello = {
      source  = "example.com/example/hello"
      version = ">= 0.1"
    }
  }
}
"""


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return published_registry(tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def server(reg: Registry) -> Iterator[RegistryServer]:
    with RegistryServer(reg.root, slow_seconds=20) as s:
        yield s


@pytest.fixture(autouse=True)
def _clear_faults(server: RegistryServer) -> None:
    server.clear()


def project(folder: Path, reg: Registry) -> Path:
    """The scaffolded plugin's example template, with the requirement: all four components."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "build.pkr.hcl").write_text(TEMPLATE + (reg.project / "example" / "build.pkr.hcl").read_text())
    return folder


def env_for(tmp: Path, plugin_dir: Path, mirror: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KILN_", "PACKER_", "PYTEST_"))}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache"),
               KILN_PLUGIN_PATH=str(plugin_dir), **extra)
    if mirror:
        env["KILN_PLUGIN_MIRROR"] = mirror
    return env


def kiln(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KILN, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder``, a file's with its size and mtime: equal snapshots mean nothing changed
    (a folder's mtime is left out: a temporary sibling made and removed changes it, and no content)."""
    out: dict[str, tuple[int, int]] = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(folder))] = (0, 0) if p.is_dir() and not p.is_symlink() else (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def installed(reg: Registry, server: RegistryServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project folder, plugin dir) after one successful ``kiln init`` (the Done-when scenario)."""
    tmp = tmp_path_factory.mktemp("init")
    folder = project(tmp / "proj", reg)
    plugin_dir = tmp / "plugins"
    out = kiln(["init", "."], folder, env_for(tmp, plugin_dir, server.url))
    assert out.returncode == 0, out.stdout + out.stderr
    exe = plugin_dir / SOURCE / VERSION / "venv" / "bin" / "kiln-plugin-hello"
    assert f'Installed plugin {SOURCE} v{VERSION} in "{exe}"' in out.stdout
    return folder, plugin_dir


def test_init_installs_locks_and_build_runs_the_plugin(installed: tuple[Path, Path], reg: Registry,
                                                       tmp_path: Path) -> None:
    folder, plugin_dir = installed
    version_dir = plugin_dir / SOURCE / VERSION
    record = json.loads((version_dir / "kiln-install.json").read_text())
    sha = registry.sha256_file(reg.archive)
    assert record["source"] == SOURCE and record["version"] == VERSION and record["archive_sha256"] == sha
    assert record["hashes"] == [f"sha256:{sha}"] and record["executable"] == "venv/bin/kiln-plugin-hello"
    assert not [p for p in version_dir.parent.iterdir() if ".tmp-" in p.name]
    lock = (folder / ".kiln.lock.hcl").read_text()
    assert f'plugin "{SOURCE}"' in lock and f'version     = "{VERSION}"' in lock and f"sha256:{sha}" in lock
    out = kiln(["build", "-color=false", "."], folder, env_for(tmp_path, plugin_dir))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "==> hello-my-builder.example: Hello, world! (written to" in out.stdout
    assert "    hello-my-builder.example: provisioned by kiln" in out.stdout
    assert "(hello-my-post-processor): Wrote 2 checksum files" in out.stdout
    assert (folder / "output" / "greeting.txt").read_text() == "Hello, world!\n"
    # the plugin runs in its own environment: not kiln's interpreter
    first = (version_dir / "venv" / "bin" / "kiln-plugin-hello").read_text().splitlines()[0]
    assert first == f"#!{version_dir}/venv/bin/python", first


def test_init_again_changes_nothing(installed: tuple[Path, Path], server: RegistryServer, tmp_path: Path) -> None:
    folder, plugin_dir = installed
    before = snapshot(plugin_dir)
    server.fault("/", "500")  # nothing is fetched: the installed version satisfies the requirement
    out = kiln(["init", "."], folder, env_for(tmp_path, plugin_dir, server.url))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Installed plugin" not in out.stdout
    assert snapshot(plugin_dir) == before


def _fails_cleanly(out: subprocess.CompletedProcess[str], message: str) -> None:
    assert out.returncode == 1, out.stdout + out.stderr
    text = " ".join((out.stdout + out.stderr).split())
    assert f'Failed getting the "{SOURCE}" plugin:' in text
    assert message in text, text
    assert "Traceback" not in text


@pytest.mark.parametrize(("prefix", "kind", "message"), [
    (f"/{SOURCE}/index.json", "404", f"{SOURCE} 0.1.0 (locked in .kiln.lock.hcl) is not offered by http://127.0.0.1:"),
    (f"/{SOURCE}/index.json", "500", "server error 500 Internal Server Error: try again later"),
    (RELEASE + "SHA256SUMS", "500", "SHA256SUMS: server error 500"),
    (RELEASE + "kiln-plugin-hello_", "404", "404 Not Found: no such file on the mirror"),
    (RELEASE + "kiln-plugin-hello_", "slow", "no answer within 1s (KILN_PLUGIN_TIMEOUT)"),
    (RELEASE + "kiln-plugin-hello_", "truncated", "(truncated): try again"),
])
def test_server_faults_fail_init_and_leave_the_install_as_it_was(
        installed: tuple[Path, Path], server: RegistryServer, tmp_path: Path, prefix: str, kind: str,
        message: str) -> None:
    folder, plugin_dir = installed
    before = snapshot(plugin_dir)
    lock = (folder / ".kiln.lock.hcl").read_text()
    server.fault(prefix, kind)
    out = kiln(["init", "-force", "."], folder, env_for(tmp_path, plugin_dir, server.url, KILN_PLUGIN_TIMEOUT="1"))
    _fails_cleanly(out, message)
    assert snapshot(plugin_dir) == before
    assert (folder / ".kiln.lock.hcl").read_text() == lock


def _served_copy(reg: Registry, tmp: Path) -> Registry:
    return reg.copy(tmp / "registry")


def _resign(copy: Registry, archive_bytes: bytes, key: Path | None = None) -> None:
    """Replace the release's archive and sign the release again (as a publisher with the key would)."""
    release_dir = copy.release
    archive = copy.archive
    archive.write_bytes(archive_bytes)
    release = registry.parse_release((release_dir / "release.json").read_bytes(), "release.json")
    [entry] = release.archives.values()
    entry.sha256, entry.size = registry.sha256_file(archive), archive.stat().st_size
    (release_dir / "release.json").write_bytes(registry.dumps(release.document()))
    sums = registry.format_sums({"release.json": registry.sha256_file(release_dir / "release.json"),
                                 archive.name: entry.sha256})
    (release_dir / "SHA256SUMS").write_bytes(sums)
    signer = registry.SigningKey((key or copy.key).read_bytes(), "key")
    (release_dir / "SHA256SUMS.sig").write_bytes(signer.sign(sums))


def _run_against(copy: Registry, installed: tuple[Path, Path], tmp_path: Path, unlocked: bool = False,
                 **extra: str) -> subprocess.CompletedProcess[str]:
    """``kiln init -force`` of the installed project (``unlocked``: of a copy without its lock file) with
    the plugin dir of the installed fixture, from a server of ``copy``."""
    folder, plugin_dir = installed
    if unlocked:
        fresh = tmp_path / "unlocked"
        fresh.mkdir()
        shutil.copy(folder / "build.pkr.hcl", fresh)
        folder = fresh
    with RegistryServer(copy.root) as other:
        return kiln(["init", "-force", "."], folder, env_for(tmp_path, plugin_dir, other.url, **extra))


def test_a_tampered_archive_fails_init_and_leaves_the_plugin_dir_as_it_was(
        installed: tuple[Path, Path], reg: Registry, tmp_path: Path) -> None:
    copy = _served_copy(reg, tmp_path)
    data = bytearray(copy.archive.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte changed
    copy.archive.write_bytes(bytes(data))
    before = snapshot(installed[1])
    out = _run_against(copy, installed, tmp_path)
    _fails_cleanly(out, "but the signed SHA256SUMS says")
    assert "the archive was altered or damaged; kiln installs nothing" in out.stderr
    assert snapshot(installed[1]) == before
    # into a plugin dir that does not exist yet: it still does not
    fresh = project(tmp_path / "fresh", reg)
    with RegistryServer(copy.root) as other:
        out = kiln(["init", "."], fresh, env_for(tmp_path, tmp_path / "new-plugins", other.url))
    _fails_cleanly(out, "but the signed SHA256SUMS says")
    assert not (tmp_path / "new-plugins").exists()


def test_a_wrong_signature_fails_init(installed: tuple[Path, Path], reg: Registry, tmp_path: Path) -> None:
    copy = _served_copy(reg, tmp_path)
    make_key(tmp_path / "other.pem")
    _resign(copy, copy.archive.read_bytes(), key=tmp_path / "other.pem")
    before = snapshot(installed[1])
    out = _run_against(copy, installed, tmp_path)
    _fails_cleanly(out, "SHA256SUMS.sig: the signature does not verify with any key of")
    assert snapshot(installed[1]) == before


def test_a_release_signed_by_an_untrusted_key_is_refused_when_the_namespace_has_trusted_keys(
        installed: tuple[Path, Path], reg: Registry, tmp_path: Path) -> None:
    other = make_key(tmp_path / "other.pem")
    config = tmp_path / "kiln.hcl"
    config.write_text(f'trusted_key "example.com/example" {{\n  public_key = "{other}"\n}}\n')
    before = snapshot(installed[1])
    out = _run_against(reg, installed, tmp_path, KILN_CONFIG_FILE=str(config))
    _fails_cleanly(out, f"the signature does not verify with the trusted key(s) of example.com/example in {config}")
    assert snapshot(installed[1]) == before


def _with_member(archive: bytes, name: str, data: bytes, mode: int) -> bytes:
    import io

    buf = io.BytesIO(archive)
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        zf.writestr(info, data)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "mode", "message"), [
    ("../../../../evil.txt", b"owned", 0o100644, "has a path outside its folder"),
    ("/tmp/kiln-zip-slip-evil.txt", b"owned", 0o100644, "has an absolute path"),
    ("wheels/escape.whl", b"../../../../../etc", 0o120777, "is a symbolic link"),
])
def test_zip_slip_archives_are_refused_even_when_signed(installed: tuple[Path, Path], reg: Registry, tmp_path: Path,
                                                         name: str, data: bytes, mode: int, message: str) -> None:
    copy = _served_copy(reg, tmp_path)
    _resign(copy, _with_member(copy.archive.read_bytes(), name, data, mode))
    before = snapshot(installed[1])
    out = _run_against(copy, installed, tmp_path, unlocked=True)  # the lock file would refuse its new hash
    _fails_cleanly(out, f"member {name!r} {message}")
    assert "the archive is refused and nothing is installed" in out.stderr
    assert snapshot(installed[1]) == before
    assert not list(tmp_path.parent.rglob("evil.txt")) and not Path("/tmp/kiln-zip-slip-evil.txt").exists()


def test_the_lock_file_refuses_an_archive_with_another_hash(installed: tuple[Path, Path], reg: Registry,
                                                            tmp_path: Path) -> None:
    copy = _served_copy(reg, tmp_path)
    _resign(copy, _with_member(copy.archive.read_bytes(), "wheels/extra-1-py3-none-any.whl", b"x", 0o100644))
    before = snapshot(installed[1])
    out = _run_against(copy, installed, tmp_path)  # signed by the right key, but not what the lock file pins
    _fails_cleanly(out, "which .kiln.lock.hcl does not list")
    assert snapshot(installed[1]) == before


def test_sigkill_mid_install_leaves_the_previous_install_working(installed: tuple[Path, Path], server: RegistryServer,
                                                                 tmp_path: Path) -> None:
    folder, plugin_dir = installed
    parent = plugin_dir / SOURCE
    record = (parent / VERSION / "kiln-install.json").read_text()
    proc = subprocess.Popen([*KILN, "init", "-force", "."], cwd=folder, env=env_for(tmp_path, plugin_dir, server.url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        # the new environment is being built in a hidden sibling folder: kill kiln (and its uv) there
        assert wait_for(lambda: any((p / "venv").exists() for p in parent.glob(f".{VERSION}.tmp-*")), 120)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert (parent / VERSION / "kiln-install.json").read_text() == record
    shutil.rmtree(folder / "output", ignore_errors=True)  # the scaffold's builder wants a new folder
    out = kiln(["build", "-color=false", "."], folder, env_for(tmp_path, plugin_dir))
    assert out.returncode == 0 and "Hello, world!" in out.stdout, out.stdout + out.stderr
    # the next install removes what the killed one left
    again = kiln(["init", "-force", "."], folder, env_for(tmp_path, plugin_dir, server.url))
    assert again.returncode == 0, again.stdout + again.stderr
    assert not [p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_two_inits_at_once_install_once(reg: Registry, server: RegistryServer, tmp_path: Path) -> None:
    folder = project(tmp_path / "proj", reg)
    plugin_dir = tmp_path / "plugins"
    env = env_for(tmp_path, plugin_dir, server.url)
    procs = [subprocess.Popen([*KILN, "init", "."], cwd=folder, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sum("Installed plugin" in o for o, _ in outs) == 1, outs
    parent = plugin_dir / SOURCE
    assert sorted(p.name for p in parent.iterdir() if not p.name.startswith(".lock")) == [VERSION]
    assert (parent / VERSION / "kiln-install.json").is_file()
    assert "sha256:" in (folder / ".kiln.lock.hcl").read_text()


def test_without_a_mirror_init_says_there_is_no_public_registry(reg: Registry, tmp_path: Path) -> None:
    folder = project(tmp_path / "proj", reg)
    out = kiln(["init", "."], folder, env_for(tmp_path, tmp_path / "plugins"))
    _fails_cleanly(out, "kiln has no public plugin registry yet")
    assert "point KILN_PLUGIN_MIRROR at it" in out.stderr
    assert not (tmp_path / "plugins" / SOURCE).exists() or not any((tmp_path / "plugins" / SOURCE).glob("0*"))


AMAZON = """
packer {
  required_plugins {
    amazon = {
      version = "~> 1"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

source "amazon-ebs" "ubuntu" {
  ami_name      = "kiln-example-{{timestamp}}"
  instance_type = "t3.micro"
  region        = var.region
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/*ubuntu-jammy-22.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    most_recent = true
    owners      = ["099720109477"]
  }
  ssh_username = "ubuntu"
}

build {
  sources = ["source.amazon-ebs.ubuntu"]
  provisioner "shell" {
    inline = ["echo hello"]
  }
}
"""


def test_a_real_world_amazon_template_passes_init_offline(tmp_path: Path) -> None:
    folder = tmp_path / "aws"
    folder.mkdir()
    (folder / "aws.pkr.hcl").write_text(AMAZON)
    out = kiln(["init", "."], folder, env_for(tmp_path, tmp_path / "plugins"))  # no mirror: nothing to fetch
    assert out.returncode == 0, out.stdout + out.stderr
    assert "github.com/hashicorp/amazon ~> 1 is satisfied by the bundled plugin" in out.stdout
    assert not (tmp_path / "plugins").exists()


def test_mirror_then_install_from_a_filesystem_mirror(installed: tuple[Path, Path], server: RegistryServer,
                                                      reg: Registry, tmp_path: Path) -> None:
    folder, _ = installed
    mirror = tmp_path / "mirror"
    out = kiln(["plugins", "mirror", str(mirror), "."], folder, env_for(tmp_path, tmp_path / "unused", server.url))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"- Mirroring {SOURCE}..." in out.stdout and f"Selected v{VERSION}" in out.stdout
    for name in ("release.json", "SHA256SUMS", "SHA256SUMS.sig", reg.archive.name):
        assert (mirror / SOURCE / VERSION / name).read_bytes() == (reg.release / name).read_bytes()
    assert registry.parse_index((mirror / SOURCE / "index.json").read_bytes(), "index") == [VERSION]
    config = tmp_path / "kiln.hcl"
    config.write_text(f'plugin_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n'
                      f'    include = ["example.com/*/*"]\n  }}\n}}\n'
                      f'trusted_key "example.com/example" {{\n  public_key = "{reg.public_key}"\n}}\n')
    plugin_dir = tmp_path / "plugins"
    out = kiln(["plugins", "install", SOURCE, ">= 0.1"], tmp_path,
               env_for(tmp_path, plugin_dir, KILN_CONFIG_FILE=str(config)))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Installed plugin {SOURCE} v{VERSION} in" in out.stdout and "Warning" not in out.stdout
    exe = plugin_dir / SOURCE / VERSION / "venv" / "bin" / "kiln-plugin-hello"
    described = subprocess.run([str(exe), "describe"], capture_output=True, text=True, timeout=60)
    assert described.returncode == 0 and "my-builder" in described.stdout
    shutil.rmtree(mirror / SOURCE / VERSION)  # installed: nothing is fetched again
    again = kiln(["plugins", "install", SOURCE], tmp_path, env_for(tmp_path, plugin_dir, KILN_CONFIG_FILE=str(config)))
    assert again.returncode == 0 and "Installed plugin" not in again.stdout, again.stdout + again.stderr


@pytest.mark.parametrize(("args", "message"), [
    ([], "Invalid arguments, expected either 1 or 2 positional arguments, got 0"),
    (["example.com/example/hello", ">= 1-beta"], 'Unsupported prerelease for constraint ">= 1-beta"'),
    (["example.com/example/hello", "wat"], "Malformed constraint: wat"),
    (["-path", "x.zip", "example.com/example/hello", ">= 1"], "a version cannot be specified when using --path"),
    (["-nope", "example.com/example/hello"], "Failed to parse options: flag provided but not defined: -nope"),
])
def test_plugins_install_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    out = kiln(["plugins", "install", *args], tmp_path, env_for(tmp_path, tmp_path / "plugins"))
    assert out.returncode == 1 and message in out.stdout + out.stderr, out.stdout + out.stderr


def test_upgrade_installs_the_newest_allowed_version_and_updates_the_lock(reg: Registry, server: RegistryServer,
                                                                         tmp_path: Path) -> None:
    folder = project(tmp_path / "proj", reg)
    plugin_dir = tmp_path / "plugins"
    assert kiln(["init", "."], folder, env_for(tmp_path, plugin_dir, server.url)).returncode == 0
    copy = reg.copy(tmp_path / "registry")
    newer = scaffold("hello", tmp_path / "hello-0.2.0", version="0.2.0")
    published = publish(newer, copy.root, SOURCE, copy.key, copy.home)
    assert published.returncode == 0, published.stdout + published.stderr
    assert registry.parse_index((copy.root / SOURCE / "index.json").read_bytes(), "index") == ["0.1.0", "0.2.0"]
    with RegistryServer(copy.root) as both:
        env = env_for(tmp_path, plugin_dir, both.url)
        kept = kiln(["init", "."], folder, env)  # 0.1.0 is installed and allowed: nothing to do
        assert kept.returncode == 0 and "Installed plugin" not in kept.stdout, kept.stdout + kept.stderr
        up = kiln(["init", "-upgrade", "."], folder, env)
    assert up.returncode == 0, up.stdout + up.stderr
    assert f"Installed plugin {SOURCE} v0.2.0 in" in up.stdout
    lock = (folder / ".kiln.lock.hcl").read_text()
    assert 'version     = "0.2.0"' in lock and "0.1.0" not in lock
    assert (plugin_dir / SOURCE / "0.1.0" / "kiln-install.json").is_file()  # init never deletes anything
    assert (plugin_dir / SOURCE / "0.2.0" / "kiln-install.json").is_file()


def test_plugins_install_path_installs_a_local_archive(reg: Registry, tmp_path: Path) -> None:
    plugin_dir = tmp_path / "plugins"
    env = env_for(tmp_path, plugin_dir)  # no mirror at all: the archive is the whole plugin
    wrong = kiln(["plugins", "install", "-path", str(reg.archive), "example.com/example/other"], tmp_path, env)
    assert wrong.returncode == 1 and f"the archive holds {SOURCE}, not example.com/example/other" in wrong.stderr
    out = kiln(["plugins", "install", "-path", str(reg.archive), SOURCE], tmp_path, env)
    assert out.returncode == 0, out.stdout + out.stderr
    exe = plugin_dir / SOURCE / VERSION / "venv" / "bin" / "kiln-plugin-hello"
    assert f'Installed plugin {SOURCE} v{VERSION} in "{exe}"' in out.stdout
    record = json.loads((exe.parents[2] / "kiln-install.json").read_text())
    assert record["archive_sha256"] == registry.sha256_file(reg.archive)
