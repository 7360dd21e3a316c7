"""``kiln init [-upgrade] [-force] TEMPLATE``: install the plugins the template requires (Packer >= 1.7).

For each ``required_plugins`` entry: a bundled plugin that stands for the source (amazon, docker 1.x) is
used as it is; an installed version that the constraint allows is kept (``-upgrade``: the newest allowed
version on offer is installed when it is newer; ``-force``: the version is installed again); otherwise
the newest allowed version offered by the installation methods (kiln's config, ``KILN_PLUGIN_MIRROR``)
is fetched, verified and installed. ``.kiln.lock.hcl`` beside the template records what was chosen, with
its hashes; a version the lock file names is installed again as locked (unless ``-upgrade``), and only
with a hash the lock file holds. Exit 1 when any plugin could not be installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiln.cli.common import VAR_FLAGS, UsageError, parse_or_usage, print_usage, render_template_error
from kiln.cli.flags import Flag

if TYPE_CHECKING:
    from kiln.plugins.requirements import Requirement

USAGE = """
Usage: kiln init [options] TEMPLATE

  Install all the missing plugins required in a kiln config. Note that kiln
  does not have a state.

  This is the first command that should be executed when working with a new
  or existing template.

  This command is always safe to run multiple times. Though subsequent runs may
  give errors, this command will never delete anything.

Options:
  -upgrade                     On top of installing missing plugins, update
                               installed plugins to the latest available
                               version, if there is a new higher one. Note that
                               this still takes into consideration the version
                               constraint of the config.
  -force                       Forces reinstallation of plugins, even if already
                               installed.
"""

FLAGS = [Flag("upgrade", "bool", False), Flag("force", "bool", False), *VAR_FLAGS]  # -var: as Packer's MetaArgs

NO_REQUIREMENTS = """
No plugins requirement found, make sure you reference a Packer config
containing a packer.required_plugins block. See
https://www.packer.io/docs/templates/hcl_templates/blocks/packer
for more info.
"""


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    try:
        parsed = parse_or_usage(argv, FLAGS)
        if len(parsed.args) != 1:
            raise UsageError("")
    except UsageError as exc:
        return print_usage(USAGE, str(exc) or None)
    from kiln.plugins.lockfile import LockFileError, lock_dir
    from kiln.template import TemplateError, read_requirements

    try:
        template = read_requirements(parsed.args[0], dict(os.environ))
    except TemplateError as exc:
        sys.stdout.write(render_template_error(exc))
        return 1
    if template is None:  # a legacy JSON template: Packer's answer
        sys.stdout.write("Error: Packer plugins currently only works with HCL2 configuration templates\n\n"
                         "Please manually install plugins with the plugins command or use a HCL2 configuration that "
                         "will do that for you.\n\n")
        return 1
    try:
        return init(list(template.required_plugins.values()), lock_dir(os.path.abspath(parsed.args[0])),
                    upgrade=parsed["upgrade"], force=parsed["force"])
    except LockFileError as exc:
        sys.stdout.write(exc.render())
        return 1


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def init(requirements: list[Requirement], folder: Path, upgrade: bool, force: bool,
         env: Mapping[str, str] | None = None) -> int:
    """Install what ``requirements`` need; write the lock file in ``folder``. The exit status."""
    from kiln_sdk import registry

    from kiln.plugins import getter, installed, lockfile
    from kiln.plugins.config import ConfigFileError
    from kiln.plugins.config import load as load_config
    from kiln.plugins.installer import InstallError
    from kiln.plugins.resolve import bundled_plugins
    from kiln.plugins.sources import SourceError, Sources

    env = os.environ if env is None else env
    if not requirements:
        say(NO_REQUIREMENTS.rstrip("\n"))
        return 0
    locked = lockfile.read(folder)
    try:
        sources = Sources(load_config(env), env)
    except ConfigFileError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    plugin_dir = installed.plugin_dir(env)
    bundled = bundled_plugins(env)
    entries = dict(locked)
    ret = 0
    for req in requirements:
        lock = locked.get(req.source)
        b = bundled.get(req.source)
        if b is not None and b.satisfies(req) and (lock is None or lock.bundled or upgrade):
            say(f"{req.source} {req.version} is satisfied by the bundled plugin kiln-plugin-{b.name} {b.version}")
            entries[req.source] = lockfile.LockEntry(req.source, b.version, req.version)
            continue
        source = registry.parse_source(req.source)
        have = installed.newest_install(installed.installs_for(env, req.source), req.constraints)
        pinned = lock.version if lock is not None and not upgrade and req.constraints.allows(lock.version) else None
        why = f"locked in {lockfile.FILENAME}"
        if pinned is not None and have is not None and have.version != pinned:
            have = next((i for i in installed.installs_for(env, req.source) if i.version == pinned), None)
        if have is not None and not force and not upgrade:
            entries[req.source] = _entry(lockfile, req, have.version, have.all_hashes(), lock)
            continue
        try:
            if force and not upgrade and have is not None and pinned is None:
                pinned, why = have.version, "installed"  # -force alone: the installed version again (Packer's rule)
            version, method = getter.choose(sources, source, req.constraints, pinned, why)
            if upgrade and not force and have is not None and have.version == version:
                entries[req.source] = _entry(lockfile, req, have.version, have.all_hashes(), lock)
                continue
            check = _hash_check(lock, version) if lock is not None else None
            outcome = getter.install_version(sources, source, version, method, plugin_dir, force or upgrade, say,
                                             check)
        except (SourceError, InstallError) as exc:
            sys.stderr.write(f'Failed getting the "{req.source}" plugin:\n{exc}\n')
            ret = 1
            continue
        for warning in outcome.warnings:
            say(f"Warning: {warning}")
        inst = outcome.installation
        entries[req.source] = _entry(lockfile, req, inst.version, {f"sha256:{inst.archive_sha256}"}, lock)
        if inst.fresh:  # else another kiln installed it while this one waited for the plugin's lock
            say(f'Installed plugin {req.source} v{inst.version} in "{inst.executable}"')
    try:
        lockfile.write(folder, entries)
    except OSError as exc:
        sys.stderr.write(f"Error: cannot write {folder / lockfile.FILENAME}: {exc.strerror or exc}\n")
        return 1
    return ret


def _entry(lockfile: Any, req: Requirement, version: str, hashes: set[str], lock: Any) -> Any:
    """The lock file's entry: the hashes of what is installed, and the old entry's when it is the same version."""
    if lock is not None and lock.version == version:
        hashes = hashes | set(lock.hashes)
    return lockfile.LockEntry(req.source, version, req.version, tuple(sorted(hashes)))


def _hash_check(lock: Any, version: str) -> Callable[[str], str | None]:
    def check(sha256: str) -> str | None:
        if lock.version == version and lock.hashes and f"sha256:{sha256}" not in lock.hashes:
            return (f"the archive of {lock.source} {version} has the hash sha256:{sha256}, which .kiln.lock.hcl does "
                    "not list: it is not the plugin this lock file was made with (if you trust the new one, run "
                    "kiln init -upgrade; otherwise check the mirror)")
        return None

    return check
