"""The registry reader over a real HTTP server on 127.0.0.1 and over file://: what each failure says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kiln.plugins.fetch import FetchError, Reader

from tests.registry_fixture import RegistryServer


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[Path, RegistryServer]]:
    root = tmp_path / "root"
    root.mkdir()
    (root / "doc.json").write_bytes(b'{"a": 1}' * 100)
    with RegistryServer(root, slow_seconds=10) as server:
        yield root, server


def test_get_and_download(served: tuple[Path, RegistryServer], tmp_path: Path) -> None:
    root, server = served
    reader = Reader(server.url, {})
    assert reader.get("doc.json") == (root / "doc.json").read_bytes()
    reader.download("doc.json", tmp_path / "copy", 800)
    assert (tmp_path / "copy").read_bytes() == (root / "doc.json").read_bytes()


@pytest.mark.parametrize(("kind", "message", "not_found"), [
    ("404", "404 Not Found: no such file on the mirror", True),
    ("500", "server error 500 Internal Server Error: try again later", False),
    ("slow", "no answer within 1s (KILN_PLUGIN_TIMEOUT)", False),
    ("truncated", "the download stopped after 400 of 800 bytes (truncated)", False),
])
def test_http_faults(served: tuple[Path, RegistryServer], kind: str, message: str, not_found: bool) -> None:
    _, server = served
    server.fault("/doc.json", kind)
    with pytest.raises(FetchError) as err:
        Reader(server.url, {"KILN_PLUGIN_TIMEOUT": "1"}).get("doc.json")
    assert str(err.value).startswith(f"{server.url}doc.json: ") and message in str(err.value)
    assert err.value.not_found is not_found


def test_size_limits(served: tuple[Path, RegistryServer], tmp_path: Path) -> None:
    _, server = served
    reader = Reader(server.url, {})
    with pytest.raises(FetchError, match="the server announces 800 bytes; at most 100 are expected"):
        reader.get("doc.json", limit=100)
    with pytest.raises(FetchError, match="the server announces 800 bytes; at most 700 are expected"):
        reader.download("doc.json", tmp_path / "x", 700)


def test_nothing_listening(tmp_path: Path) -> None:
    with RegistryServer(tmp_path) as server:
        url = server.url
    with pytest.raises(FetchError, match="cannot connect: .*Connection refused"):
        Reader(url, {}).get("x")


def test_file_urls(tmp_path: Path) -> None:
    (tmp_path / "a b.json").write_bytes(b"{}")
    reader = Reader(f"file://{tmp_path}/", {})
    assert reader.get("a%20b.json") == b"{}"
    with pytest.raises(FetchError) as err:
        reader.get("missing.json")
    assert err.value.not_found and "no such file in the mirror" in str(err.value)
    with pytest.raises(FetchError, match="2 bytes, but the release says 3 \\(truncated or replaced\\)"):
        reader.download("a%20b.json", tmp_path / "out", 3)


def test_a_bad_ca_bundle_is_named(served: tuple[Path, RegistryServer], tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate")
    reader = Reader("https://127.0.0.1:1/", {"SSL_CERT_FILE": str(tmp_path / "ca.pem")})
    with pytest.raises(FetchError, match="the CA bundle named by SSL_CERT_FILE cannot be read"):
        reader.get("x")
