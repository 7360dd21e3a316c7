"""``kiln plugins mirror DIR TEMPLATE``: copy every plugin TEMPLATE requires into the mirror folder DIR
(as ``terraform providers mirror`` does), in the registry layout, so that DIR can be served or used as a
``filesystem_mirror`` as it is. For each requirement (a bundled one is skipped), the version is the one
the template's lock file names, else the newest the constraint allows; its signed metadata is copied
byte for byte (so the signature still verifies) with every archive of the release, each verified. Each
release is written in a temporary folder and renamed into place; ``index.json`` and ``keys.json`` are
merged and replaced in one rename.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiln.cli.common import print_usage, render_template_error
from kiln.cli.flags import FlagError, parse

if TYPE_CHECKING:
    from kiln.plugins.sources import Signed, Sources


USAGE = """
Usage: kiln plugins mirror [options] <target-dir> <template>

  Downloads every plugin that the template requires (the versions its lock file
  names, else the newest its constraints allow) into <target-dir>, in the
  registry layout: serve it with any web server, or name it in a
  filesystem_mirror block of kiln's config, for offline installs.
"""


def run(argv: Sequence[str]) -> int:
    try:
        parsed = parse(argv, [])
    except FlagError as exc:
        return print_usage(USAGE, str(exc))
    if len(parsed.args) != 2:
        return print_usage(USAGE, f"Invalid arguments, expected 2 positional arguments, got {len(parsed.args)}")
    target, template_path = Path(parsed.args[0]), parsed.args[1]
    from kiln_sdk import registry

    from kiln.plugins import getter, lockfile
    from kiln.plugins.config import ConfigFileError
    from kiln.plugins.config import load as load_config
    from kiln.plugins.resolve import bundled_plugins
    from kiln.plugins.sources import SourceError, Sources
    from kiln.template import TemplateError, read_requirements

    try:
        template = read_requirements(template_path, dict(os.environ))
        locked = lockfile.read(lockfile.lock_dir(os.path.abspath(template_path)))
    except TemplateError as exc:
        sys.stdout.write(render_template_error(exc))
        return 1
    except lockfile.LockFileError as exc:
        sys.stdout.write(exc.render())
        return 1
    if template is None:
        sys.stdout.write("Error: Packer plugins currently only works with HCL2 configuration templates\n")
        return 1
    try:
        sources = Sources(load_config(), os.environ)
    except ConfigFileError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    bundled = bundled_plugins()
    ret = 0
    for req in template.required_plugins.values():
        print(f"- Mirroring {req.source}...")
        b = bundled.get(req.source)
        if b is not None and b.satisfies(req):
            print(f"  - Skipped: satisfied by the bundled plugin kiln-plugin-{b.name} {b.version}")
            continue
        source = registry.parse_source(req.source)
        lock = locked.get(req.source)
        pinned = lock.version if lock is not None and not lock.bundled and req.constraints.allows(lock.version) else None
        try:
            version, method = getter.choose(sources, source, req.constraints, pinned)
            print(f"  - Selected v{version} to " + ("match the lock file" if pinned else
                                                     f'meet the constraints "{req.version}"'))
            signed = sources.metadata(source, version, method)
            _mirror(target, signed, sources)
        except (SourceError, OSError) as exc:
            sys.stderr.write(f'Failed mirroring the "{req.source}" plugin:\n{exc}\n')
            ret = 1
            continue
        for warning in signed.warnings:
            print(f"  - Warning: {warning}")
        print(f"  - Signed by key {registry.key_id(signed.key)}")
    return ret


def _replace(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _mirror(target: Path, signed: Signed, sources: Sources) -> None:
    from kiln_sdk import registry

    from kiln.plugins.constraints import parse_version
    plugin_dir = target / signed.source.path
    plugin_dir.mkdir(parents=True, exist_ok=True)
    marker = target / registry.MARKER
    if not marker.exists():
        _replace(marker, registry.dumps({"kiln_registry": registry.FORMAT_VERSION}))
    keys_path = target / signed.source.namespace_path / registry.KEYS
    keys = registry.parse_keys(keys_path.read_bytes(), str(keys_path)) if keys_path.exists() else []
    if signed.key not in keys:
        _replace(keys_path, registry.dumps(registry.keys_document(signed.source.namespace_path, [*keys, signed.key])))
    final = plugin_dir / signed.version
    if not final.exists():
        work = Path(tempfile.mkdtemp(dir=plugin_dir, prefix=f".{signed.version}.tmp-"))
        try:
            for archive in signed.release.archives.values():
                print(f"  - Downloading {archive.filename}...")
                os.replace(sources.download(signed, archive, work), work / archive.filename)
            (work / registry.RELEASE).write_bytes(signed.release_bytes)
            (work / registry.SUMS).write_bytes(signed.sums_bytes)
            (work / registry.SIGNATURE).write_bytes(signed.signature)
            for f in work.iterdir():
                os.chmod(f, 0o644)
            os.chmod(work, 0o755)
            os.replace(work, final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"  - v{signed.version} is in the mirror already")
    index_path = plugin_dir / registry.INDEX
    versions = registry.parse_index(index_path.read_bytes(), str(index_path)) if index_path.exists() else []
    if signed.version not in versions:
        versions = sorted({*versions, signed.version}, key=parse_version)
        _replace(index_path, registry.dumps(registry.index_document(signed.source, versions)))
