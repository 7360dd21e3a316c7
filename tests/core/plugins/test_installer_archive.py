"""The installer's archive checks (zip-slip and hashes), on archives crafted member by member: every
refusal happens before anything is written outside the temporary folder, and names the member."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

import pytest
from kiln.plugins.installer import InstallError, unpack
from kiln_sdk import registry

WHEEL = b"PK\x05\x06" + b"\0" * 18  # an empty zip: the bytes only have to match their hash here


def _manifest(wheels: dict[str, bytes]) -> bytes:
    return registry.dumps(registry.Manifest(
        "example.com/example/hello", "0.1.0", "kiln-plugin-hello", "kiln-plugin-hello==0.1.0", "py3-none-any",
        [registry.Wheel(n, hashlib.sha256(d).hexdigest()) for n, d in wheels.items()]).document())


def _archive(path: Path, members: list[tuple[str, bytes, int]], manifest: bytes | None = None) -> Path:
    wheels = {n[len("wheels/"):]: d for n, d, _ in members if n.startswith("wheels/") and n.endswith(".whl")}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("kiln-archive.json", manifest if manifest is not None else _manifest(wheels))
        for name, data, mode in members:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


REGULAR = stat.S_IFREG | 0o644


def test_a_good_archive_unpacks_its_wheels(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "a.zip", [("wheels/x-1-py3-none-any.whl", WHEEL, REGULAR)])
    manifest = unpack(archive, tmp_path / "out", "hello 0.1.0")
    assert manifest.requirement == "kiln-plugin-hello==0.1.0"
    assert (tmp_path / "out" / "x-1-py3-none-any.whl").read_bytes() == WHEEL


@pytest.mark.parametrize(("name", "mode", "message"), [
    ("../evil.whl", REGULAR, "has a path outside its folder"),
    ("wheels/../../evil.whl", REGULAR, "has a path outside its folder"),
    ("/tmp/evil.whl", REGULAR, "has an absolute path"),
    ("wheels/link.whl", stat.S_IFLNK | 0o777, "is a symbolic link"),
    ("wheels/fifo.whl", stat.S_IFIFO | 0o644, "is not a regular file"),
    ("wheels/sub/", stat.S_IFDIR | 0o755, "is not a regular file"),
    ("wheels\\..\\evil.whl", REGULAR, "has a path outside its folder"),
    ("bin/evil", REGULAR, "is not kiln-archive.json or a wheel in wheels/"),
])
def test_zip_slip_members_are_refused(tmp_path: Path, name: str, mode: int, message: str) -> None:
    data = b"/etc/passwd" if stat.S_ISLNK(mode) else WHEEL
    archive = _archive(tmp_path / "a.zip", [("wheels/ok-1-py3-none-any.whl", WHEEL, REGULAR), (name, data, mode)])
    with pytest.raises(InstallError) as err:
        unpack(archive, tmp_path / "work" / "out", "hello 0.1.0")
    assert f"member {name!r} {message}" in str(err.value)
    assert not (tmp_path / "work").exists() and not (tmp_path / "evil.whl").exists()


def test_a_wheel_whose_hash_differs_from_the_manifest_is_refused(tmp_path: Path) -> None:
    manifest = _manifest({"x-1-py3-none-any.whl": b"something else"})
    archive = _archive(tmp_path / "a.zip", [("wheels/x-1-py3-none-any.whl", WHEEL, REGULAR)], manifest)
    with pytest.raises(InstallError, match="wheels/x-1-py3-none-any.whl has sha256 .* but kiln-archive.json says"):
        unpack(archive, tmp_path / "out", "hello 0.1.0")


def test_wheels_must_match_the_manifest_exactly(tmp_path: Path) -> None:
    manifest = _manifest({"x-1-py3-none-any.whl": WHEEL, "y-1-py3-none-any.whl": WHEEL})
    archive = _archive(tmp_path / "a.zip", [("wheels/x-1-py3-none-any.whl", WHEEL, REGULAR)], manifest)
    with pytest.raises(InstallError, match=r"not listed: none; missing: y-1-py3-none-any.whl"):
        unpack(archive, tmp_path / "out", "hello 0.1.0")


def test_not_a_zip_and_no_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(b"not a zip")
    with pytest.raises(InstallError, match="not a zip archive"):
        unpack(tmp_path / "a.zip", tmp_path / "out", "hello 0.1.0")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as zf:
        zf.writestr("wheels/x-1-py3-none-any.whl", WHEEL)
    with pytest.raises(InstallError, match="has no kiln-archive.json"):
        unpack(tmp_path / "b.zip", tmp_path / "out", "hello 0.1.0")
