"""The kiln plugin registry format, version 1: what ``kiln-sdk publish`` writes and ``kiln init`` reads.

A registry (or a mirror: the layout is the same) is a folder of static files, served as it is by any web
server or read through ``file://``::

    kiln-registry.json                    {"kiln_registry": 1}
    HOST/NS/keys.json                     the namespace's signing keys (public halves)
    HOST/NS/NAME/index.json               the versions list
    HOST/NS/NAME/VERSION/release.json     the archives of one version, by tag, with sha256 and size
    HOST/NS/NAME/VERSION/SHA256SUMS       "<sha256>  <file>" for release.json and every archive
    HOST/NS/NAME/VERSION/SHA256SUMS.sig   base64 ed25519 signature of SHA256SUMS
    HOST/NS/NAME/VERSION/kiln-plugin-NAME_VERSION_TAG.zip

An archive is self-contained: ``kiln-archive.json`` (what it installs, and the sha256 of every wheel) and
``wheels/*.whl`` (the plugin's wheel and every dependency's), so installing needs no package index.
docs/registry.md is the reference. This module is shared by both sides (the SDK's publish, the core's
installer) so that they can never disagree; it imports ``cryptography`` only when keys are used.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
MARKER = "kiln-registry.json"
INDEX = "index.json"
RELEASE = "release.json"
SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
KEYS = "keys.json"
MANIFEST = "kiln-archive.json"
WHEELS = "wheels/"
PURE_TAG = "py3-none-any"
EXECUTABLE_PREFIX = "kiln-plugin-"

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]+)?$")
_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*([-+.]?[0-9A-Za-z.+-]*)?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


class RegistryFormatError(Exception):
    """A registry document that is not what format version 1 says (``where``: its path or URL)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass(frozen=True)
class Source:
    """A plugin's source address ``HOST/NAMESPACE/NAME`` (``example.com/example/hello``)."""

    host: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.host}/{self.namespace}/{self.name}"

    @property
    def path(self) -> str:
        """The plugin's folder in a registry, relative to its root."""
        return str(self)

    @property
    def namespace_path(self) -> str:
        return f"{self.host}/{self.namespace}"

    @property
    def executable(self) -> str:
        return EXECUTABLE_PREFIX + self.name


def parse_source(text: str) -> Source:
    """``HOST/NAMESPACE/NAME`` (lower case); ValueError says what is wrong."""
    parts = text.split("/")
    if len(parts) != 3:
        raise ValueError(f"{text!r} is not a plugin source: write HOST/NAMESPACE/NAME, e.g. example.com/example/hello")
    host, namespace, name = parts
    if not _HOST.match(host):
        raise ValueError(f"{text!r}: {host!r} is not a host name (lower case letters, digits, dots and dashes)")
    for what, label in (("namespace", namespace), ("name", name)):
        if not _LABEL.match(label):
            raise ValueError(f"{text!r}: the {what} {label!r} must be lower case letters, digits and dashes")
    return Source(host, namespace, name)


def release_dir(source: Source, version: str) -> str:
    return f"{source.path}/{version}"


def archive_name(source: Source, version: str, tag: str) -> str:
    return f"{source.executable}_{version}_{tag}.zip"


def interpreter_tag() -> str:
    """The tag of archives built for this interpreter and platform: ``cp311-linux_x86_64``."""
    impl = {"cpython": "cp", "pypy": "pp"}.get(sys.implementation.name, sys.implementation.name)
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}{sys.version_info.major}{sys.version_info.minor}-{platform}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dumps(document: dict[str, Any]) -> bytes:
    """A registry document as written: sorted keys, two-space indent, final newline."""
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


# -- documents ---------------------------------------------------------------------------------------


@dataclass
class Archive:
    tag: str
    filename: str
    sha256: str
    size: int


@dataclass
class Release:
    source: str
    version: str
    archives: dict[str, Archive] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "source": self.source, "version": self.version,
                "archives": {tag: {"filename": a.filename, "sha256": a.sha256, "size": a.size}
                             for tag, a in sorted(self.archives.items())}}

    def pick(self, tag: str) -> Archive | None:
        """The archive for an interpreter of ``tag``: its own, else the pure-Python one."""
        return self.archives.get(tag) or self.archives.get(PURE_TAG)


@dataclass
class Wheel:
    filename: str
    sha256: str


@dataclass
class Manifest:
    """``kiln-archive.json``: what an archive installs."""

    source: str
    version: str
    executable: str
    requirement: str  # what pip installs from the wheels: "kiln-plugin-hello==0.1.0"
    tag: str
    wheels: list[Wheel] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "source": self.source, "version": self.version,
                "executable": self.executable, "requirement": self.requirement, "tag": self.tag,
                "wheels": [{"filename": w.filename, "sha256": w.sha256} for w in self.wheels]}


