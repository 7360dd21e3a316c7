"""Finding a plugin's versions and fetching a verified release from the installation methods.

For one source, the methods of kiln's config that serve it are asked in order; the versions on offer are
the union of theirs, and a version is fetched from the first method that has it (Terraform's model).
A release is trusted only after:

1. ``SHA256SUMS.sig`` verifies ``SHA256SUMS`` with a key trusted for the namespace: a ``trusted_key`` of
   kiln's config when it has any for this namespace (then only those), else a key the mirror publishes in
   the namespace's ``keys.json`` (trust on first use, said in a warning; the lock file then pins hashes);
2. ``release.json`` has the sha256 that ``SHA256SUMS`` gives it;
3. the archive has the size and the sha256 that both give it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiln_sdk import registry

from kiln.plugins.config import CliConfig, Method
from kiln.plugins.fetch import FetchError, Reader


class SourceError(Exception):
    """Why a plugin could not be found or fetched; the message says what to do."""


NO_PUBLIC_REGISTRY = (
    "kiln has no public plugin registry yet, so plugin_installation's direct method cannot install {source}: "
    "publish the plugin to a folder (kiln-sdk publish DIR --registry REGDIR --source {source}) and point "
    "KILN_PLUGIN_MIRROR at it (http(s):// or file://), or add a filesystem_mirror or network_mirror block to "
    "{config}")


@dataclass
class Verified:
    """A release whose archive is on local disk, every hash and the signature checked."""

    source: registry.Source
    version: str
    archive: Path  # the downloaded archive (in a temporary folder the caller removes)
    archive_sha256: str
    tag: str
    key_id: str
    method: Method
    warnings: list[str] = field(default_factory=list)


@dataclass
class Signed:
    """A release's metadata as fetched (the exact bytes, for a mirror to copy), its signature verified."""

    source: registry.Source
    version: str
    method: Method
    reader: Reader
    base: str  # the release folder, relative to the reader's base URL
    release: registry.Release
    release_bytes: bytes
    sums_bytes: bytes
    signature: bytes
    key: str  # the public key whose signature verified
    warnings: list[str]


def _sha256(path: Path) -> str:
    return registry.sha256_file(path)


