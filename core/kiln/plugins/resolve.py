"""Which plugin satisfies each requirement of a template: the locked version, an installed one, or a
distribution bundled with kiln (see docs/registry.md, "How a requirement is satisfied").

Run before any plugin starts: build and validate stop on a requirement nothing satisfies, telling the
user to run ``kiln init``, and on an install whose recorded hash is not the one the lock file holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiln.hcl.diagnostics import ERROR, HclDiagnostic
from kiln.plugins.constraints import ConstraintError, parse_version
from kiln.plugins.discovery import Distributions, describe_distributions
from kiln.plugins.installed import Install, list_installs, newest_install
from kiln.plugins.lockfile import FILENAME, LockEntry
from kiln.plugins.paths import plugin_dirs
from kiln.plugins.requirements import Requirement, SourceError, parse_source


@dataclass(frozen=True)
class Bundled:
    """A plugin distribution installed with kiln that declares the source it satisfies."""

    name: str  # its plugin name (the entry point's): "amazon"
    source: str  # "github.com/hashicorp/amazon"
    version: str  # its own version: "1.0.0"; it stands for the whole major line

    def satisfies(self, req: Requirement) -> bool:
        return req.source == self.source and req.constraints.allows_release_of_major(
            parse_version(self.version).segments[0])


@dataclass(frozen=True)
class Choice:
    requirement: Requirement
    version: str
    install: Install | None = None  # None: the bundled distribution
    bundled: Bundled | None = None


@dataclass
class Resolution:
    choices: dict[str, Choice] = field(default_factory=dict)  # by local name
    missing: list[str] = field(default_factory=list)  # "source constraints[ (why)]"
    errors: list[HclDiagnostic] = field(default_factory=list)

    def diagnostics(self) -> list[HclDiagnostic]:
        """Packer's "Missing plugins" error (kiln's words for the fix), then the other errors."""
        out = list(self.errors)
        if self.missing:
            detail = ("The following plugins are required, but not installed:\n\n"
                      + "".join(f"* {m}\n" for m in self.missing) + "\nDid you run kiln init for this project ?")
            out.insert(0, HclDiagnostic(ERROR, "Missing plugins", detail))
        return out

    @property
    def ok(self) -> bool:
        return not (self.missing or self.errors)


def resolve(requirements: Mapping[str, Requirement], env: Mapping[str, str], lock: Mapping[str, LockEntry],
            bundled: Mapping[str, Bundled], lock_path: Path | None = None) -> Resolution:
    result = Resolution()
    lock_name = str(lock_path) if lock_path else FILENAME
    dirs = plugin_dirs(env)
    for name, req in sorted(requirements.items()):
        installs = list_installs(dirs, req.source).installs
        wanted = f"{req.source} {req.version}"
        entry = lock.get(req.source)
        b = bundled.get(req.source)
        if entry is not None:
            if not req.constraints.allows(entry.version):
                result.errors.append(HclDiagnostic(
                    ERROR, "Locked plugin version does not match the constraints",
                    f"{lock_name} locks {req.source} at {entry.version}, which the constraint \"{req.version}\" "
                    "does not allow. Run kiln init -upgrade to select a version it allows.", req.range))
                continue
            if entry.bundled:
                if b is not None and b.version == entry.version:
                    result.choices[name] = Choice(req, entry.version, bundled=b)
                else:
                    result.missing.append(f"{wanted} (version {entry.version}, locked in {lock_name})")
                continue
            inst = next((i for i in installs if i.version == entry.version), None)
            if inst is None:
                result.missing.append(f"{wanted} (version {entry.version}, locked in {lock_name})")
            elif not inst.all_hashes() & set(entry.hashes):
                result.errors.append(HclDiagnostic(
                    ERROR, "Installed plugin does not match the lock file",
                    f"The installed {req.source} {entry.version} (in {inst.dir}) has none of the hashes "
                    f"{lock_name} records for it: it is not the plugin this lock file was made with. If you "
                    f"trust it, run kiln plugins remove {req.source} {entry.version} and kiln init; otherwise "
                    "check where the lock file and the install came from.", req.range))
            else:
                result.choices[name] = Choice(req, entry.version, install=inst)
            continue
        inst = newest_install(installs, req.constraints)
        if inst is not None:
            result.choices[name] = Choice(req, inst.version, install=inst)
        elif b is not None and b.satisfies(req):
            result.choices[name] = Choice(req, b.version, bundled=b)
        else:
            result.missing.append(wanted)
    return result


def bundled_plugins(env: Mapping[str, str] | None = None, dists: Distributions | None = None) -> dict[str, Bundled]:
    """The bundled plugin distributions that declare a source, by source (their descriptions are cached)."""
    from kiln import log

    out: dict[str, Bundled] = {}
    for name, description in describe_distributions(env, dists):
        source, version = description.get("source"), description.get("version")
        if not isinstance(source, str) or not isinstance(version, str):
            continue
        try:
            normal = parse_source(source)
            parse_version(version)
        except (SourceError, ConstraintError) as err:
            log.get("plugins").warning("bundled plugin %s declares an invalid source or version: %s", name, err)
            continue
        out.setdefault(normal, Bundled(name, normal, version))
    return out


def required_choices(resolution: Resolution) -> dict[str, Path | str]:
    """What discovery needs: by local name, the chosen install's executable or bundled distribution's name."""
    out: dict[str, Path | str] = {}
    for name, choice in resolution.choices.items():
        if choice.install is not None:
            out[name] = choice.install.executable
        elif choice.bundled is not None:
            out[name] = choice.bundled.name
    return out
