"""``kiln plugins install [-path ARCHIVE] [-force] SOURCE [CONSTRAINT]``: Packer's ``plugins install``.

The newest version of SOURCE that CONSTRAINT allows (any release without one), from the installation
methods of kiln's config or ``KILN_PLUGIN_MIRROR``, verified and installed into the plugin directory.
``-path`` installs a local archive made by ``kiln-sdk publish`` instead (its wheels are checked against its
manifest; there is no signature to check for a file the user hands over).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kiln.cli.flags import Flag, FlagError, parse

USAGE = """
Usage: kiln plugins install [OPTIONS...] <plugin> [<version constraint>]

  This command will install the most recent compatible kiln plugin matching
  version constraint.
  When the version constraint is omitted, the most recent version will be
  installed.

  Ex: kiln plugins install example.com/example/hello v0.1.0
      kiln plugins install -path ./kiln-plugin-hello_0.1.0_py3-none-any.zip "example.com/example/hello"

Options:
  -path <path>                  Install the plugin from a locally-sourced plugin archive
                                (made by kiln-sdk publish). This installs the plugin where a
                                normal invocation would, but will not try to download it from a
                                remote location. This option cannot be specified with a version
                                constraint.
  -force                        Forces reinstallation of plugins, even if already installed.
"""

FLAGS = [Flag("path", "string", ""), Flag("force", "bool", False)]


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def run(argv: Sequence[str]) -> int:
    try:
        parsed = parse(argv, FLAGS)
    except FlagError as exc:
        err(f"Failed to parse options: {exc}")
        return 1
    args = parsed.args
    if not 1 <= len(args) <= 2:
        err(f"Invalid arguments, expected either 1 or 2 positional arguments, got {len(args)}")
        sys.stdout.write(USAGE.strip("\n") + "\n")
        return 1
    if parsed["path"] and len(args) == 2:
        err("Invalid arguments: a version cannot be specified when using --path to install a local plugin archive")
        sys.stdout.write(USAGE.strip("\n") + "\n")
        return 1
    from kiln_sdk import registry

    from kiln.plugins import getter, installed
    from kiln.plugins.config import ConfigFileError
    from kiln.plugins.config import load as load_config
    from kiln.plugins.constraints import ConstraintError, parse_constraints
    from kiln.plugins.installer import InstallError, check_archive, install
    from kiln.plugins.requirements import SourceError as RequirementSourceError
    from kiln.plugins.requirements import parse_source
    from kiln.plugins.sources import SourceError, Sources

    try:
        source_text = parse_source(args[0])
    except RequirementSourceError as exc:
        err(f'Invalid source string "{args[0]}": {exc.detail}')
        return 1
    source = registry.parse_source(source_text)
    constraints = None
    if len(args) == 2:
        try:
            constraints = parse_constraints(args[1])
        except ConstraintError as exc:
            err(str(exc))
            return 1
        if any(c.version.prerelease for c in constraints.items):
            err(f'Unsupported prerelease for constraint "{args[1]}"')
            return 1
    plugin_dir = installed.plugin_dir(os.environ)
    try:
        if parsed["path"]:
            archive = Path(parsed["path"])
            version = _archive_version(archive, source_text)
            check_archive(archive, str(archive))  # before anything is written into the plugin directory
            inst = install(lambda work: (archive, registry.sha256_file(archive)), source, version, plugin_dir,
                           force=parsed["force"], say=print)
            warnings: list[str] = []
        else:
            sources = Sources(load_config(), os.environ)
            version, method = getter.choose(sources, source, constraints)
            outcome = getter.install_version(sources, source, version, method, plugin_dir, parsed["force"], print)
            inst, warnings = outcome.installation, outcome.warnings
    except (ConfigFileError, SourceError, InstallError) as exc:
        err(str(exc))
        return 1
    for warning in warnings:
        print(f"Warning: {warning}")
    if inst.fresh:
        print(f'Installed plugin {source_text} v{inst.version} in "{inst.executable}"')
    return 0


def _archive_version(path: Path, source: str) -> str:
    """The version a local archive holds (its manifest says; the installer checks the rest)."""
    import zipfile

    from kiln_sdk import registry

    from kiln.plugins.installer import InstallError

    try:
        with zipfile.ZipFile(path) as zf:
            manifest = registry.parse_manifest(zf.read(registry.MANIFEST), f"{path}: {registry.MANIFEST}")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise InstallError(f"{path}: not a kiln plugin archive ({exc})") from None
    except registry.RegistryFormatError as exc:
        raise InstallError(str(exc)) from None
    if manifest.source != source:
        raise InstallError(f"{path}: the archive holds {manifest.source}, not {source}")
    return manifest.version

