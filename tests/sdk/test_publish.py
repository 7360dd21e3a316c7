"""``kiln-sdk publish``: a plugin project scaffolded by ``kiln-sdk new`` becomes a signed, self-contained
release in a registry folder (format version 1, kiln_sdk.registry), and what it refuses."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from kiln_sdk import registry

from tests.registry_fixture import (
    KILN_SDK,
    SOURCE,
    VERSION,
    Registry,
    make_key,
    publish,
    published_registry,
    run,
)


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return published_registry(tmp_path_factory.mktemp("published"))


def test_publish_writes_the_registry_layout(reg: Registry) -> None:
    root = reg.root
    assert json.loads((root / "kiln-registry.json").read_text()) == {"kiln_registry": 1}
    assert registry.parse_index((root / SOURCE / "index.json").read_bytes(), "index.json") == [VERSION]
    assert registry.parse_keys((root / "example.com/example/keys.json").read_bytes(), "keys.json") == [reg.public_key]
    release = registry.parse_release((reg.release / "release.json").read_bytes(), "release.json")
    assert release.source == SOURCE and release.version == VERSION
    [archive] = release.archives.values()
    assert archive.tag == registry.interpreter_tag()  # grpcio and cryptography are binary wheels
    assert archive.filename == f"kiln-plugin-hello_{VERSION}_{archive.tag}.zip"
    path = reg.release / archive.filename
    assert registry.sha256_file(path) == archive.sha256 and path.stat().st_size == archive.size
    assert not [p for p in reg.root.rglob("*") if ".tmp-" in p.name or ".old-" in p.name]
    assert f"Published {SOURCE} {VERSION} in " in reg.publish_output
    assert f'trusted_key "example.com/example" {{\n      public_key = "{reg.public_key}"' in reg.publish_output


def test_the_sums_are_signed_and_cover_the_release(reg: Registry) -> None:
    sums = (reg.release / "SHA256SUMS").read_bytes()
    listed = registry.parse_sums(sums, "SHA256SUMS")
    assert set(listed) == {"release.json", reg.archive.name}
    for name, sha in listed.items():
        assert registry.sha256_file(reg.release / name) == sha
    signature = (reg.release / "SHA256SUMS.sig").read_bytes()
    assert registry.verify(reg.public_key, sums, signature)
    assert not registry.verify(reg.public_key, sums.replace(b"release", b"releasf"), signature)
    other = make_key(reg.root.parent / "other.pem")
    assert not registry.verify(other, sums, signature)


def test_the_archive_is_self_contained(reg: Registry, tmp_path: Path) -> None:
    with zipfile.ZipFile(reg.archive) as zf:
        manifest = registry.parse_manifest(zf.read("kiln-archive.json"), "kiln-archive.json")
        names = set(zf.namelist())
        assert names == {"kiln-archive.json", *(f"wheels/{w.filename}" for w in manifest.wheels)}
        zf.extractall(tmp_path / "x")
    assert manifest.source == SOURCE and manifest.version == VERSION
    assert manifest.executable == "kiln-plugin-hello" and manifest.requirement == "kiln-plugin-hello==0.1.0"
    wheels = {w.filename.split("-")[0].lower() for w in manifest.wheels}
    assert {"kiln_plugin_hello", "kiln_sdk", "grpcio", "protobuf", "paramiko", "cryptography"} <= wheels
    for w in manifest.wheels:
        assert registry.sha256_file(tmp_path / "x" / "wheels" / w.filename) == w.sha256
    # pip installs it with no index at all, into an environment that sees nothing of this one
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    out = run([sys.executable, "-m", "pip", "--isolated", "--python", str(venv / "bin" / "python"), "install", "-q",
               "--no-index", "--find-links", str(tmp_path / "x" / "wheels"), manifest.requirement])
    assert out.returncode == 0, out.stdout + out.stderr
    described = subprocess.run([str(venv / "bin" / "kiln-plugin-hello"), "describe"], capture_output=True, text=True,
                               timeout=120)
    assert described.returncode == 0, described.stderr
    assert json.loads(described.stdout)["builders"] == ["my-builder"]


def test_a_published_version_is_not_published_again(reg: Registry) -> None:
    before = registry.sha256_file(reg.archive)
    out = publish(reg.project, reg.root, SOURCE, reg.key, reg.home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"{SOURCE} {VERSION} is already published in {reg.root}" in out.stderr
    assert "bump the version in pyproject.toml, or pass --force" in out.stderr and "Traceback" not in out.stderr
    assert registry.sha256_file(reg.archive) == before


def test_the_project_must_provide_the_sources_plugin(reg: Registry, tmp_path: Path) -> None:
    out = publish(reg.project, tmp_path / "r", "example.com/example/other", reg.key, reg.home)
    assert out.returncode == 1
    assert ("the source example.com/example/other names the plugin 'other', so the project must declare the "
            "console script kiln-plugin-other in [project.scripts] (found: kiln-plugin-hello)") in out.stderr
    assert not (tmp_path / "r" / "example.com/example/other").exists()


@pytest.mark.parametrize(("source", "message"), [
    ("hello", "is not a plugin source: write HOST/NAMESPACE/NAME"),
    ("example.com/Example/hello", "the namespace 'Example' must be lower case letters, digits and dashes"),
    ("example.com/example/hello/x", "is not a plugin source"),
])
def test_a_bad_source_is_refused(source: str, message: str, tmp_path: Path) -> None:
    out = run([*KILN_SDK, "publish", str(tmp_path), "--registry", str(tmp_path / "r"), "--source", source])
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr


def test_a_folder_without_a_project_and_a_bad_key_are_clear_errors(reg: Registry, tmp_path: Path) -> None:
    out = run([*KILN_SDK, "publish", str(tmp_path), "--registry", str(tmp_path / "r"), "--source", SOURCE])
    assert out.returncode == 1 and "has no pyproject.toml: publish a plugin project" in out.stderr
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    out = publish(reg.project, tmp_path / "r", "example.com/example/hello2", bad, reg.home)
    assert out.returncode == 1 and f"{bad}: not an unencrypted ed25519 private key" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "r").exists()


def test_the_self_containment_check_finds_a_missing_wheel(reg: Registry, tmp_path: Path) -> None:
    from kiln_sdk._cli import wheels

    with zipfile.ZipFile(reg.archive) as zf:
        for name in zf.namelist():
            if name.startswith("wheels/") and not name.startswith("wheels/protobuf-"):
                (tmp_path / Path(name).name).write_bytes(zf.read(name))
    with pytest.raises(wheels.WheelError) as err:
        wheels.check_complete("kiln-plugin-hello==0.1.0", tmp_path)
    assert "resolving kiln-plugin-hello==0.1.0 from its archive's wheels alone" in str(err.value)
    assert "protobuf" in str(err.value)


def test_a_second_publish_reuses_the_repacked_wheels(reg: Registry, tmp_path: Path) -> None:
    from kiln_sdk._cli import wheels

    home_cache = reg.home / ".cache" / "kiln-sdk" / "wheels"
    cached = sorted(p.name for p in home_cache.glob("*/*.whl"))
    assert any(n.startswith("grpcio-") for n in cached) and any(n.startswith("paramiko-") for n in cached)
    from importlib import metadata

    one = wheels.repack(metadata.distribution("invoke"), tmp_path)
    (tmp_path / "again").mkdir()
    two = wheels.repack(metadata.distribution("invoke"), tmp_path / "again")
    assert one.read_bytes() == two.read_bytes()  # the same installed files give the same bytes
