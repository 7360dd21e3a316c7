"""Installing the newest version of a plugin that a constraint allows: what ``kiln init`` and ``kiln plugins
install`` share. The versions on offer come from the installation methods (sources.py), the release is
fetched and verified there, and installed by installer.py."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiln_sdk import registry

from kiln.plugins import installed
from kiln.plugins.config import Method
from kiln.plugins.constraints import Constraints, newest_allowed, parse_constraints
from kiln.plugins.installer import Installation, check_archive, install
from kiln.plugins.sources import SourceError, Sources

ANY = ">= 0.0.0"  # every release (pre-releases only when a constraint names one, go-version's rule)


@dataclass
class Outcome:
    installation: Installation
    warnings: list[str] = field(default_factory=list)


def choose(sources: Sources, source: registry.Source, constraints: Constraints | None,
           pinned: str | None = None, why: str = "") -> tuple[str, Method]:
    """The version to install and the method that offers it: ``pinned`` (``why``: "locked in
    .kiln.lock.hcl"), else the newest that ``constraints`` allow (any release when None)."""
    offered = sources.versions(source)
    if pinned is not None:
        if pinned not in offered:
            raise SourceError(f"{source} {pinned}{f' ({why})' if why else ''} is not offered by "
                              f"{_methods(sources, source)} (versions offered: {', '.join(offered) or 'none'})")
        return pinned, offered[pinned]
    wanted = constraints or parse_constraints(ANY)
    version = newest_allowed(wanted, offered)
    if version is None:
        if not offered:
            raise SourceError(f"{source} is not published in {_methods(sources, source)}")
        raise SourceError(f'no release of {source} matches the version constraint "{wanted}" (versions offered by '
                          f"{_methods(sources, source)}: {', '.join(offered)})")
    return version, offered[version]


def _methods(sources: Sources, source: registry.Source) -> str:
    return ", ".join(m.url or m.kind for m in sources.methods(source))


def install_version(sources: Sources, source: registry.Source, version: str, method: Method,
                    plugin_dir: Path, force: bool, say: Callable[[str], None],
                    allowed_hashes: Callable[[str], str | None] | None = None) -> Outcome:
    """Fetch and check the release in a temporary folder outside the plugin directory (so a refused one
    leaves it untouched), then install it."""
    if not force:
        try:
            present = installed.read_install(installed.install_dir(plugin_dir, str(source), version))
        except installed.InstallError:
            pass
        else:  # installed already: nothing to fetch
            return Outcome(Installation(str(source), version, present.dir, present.executable,
                                        present.archive_sha256, fresh=False))
    with tempfile.TemporaryDirectory(prefix="kiln-plugin-download-") as tmp:
        verified = sources.fetch(source, version, method, Path(tmp), allowed_hashes)
        check_archive(verified.archive, f"the archive of {source} {version}")
        installation = install(lambda work: (verified.archive, verified.archive_sha256), source, version,
                               plugin_dir, force=force, say=say)
    return Outcome(installation, verified.warnings)
