"""``kiln-sdk publish DIR --registry REGDIR --source HOST/NS/NAME [--key KEY] [--force]``.

Builds the plugin project in DIR into a self-contained archive (its wheel and every dependency's wheel,
see wheels.py), and adds the release to the registry folder REGDIR (created when missing): the archive,
``release.json``, ``SHA256SUMS`` and its ed25519 signature, the namespace's ``keys.json`` and the
plugin's ``index.json`` (format: kiln_sdk.registry, docs/registry.md). A published version never
changes: publishing it again is refused unless ``--force``. The release folder is written beside its
place and renamed into it, and the index is replaced in one rename, so a reader (a web server serving
REGDIR) never sees half a release. The signing key is ``--key`` (PEM or OpenSSH ed25519), else the
namespace's key in kiln-sdk's config folder, made on first use.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from kiln_sdk import registry
from kiln_sdk._cli import wheels

SUMMARY = "Build a plugin project into a self-contained archive and add it to a registry folder"


class PublishError(Exception):
    """What went wrong, and what to do; printed as ``kiln-sdk publish: ...``, exit 1."""


def default_key_path(source: registry.Source) -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kiln-sdk" / "signing-keys" / source.host / f"{source.namespace}.pem"


def signing_key(path: Path | None, source: registry.Source, say: list[str]) -> registry.SigningKey:
    if path is None:
        path = default_key_path(source)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(registry.generate_private_key_pem())
            say.append(f"Made a new signing key for {source.namespace_path} in {path} (keep it; back it up)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PublishError(f"cannot read the signing key {path}: {exc.strerror}") from None
    try:
        return registry.SigningKey(data, str(path))
    except ValueError as exc:
        raise PublishError(str(exc)) from None


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file beside it, renamed)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def build_archive(project: Path, source: registry.Source, work: Path) -> tuple[Path, registry.Manifest]:
    """The archive of the project (in ``work``) and its manifest."""
    wheel_dir = work / "wheels"
    wheel_dir.mkdir()
    plugin_wheel = wheels.build_project(project, wheel_dir)
    info = wheels.wheel_info(plugin_wheel)
    if source.executable not in info.scripts:
        found = ", ".join(sorted(s for s in info.scripts if s.startswith(registry.EXECUTABLE_PREFIX))) or "none"
        raise PublishError(f"{project}: the source {source} names the plugin {source.name!r}, so the project must "
                           f"declare the console script {source.executable} in [project.scripts] (found: {found})")
    wheels.dependency_wheels(info.requires, wheel_dir)
    requirement = f"{info.name}=={info.version}"
    wheels.check_complete(requirement, wheel_dir)
    files = sorted(wheel_dir.glob("*.whl"))
    pure = all(f.name.endswith("-none-any.whl") for f in files)
    tag = registry.PURE_TAG if pure else registry.interpreter_tag()
    manifest = registry.Manifest(str(source), info.version, source.executable, requirement, tag,
                                 [registry.Wheel(f.name, registry.sha256_file(f)) for f in files])
    archive = work / registry.archive_name(source, info.version, tag)
    with zipfile.ZipFile(archive, "w") as zf:
        entries = [(registry.MANIFEST, registry.dumps(manifest.document()))]
        entries += [(registry.WHEELS + f.name, f.read_bytes()) for f in files]
        for name, data in entries:
            member = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            member.external_attr = 0o100644 << 16
            member.compress_type = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
            zf.writestr(member, data)
    return archive, manifest


def _read_list(path: Path, parse: object) -> list[str]:
    if not path.exists():
        return []
    try:
        return parse(path.read_bytes(), str(path))  # type: ignore[operator,no-any-return]
    except registry.RegistryFormatError as exc:
        raise PublishError(f"{exc}: fix or remove it") from None


def _already(source: registry.Source, version: str, registry_dir: Path) -> str:
    return (f"{source} {version} is already published in {registry_dir}: a published version never changes "
            "(users' lock files hold its hashes); bump the version in pyproject.toml, or pass --force to replace it")


def _declared_version(project: Path) -> str | None:
    """The static ``[project] version`` of the project's pyproject.toml, if it has one."""
    try:
        version = tomllib.loads((project / "pyproject.toml").read_text()).get("project", {}).get("version")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return version if isinstance(version, str) else None


