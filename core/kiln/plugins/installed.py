"""Installed plugins: the layout ``kiln init`` / ``kiln plugins install`` write, read back.

One install per plugin version, in its own folder::

    <plugin dir>/<host>/<namespace>/<name>/<version>/
        kiln-install.json   {"source": "example.com/example/hello", "version": "0.1.0",
                             "archive_sha256": "<64 hex>", "hashes": ["sha256:<64 hex>", ...],
                             "executable": "venv/bin/kiln-plugin-hello"}
        venv/               the plugin's isolated environment

The metadata file is written last (the whole folder is renamed into place), so a folder without a valid
``kiln-install.json`` is not an install. The plugin dir is the first entry of ``KILN_PLUGIN_PATH`` (else
``PACKER_PLUGIN_PATH``), else the user config dir's ``plugins`` folder (``paths.plugin_dirs``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiln.plugins.constraints import ConstraintError, Constraints, parse_version
from kiln.plugins.paths import PREFIX, plugin_dirs
from kiln.plugins.requirements import SourceError, parse_source

METADATA = "kiln-install.json"
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_HASH = re.compile(r"sha256:[0-9a-f]{64}\Z")


class InstallError(Exception):
    """An install folder whose metadata is missing or wrong; the message names the file and the fault."""


@dataclass(frozen=True)
class Install:
    source: str  # normalised host/namespace/name
    version: str
    dir: Path  # <plugin dir>/<host>/<namespace>/<name>/<version>
    archive_sha256: str
    hashes: tuple[str, ...]  # "sha256:<hex>"
    executable: Path  # absolute

    @property
    def name(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    def all_hashes(self) -> set[str]:
        """Every hash that identifies this install (its ``hashes`` and its archive's)."""
        return {*self.hashes, f"sha256:{self.archive_sha256}"}


def plugin_dir(env: Mapping[str, str]) -> Path:
    """Where installs go: the first plugin dir."""
    return plugin_dirs(env)[0]


def install_dir(root: Path, source: str, version: str) -> Path:
    return root.joinpath(*source.split("/"), version)


def read_install(folder: Path) -> Install:
    """The install in ``folder``, checked against its place in the layout; raises InstallError."""
    meta = folder / METADATA
    try:
        raw = json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstallError(f"{meta}: missing (not a complete install)") from None
    except (OSError, ValueError) as err:
        raise InstallError(f"{meta}: unreadable: {err}") from None
    if not isinstance(raw, dict):
        raise InstallError(f"{meta}: not a JSON object")

    def field(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            raise InstallError(f'{meta}: "{key}" must be a non-empty string')
        return value

    try:
        source = parse_source(field("source"))
    except SourceError as err:
        raise InstallError(f'{meta}: "source": {err.detail}') from None
    version = field("version")
    try:
        parse_version(version)
    except ConstraintError as err:
        raise InstallError(f'{meta}: "version": {err}') from None
    expected = Path(*source.split("/"), version)
    if tuple(folder.parts[-len(expected.parts):]) != expected.parts:
        raise InstallError(f"{meta}: describes {source} {version}, but the folder is not …/{expected}")
    archive = field("archive_sha256")
    if not _SHA256.match(archive):
        raise InstallError(f'{meta}: "archive_sha256" must be 64 lower-case hex digits')
    hashes = raw.get("hashes")
    if not isinstance(hashes, list) or not all(isinstance(h, str) and _HASH.match(h) for h in hashes):
        raise InstallError(f'{meta}: "hashes" must be a list of "sha256:<64 hex digits>" strings')
    rel = field("executable")
    exe = Path(rel)
    if exe.is_absolute() or ".." in exe.parts or not exe.name.startswith(PREFIX):
        raise InstallError(f'{meta}: "executable" must be a path inside the install named {PREFIX}NAME, not {rel!r}')
    full = folder / exe
    if not (full.is_file() and os.access(full, os.X_OK)):
        raise InstallError(f"{meta}: the plugin executable {full} is missing or not executable")
    return Install(source, version, folder, archive, tuple(hashes), full)


def _version_folders(root: Path) -> Iterable[Path]:
    """``<root>/<host>/<ns>/<name>/<version>`` folders holding a metadata file (hidden ones skipped: an
    install in progress or being removed)."""
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.glob(f"*/*/*/*/{METADATA}")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))


@dataclass(frozen=True)
class Listing:
    installs: list[Install]
    problems: list[str]  # one message per folder that is not a valid install


def list_installs(dirs: Iterable[Path], source: str | None = None) -> Listing:
    """Every valid install under ``dirs`` (of ``source`` only, when given), sorted by source then version
    (oldest first); the first dir wins when two hold the same version."""
    seen: dict[tuple[str, str], Install] = {}
    problems: list[str] = []
    for root in dirs:
        for folder in _version_folders(root):
            try:
                inst = read_install(folder)
            except InstallError as err:
                problems.append(str(err))
                continue
            if source is None or inst.source == source:
                seen.setdefault((inst.source, inst.version), inst)
    installs = sorted(seen.values(), key=lambda i: (i.source, parse_version(i.version)))
    return Listing(installs, problems)


def installs_for(env: Mapping[str, str], source: str) -> list[Install]:
    return list_installs(plugin_dirs(env), source).installs


def newest_install(installs: Iterable[Install], constraints: Constraints | None = None) -> Install | None:
    """The newest install that ``constraints`` allow (any, when None)."""
    best: Install | None = None
    for inst in installs:
        if constraints is not None and not constraints.allows(inst.version):
            continue
        if best is None or parse_version(best.version).compare(parse_version(inst.version)) < 0:
            best = inst
    return best
