"""``kiln plugins remove SOURCE [CONSTRAINT] | PATH``: remove installed plugin versions.

Each version goes atomically: its folder is renamed to a hidden name (from then on no kiln run sees it),
then deleted. Prints the executable of every install removed, as Packer prints the binaries it removes.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

USAGE = """
Usage: kiln plugins remove <plugin> [<version constraint>]

  This command will remove one or more installed kiln plugins.

  To remove a plugin matching a version constraint:

      kiln plugins remove example.com/example/hello v1.2.3

  To remove all versions of a plugin omit the version constraint.

      kiln plugins remove example.com/example/hello

  To remove a single install, give the absolute path of its executable (as
  "kiln plugins installed" lists it) or of its folder; a loose kiln-plugin-*
  executable on the plugin path is removed the same way. This syntax does not
  allow for version matching.

      kiln plugins remove ~/.config/kiln/plugins/example.com/example/hello/1.2.3/venv/bin/kiln-plugin-hello
"""


class RemoveError(Exception):
    pass


def remove_install(folder: Path) -> None:
    """Rename the install folder away (atomic: it is gone for every reader at once), then delete it."""
    hidden = folder.with_name(f".{folder.name}.removing-{os.getpid()}")
    try:
        os.rename(folder, hidden)
    except OSError as err:
        raise RemoveError(f"could not remove {folder}: {err.strerror or err}") from None
    shutil.rmtree(hidden, ignore_errors=True)


def _error(summary: str, detail: str) -> int:
    from kiln.hcl.diagnostics import ERROR, HclDiagnostic
    from kiln.hcl.render import render

    sys.stdout.write(render([HclDiagnostic(ERROR, summary, detail)], lambda _: None))
    return 1


def _remove_path(arg: str, dirs: list[Path]) -> int:
    from kiln.plugins.installed import METADATA, InstallError, read_install

    path = Path(os.path.abspath(arg))
    root = next((d for d in dirs if path.is_relative_to(os.path.abspath(d)) and path != Path(os.path.abspath(d))),
                None)
    if root is None:
        return _error("Invalid plugin location", f'The path "{arg}" is not under the plugin directory inferred by '
                      f"kiln ({os.pathsep.join(str(d) for d in dirs)}) and will not be removed.")
    rel = path.relative_to(os.path.abspath(root))
    folder = Path(os.path.abspath(root)).joinpath(*rel.parts[:4]) if len(rel.parts) >= 4 else None
    try:
        if folder is not None and (folder / METADATA).exists():
            inst = read_install(folder)
            if path not in (folder, inst.executable):
                raise RemoveError(f"{arg} is inside the install {folder}: give the install's folder or its "
                                  f"executable {inst.executable}")
            remove_install(folder)
        elif path.is_file() or path.is_symlink():
            os.unlink(path)
            for extra in (Path(f"{path}_SHA256SUM"), Path(f"{path}.sha256")):
                if extra.exists():
                    os.unlink(extra)
        else:
            raise RemoveError(f"{arg} is neither an install nor a plugin executable")
    except (InstallError, RemoveError, OSError) as err:
        return _error("Failed to delete plugin", f'The plugin "{arg}" failed to be deleted with the following '
                      f"error: {err}")
    sys.stdout.write(f"{arg}\n")
    return 0


def run(argv: Sequence[str]) -> int:
    from kiln.cli.common import print_usage
    from kiln.plugins.constraints import ConstraintError, parse_constraints
    from kiln.plugins.installed import list_installs
    from kiln.plugins.paths import plugin_dirs
    from kiln.plugins.requirements import SourceError, parse_source

    if not 1 <= len(argv) <= 2:
        return print_usage(USAGE, None)
    dirs = plugin_dirs(os.environ)
    if os.path.isabs(argv[0]):
        if len(argv) != 1:
            sys.stdout.write("Unsupported: no version constraint may be specified with a local plugin path.\n\n")
            return print_usage(USAGE, None)
        return _remove_path(argv[0], dirs)
    try:
        source = parse_source(argv[0])
    except SourceError as err:
        sys.stdout.write(f'Invalid source string "{argv[0]}": {err.summary}; {err.detail}\n')
        return 1
    constraints = None
    if len(argv) == 2:
        try:
            constraints = parse_constraints(argv[1])
        except ConstraintError as err:
            sys.stdout.write(f"{err}\n")
            return 1
    matching = [i for i in list_installs(dirs, source).installs if constraints is None or constraints.allows(i.version)]
    failed = False
    for inst in matching:
        try:
            remove_install(inst.dir)
        except RemoveError as err:
            sys.stdout.write(f'Failed to remove plugin "{inst.executable}": {err}\n')
            failed = True
            continue
        sys.stdout.write(f"{inst.executable}\n")
    if not matching:
        sys.stdout.write(f"No installed plugin found matching the plugin constraints {' '.join(argv)}\n")
        return 1
    return 1 if failed else 0