def add_release(registry_dir: Path, source: registry.Source, archive: Path, manifest: registry.Manifest,
                key: registry.SigningKey, force: bool) -> Path:
    """Add the release to the registry folder; the folder of the release."""
    plugin_dir = registry_dir / source.path
    plugin_dir.mkdir(parents=True, exist_ok=True)
    marker = registry_dir / registry.MARKER
    if not marker.exists():
        _write(marker, registry.dumps({"kiln_registry": registry.FORMAT_VERSION}))
    with open(plugin_dir / ".publish.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two publishes of one plugin at once take turns
        final = plugin_dir / manifest.version
        if final.exists() and not force:
            raise PublishError(_already(source, manifest.version, registry_dir))
        keys_path = registry_dir / source.namespace_path / registry.KEYS
        keys = _read_list(keys_path, registry.parse_keys)
        if key.public_key not in keys:
            _write(keys_path, registry.dumps(registry.keys_document(source.namespace_path, [*keys, key.public_key])))
        index_path = plugin_dir / registry.INDEX
        versions = _read_list(index_path, registry.parse_index)
        work = Path(tempfile.mkdtemp(dir=plugin_dir, prefix=f".{manifest.version}.tmp-"))
        try:
            shutil.copyfile(archive, work / archive.name)
            os.chmod(work / archive.name, 0o644)
            release = registry.Release(str(source), manifest.version, {manifest.tag: registry.Archive(
                manifest.tag, archive.name, registry.sha256_file(archive), archive.stat().st_size)})
            release_bytes = registry.dumps(release.document())
            (work / registry.RELEASE).write_bytes(release_bytes)
            sums = registry.format_sums({registry.RELEASE: registry.sha256_file(work / registry.RELEASE),
                                         archive.name: release.archives[manifest.tag].sha256})
            (work / registry.SUMS).write_bytes(sums)
            (work / registry.SIGNATURE).write_bytes(key.sign(sums))
            for f in work.iterdir():
                os.chmod(f, 0o644)
            os.chmod(work, 0o755)
            if final.exists():  # --force: the old release moves aside, the new one takes its place
                old = Path(tempfile.mkdtemp(dir=plugin_dir, prefix=f".{manifest.version}.old-"))
                os.replace(final, old / "release")
                os.replace(work, final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(work, final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if manifest.version not in versions:
            _, Version, _ = wheels.packaging()
            versions = sorted({*versions, manifest.version}, key=Version)
        _write(index_path, registry.dumps(registry.index_document(source, versions)))
    return final


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kiln-sdk publish", description=SUMMARY)
    parser.add_argument("dir", type=Path, help="the plugin project (a folder with pyproject.toml)")
    parser.add_argument("--registry", type=Path, required=True, help="the registry folder (created if missing)")
    parser.add_argument("--source", required=True, help="the plugin's source address HOST/NAMESPACE/NAME")
    parser.add_argument("--key", type=Path, help="the ed25519 private key that signs the release (PEM or "
                        "OpenSSH); default: the namespace's key under ~/.config/kiln-sdk/signing-keys/")
    parser.add_argument("--force", action="store_true", help="replace a version that is already published")
    args = parser.parse_args(argv)
    say: list[str] = []
    try:
        try:
            source = registry.parse_source(args.source)
        except ValueError as exc:
            raise PublishError(f"--source: {exc}") from None
        if not (args.dir / "pyproject.toml").is_file():
            raise PublishError(f"{args.dir} has no pyproject.toml: publish a plugin project (kiln-sdk new makes one)")
        declared = _declared_version(args.dir)
        if declared and (args.registry / source.path / declared).exists() and not args.force:
            raise PublishError(_already(source, declared, args.registry))  # before the (slow) build
        key = signing_key(args.key, source, say)
        with tempfile.TemporaryDirectory(prefix="kiln-sdk-publish-") as tmp:
            archive, manifest = build_archive(args.dir.resolve(), source, Path(tmp))
            final = add_release(args.registry, source, archive, manifest, key, args.force)
            size = archive.stat().st_size
    except (PublishError, wheels.WheelError) as exc:
        sys.stderr.write(f"kiln-sdk publish: {exc}\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"kiln-sdk publish: {exc.filename or ''}: {exc.strerror or exc}\n")
        return 1
    for line in say:
        sys.stdout.write(line + "\n")
    sys.stdout.write(
        f"Published {source} {manifest.version} in {final}\n"
        f"  archive {registry.archive_name(source, manifest.version, manifest.tag)}: {len(manifest.wheels)} wheels, "
        f"{_size(size)}\n"
        f"  signed with key {registry.key_id(key.public_key)}; to trust it, add to kiln's config file:\n"
        f"    trusted_key \"{source.namespace_path}\" {{\n"
        f"      public_key = \"{key.public_key}\"\n"
        f"    }}\n")
    return 0