class Sources:
    """The installation methods of kiln's config, for looking up and fetching plugins."""

    def __init__(self, config: CliConfig, env: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.env = os.environ if env is None else env
        self._readers: dict[str, Reader] = {}
        self._versions: dict[tuple[str, str], list[str]] = {}

    def reader(self, method: Method) -> Reader:
        if method.url not in self._readers:
            self._readers[method.url] = Reader(method.url, self.env)
        return self._readers[method.url]

    def _config_name(self) -> str:
        where = self.config.path or self.config.location
        return str(where) if where else "kiln's config file (KILN_CONFIG_FILE)"

    def methods(self, source: registry.Source) -> list[Method]:
        methods = self.config.methods_for(str(source))
        if not methods:
            raise SourceError(f"no plugin_installation method of {self._config_name()} serves {source} (check "
                              "their include and exclude patterns)")
        return methods

    def versions(self, source: registry.Source) -> dict[str, Method]:
        """Every version on offer -> the first method that has it. A mirror without the plugin offers none;
        a mirror that fails (server error, time-out) is an error, not an empty list."""
        offered: dict[str, Method] = {}
        direct_only = True
        for method in self.methods(source):
            if method.kind == "direct":
                continue
            direct_only = False
            for version in self._method_versions(method, source):
                offered.setdefault(version, method)
        if direct_only:
            raise SourceError(NO_PUBLIC_REGISTRY.format(source=source, config=self._config_name()))
        return offered

    def _method_versions(self, method: Method, source: registry.Source) -> list[str]:
        key = (method.url, str(source))
        if key not in self._versions:
            reader = self.reader(method)
            rel = f"{source.path}/{registry.INDEX}"
            try:
                data = reader.get(rel)
            except FetchError as exc:
                if not exc.not_found:
                    raise SourceError(f"cannot list the versions of {source}: {exc}") from None
                self._versions[key] = []
                return []
            try:
                self._versions[key] = registry.parse_index(data, reader.url(rel))
            except registry.RegistryFormatError as exc:
                raise SourceError(str(exc)) from None
        return self._versions[key]

    def metadata(self, source: registry.Source, version: str, method: Method) -> Signed:
        """The release's metadata, its signature checked and release.json matched against SHA256SUMS."""
        reader = self.reader(method)
        base = f"{source.path}/{version}/"
        try:
            sums_bytes = reader.get(base + registry.SUMS)
            signature = reader.get(base + registry.SIGNATURE)
            release_bytes = reader.get(base + registry.RELEASE)
        except FetchError as exc:
            raise SourceError(f"cannot fetch {source} {version}: {exc}") from None
        try:
            sums = registry.parse_sums(sums_bytes, reader.url(base + registry.SUMS))
            release = registry.parse_release(release_bytes, reader.url(base + registry.RELEASE))
        except registry.RegistryFormatError as exc:
            raise SourceError(str(exc)) from None
        warnings: list[str] = []
        key = self._check_signature(source, version, reader, sums_bytes, signature, warnings)
        if sums.get(registry.RELEASE) != hashlib.sha256(release_bytes).hexdigest():
            raise SourceError(f"{reader.url(base + registry.RELEASE)}: its sha256 is not the one in the signed "
                              f"{registry.SUMS}: the release was altered after it was signed; kiln installs nothing")
        if release.source != str(source) or release.version != version:
            raise SourceError(f"{reader.url(base + registry.RELEASE)}: it describes {release.source} "
                              f"{release.version}, not {source} {version}")
        for archive in release.archives.values():
            if sums.get(archive.filename) != archive.sha256:
                raise SourceError(f"{reader.url(base + archive.filename)}: release.json and the signed "
                                  f"{registry.SUMS} disagree on its sha256; kiln installs nothing")
        return Signed(source, version, method, reader, base, release, release_bytes, sums_bytes, signature, key,
                      warnings)

    def download(self, signed: Signed, archive: registry.Archive, into: Path) -> Path:
        """One archive of a signed release into the folder ``into``, its size and sha256 checked."""
        fd, name = tempfile.mkstemp(dir=into, prefix="archive-", suffix=".zip")
        os.close(fd)
        path = Path(name)
        url = signed.reader.url(signed.base + archive.filename)
        try:
            signed.reader.download(signed.base + archive.filename, path, archive.size)
        except FetchError as exc:
            path.unlink()
            raise SourceError(f"cannot download {signed.source} {signed.version}: {exc}") from None
        got = _sha256(path)
        if got != archive.sha256:
            path.unlink()
            raise SourceError(f"{url}: its sha256 is {got}, but the signed {registry.SUMS} says {archive.sha256}: the "
                              "archive was altered or damaged; kiln installs nothing")
        return path

    def fetch(self, source: registry.Source, version: str, method: Method, into: Path,
              allowed_hashes: Callable[[str], str | None] | None = None) -> Verified:
        """Download and verify the archive of ``version`` of ``source`` for this interpreter, from
        ``method``, into the folder ``into``. ``allowed_hashes(sha256)``: an error message when the
        archive's hash is not acceptable (the lock file's check), else None."""
        signed = self.metadata(source, version, method)
        tag = registry.interpreter_tag()
        archive = signed.release.pick(tag)
        if archive is None:
            raise SourceError(f"{source} {version} has no archive for this interpreter ({tag}); it has "
                              f"{', '.join(sorted(signed.release.archives)) or 'none'}: publish one built with this "
                              "Python and platform")
        if allowed_hashes is not None:
            problem = allowed_hashes(archive.sha256)
            if problem:
                raise SourceError(problem)
        path = self.download(signed, archive, into)
        return Verified(source, version, path, archive.sha256, archive.tag, registry.key_id(signed.key), method,
                        signed.warnings)

    def _check_signature(self, source: registry.Source, version: str, reader: Reader, sums: bytes,
                         signature: bytes, warnings: list[str]) -> str:
        """The key whose signature of SHA256SUMS verifies; SourceError when none does."""
        sig_url = reader.url(f"{source.path}/{version}/{registry.SIGNATURE}")
        trusted = self.config.keys_for(source)
        if trusted:
            for key in trusted:
                if registry.verify(key, sums, signature):
                    return key
            raise SourceError(f"{sig_url}: the signature does not verify with the trusted key(s) of "
                              f"{source.namespace_path} in {self._config_name()} (ids "
                              f"{', '.join(registry.key_id(k) for k in trusted)}): the release was not signed by its "
                              "publisher, or was altered; kiln installs nothing")
        keys_rel = f"{source.namespace_path}/{registry.KEYS}"
        try:
            published = registry.parse_keys(reader.get(keys_rel), reader.url(keys_rel))
        except FetchError as exc:
            raise SourceError(f"cannot fetch the signing keys of {source.namespace_path}: {exc}") from None
        except registry.RegistryFormatError as exc:
            raise SourceError(str(exc)) from None
        for key in published:
            if registry.verify(key, sums, signature):
                warnings.append(
                    f"{source} {version} is signed by key {registry.key_id(key)}, which the mirror publishes for "
                    f"{source.namespace_path}; no trusted_key for it is in {self._config_name()}. To pin it: "
                    f'trusted_key "{source.namespace_path}" {{ public_key = "{key}" }}')
                return key
        raise SourceError(f"{sig_url}: the signature does not verify with any key of {reader.url(keys_rel)}: the "
                          "release was altered after it was signed, or signed by an unknown key; kiln installs "
                          "nothing")