def load_json(data: bytes, where: str) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RegistryFormatError(where, f"not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        raise RegistryFormatError(where, "not a JSON object")
    version = document.get("format_version", document.get("kiln_registry"))
    if version != FORMAT_VERSION:
        raise RegistryFormatError(where, f"format version {version!r} is not {FORMAT_VERSION}, the one this kiln "
                                         "reads: upgrade kiln, or publish with a kiln-sdk of the same version")
    return document


def _field(document: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = document.get(key)
    if not isinstance(value, kind):
        raise RegistryFormatError(where, f"{key!r} must be a {kind.__name__}")
    return value


def _filename(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _FILENAME.match(value) or value in (".", ".."):
        raise RegistryFormatError(where, f"{value!r} is not a plain file name")
    return value


def _sha(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise RegistryFormatError(where, f"{value!r} is not a sha256 hash (64 lower-case hex digits)")
    return value


def parse_index(data: bytes, where: str) -> list[str]:
    """``index.json``: ``{"format_version": 1, "source": ..., "versions": {"0.1.0": {}, ...}}`` -> versions."""
    document = load_json(data, where)
    versions = _field(document, "versions", dict, where)
    for version in versions:
        if not _VERSION.match(version):
            raise RegistryFormatError(where, f"{version!r} is not a version")
    return list(versions)


def index_document(source: Source, versions: list[str]) -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, "source": str(source), "versions": {v: {} for v in versions}}


def parse_release(data: bytes, where: str) -> Release:
    document = load_json(data, where)
    release = Release(_field(document, "source", str, where), _field(document, "version", str, where))
    for tag, entry in _field(document, "archives", dict, where).items():
        if not isinstance(entry, dict):
            raise RegistryFormatError(where, f"archive {tag!r} must be an object")
        size = entry.get("size")
        if not isinstance(size, int) or size < 0:
            raise RegistryFormatError(where, f"archive {tag!r}: 'size' must be a number of bytes")
        release.archives[tag] = Archive(tag, _filename(entry.get("filename"), where), _sha(entry.get("sha256"), where),
                                        size)
    return release


def parse_manifest(data: bytes, where: str) -> Manifest:
    document = load_json(data, where)
    manifest = Manifest(*(_field(document, key, str, where)
                          for key in ("source", "version", "executable", "requirement", "tag")))
    if not manifest.executable.startswith(EXECUTABLE_PREFIX) or "/" in manifest.executable:
        raise RegistryFormatError(where, f"executable {manifest.executable!r} is not a kiln-plugin-NAME name")
    for entry in _field(document, "wheels", list, where):
        if not isinstance(entry, dict):
            raise RegistryFormatError(where, "each wheel must be an object")
        filename = _filename(entry.get("filename"), where)
        if not filename.endswith(".whl"):
            raise RegistryFormatError(where, f"{filename!r} is not a wheel")
        manifest.wheels.append(Wheel(filename, _sha(entry.get("sha256"), where)))
    if not manifest.wheels:
        raise RegistryFormatError(where, "the archive lists no wheel")
    return manifest


def format_sums(hashes: dict[str, str]) -> bytes:
    """``SHA256SUMS``: one ``<sha256>  <file name>`` line per file, sorted by name (sha256sum's format)."""
    return "".join(f"{sha}  {name}\n" for name, sha in sorted(hashes.items())).encode()


def parse_sums(data: bytes, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise RegistryFormatError(where, "not a SHA256SUMS file (not ASCII)") from None
    for number, line in enumerate(text.splitlines(), 1):
        sha, sep, name = line.partition("  ")
        if not sep:
            raise RegistryFormatError(f"{where}:{number}", "expected '<sha256>  <file name>'")
        out[_filename(name.lstrip("*"), f"{where}:{number}")] = _sha(sha, f"{where}:{number}")
    return out


# -- keys and signatures (ed25519) -----------------------------------------------------------------------

KEY_PREFIX = "ed25519:"


def key_id(public_key: str) -> str:
    """A short name for a public key (``ed25519:BASE64``): the first 16 hex digits of its sha256."""
    return hashlib.sha256(public_key.encode()).hexdigest()[:16]


def _raw_public(public_key: str) -> bytes:
    if not public_key.startswith(KEY_PREFIX):
        raise ValueError(f"{public_key[:40]!r} is not an ed25519 public key: write ed25519:BASE64")
    try:
        raw = base64.b64decode(public_key[len(KEY_PREFIX):], validate=True)
    except ValueError:
        raise ValueError(f"{public_key[:40]!r}: the key is not valid base64") from None
    if len(raw) != 32:
        raise ValueError(f"{public_key[:40]!r}: an ed25519 public key has 32 bytes, not {len(raw)}")
    return raw


def check_public_key(public_key: str) -> str:
    """``public_key`` if it is well formed; ValueError otherwise."""
    _raw_public(public_key)
    return public_key


def generate_private_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


class SigningKey:
    """An ed25519 private key read from a PEM (PKCS#8) or OpenSSH private key file."""

    def __init__(self, data: bytes, where: str) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        try:
            if b"OPENSSH PRIVATE KEY" in data:
                key: Any = serialization.load_ssh_private_key(data, password=None)
            else:
                key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{where}: not an unencrypted ed25519 private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{where}: the key is not an ed25519 key (kiln signs with ed25519 only)")
        self._key = key

    @property
    def public_key(self) -> str:
        from cryptography.hazmat.primitives import serialization

        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return KEY_PREFIX + base64.b64encode(raw).decode()

    def sign(self, data: bytes) -> bytes:
        """The ``SHA256SUMS.sig`` content for ``data``: base64 of the raw signature, and a newline."""
        return base64.b64encode(self._key.sign(data)) + b"\n"


def verify(public_key: str, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (a ``SHA256SUMS.sig``'s content) is ``public_key``'s signature of ``data``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw_signature = base64.b64decode(signature.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(_raw_public(public_key)).verify(raw_signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_keys(data: bytes, where: str) -> list[str]:
    """``keys.json``: ``{"format_version": 1, "namespace": "HOST/NS", "keys": [{"id": ..., "public_key": ...}]}``."""
    document = load_json(data, where)
    keys: list[str] = []
    for entry in _field(document, "keys", list, where):
        public = entry.get("public_key") if isinstance(entry, dict) else None
        try:
            keys.append(check_public_key(public if isinstance(public, str) else ""))
        except ValueError as exc:
            raise RegistryFormatError(where, str(exc)) from None
    return keys


def keys_document(namespace: str, keys: list[str]) -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, "namespace": namespace,
            "keys": [{"id": key_id(k), "public_key": k} for k in keys]}
