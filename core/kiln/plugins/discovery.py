"""Where components come from: the bundled plugin, KILN_PLUGIN_PATH and the installed plugin directory.

A plugin executable is named ``kiln-plugin-NAME``; its components are named ``NAME-COMPONENT``
(a component called ``-packer-default-plugin-name-`` is just ``NAME``), as Packer names them.
The bundled plugin's components keep their bare names (``null``, ``shell-local``, ``manifest``).
Descriptions are cached (one JSON file in the user cache directory, shared by every verb and replaced
atomically, so concurrent kiln runs never see half a file) under a key made from content: for a Python
plugin package (the bundled plugins, a distribution of the ``kiln.plugins`` entry point group) the
path, size and modification time (ns) of every file of its package tree and of the SDK's, so an edit
of any file of an editable install is seen; for an executable on the plugin path, the file itself
(and, for a console script of this interpreter, its package tree). A run that changed nothing starts
no process to learn what plugins offer, nor to learn their components' config schemas: a description
carries them (``components``), so the core decodes every block before any plugin process answers. A describe that fails or hangs (``KILN_PLUGIN_DESCRIBE_TIMEOUT``,
default 10 s) is cached too, under the same key: it costs its time-out once, not on every command.

Only what the template needs runs: an executable on the plugin path is described (run) the first time a
component whose name it could provide is looked up (``kiln-plugin-hello`` for ``hello-world``), never
otherwise. Before that, its file, the folders from the plugin folder down to it, and — through a
symlink — the target and its folder are checked: one that every user may write, or that is owned by
another user (root excepted), is refused with the reason and the fix, since whoever can change it could
run their code as you.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pwd
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiln import log
from kiln.plugins.installed import METADATA, Install, list_installs
from kiln.plugins.paths import PREFIX, plugin_dirs, user_cache_dir, user_config_dir

DEFAULT_NAME = "-packer-default-plugin-name-"
KIND_KEYS = {"builder": "builders", "provisioner": "provisioners", "post-processor": "post_processors",
             "datasource": "datasources"}
__all__ = ["PREFIX", "Catalog", "ComponentSource", "DiscoveryError", "PluginExecutable", "bundled",
           "bundled_distributions", "describe_distributions", "discover", "distributions", "plugin_dirs",
           "user_cache_dir", "user_config_dir"]
_log = log.get("discovery")


class DiscoveryError(Exception):
    pass


@dataclass(frozen=True)
class PluginExecutable:
    command: tuple[str, ...]
    label: str  # for messages: "bundled" or the executable's file name
    fingerprint: str  # the cache key: a digest of the content it runs (see content_key)


@dataclass(frozen=True)
class ComponentSource:
    """Where a component comes from: the executable, the name it has inside that executable, and the
    schema of its config as the (cached) description gave it, so decoding starts no process (None: the
    description had none, ask the process)."""

    executable: PluginExecutable
    own_name: str
    config_schema: Mapping[str, object] | None = field(default=None, compare=False, hash=False)


def _config_schema(description: Mapping[str, object], key: str, name: str) -> Mapping[str, object] | None:
    """The JSON config schema of component ``name`` (of kind ``key``) in a description; None when it has
    none (a plugin built against an older SDK, or a component that failed to load when described)."""
    entries = description.get("components")
    entry = entries.get(key, {}).get(name) if isinstance(entries, dict) and isinstance(entries.get(key), dict) \
        else None
    schema = entry.get("config") if isinstance(entry, dict) else None
    return schema if isinstance(schema, dict) else None


@dataclass
class Catalog:
    """(kind, component name as templates write it) -> where it comes from."""

    components: dict[tuple[str, str], ComponentSource] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # plugin name -> why it could not be described
    refused: dict[str, str] = field(default_factory=dict)  # plugin name -> why it is not run at all
    pending: list[tuple[str, PluginExecutable]] = field(default_factory=list)  # not described yet
    describe: Callable[[PluginExecutable], dict[str, object]] | None = None
    described: Callable[[], None] | None = None  # called after lazy describes (saves the cache)

    def find(self, kind: str, name: str) -> ComponentSource | None:
        found = self.components.get((kind, name))
        if found is None and self._describe_for(name):
            found = self.components.get((kind, name))
        return found

    def _describe_for(self, name: str) -> bool:
        """Describe the pending plugins that could provide ``name``; True if there were any."""
        wanted = [(p, e) for p, e in self.pending if name == p or name.startswith(p + "-")]
        if not wanted:
            return False
        self.pending = [pe for pe in self.pending if pe not in wanted]
        for plugin, exe in wanted:
            self.add(plugin, exe)
        if self.described is not None:
            self.described()
        return True

    def describe_all(self) -> None:
        """Describe every plugin not described yet (``kiln cleanup`` looks for any component)."""
        pending, self.pending = self.pending, []
        for plugin, exe in pending:
            self.add(plugin, exe)
        if pending and self.described is not None:
            self.described()

    def add(self, plugin: str, exe: PluginExecutable) -> None:
        """Describe ``exe`` (plugin ``plugin``) and add its components (first come, first kept)."""
        assert self.describe is not None
        try:
            description = self.describe(exe)
        except DiscoveryError as exc:
            _log.warning("%s", exc)
            self.broken.setdefault(plugin, str(exc))
            return
        for kind, key in KIND_KEYS.items():
            for component in description.get(key, []):  # type: ignore[attr-defined]
                full = plugin if component == DEFAULT_NAME else f"{plugin}-{component}"
                self.components.setdefault(
                    (kind, full), ComponentSource(exe, component, _config_schema(description, key, component)))

    def why_missing(self, name: str) -> str:
        """Why a component ``name`` that no plugin provides may be missing: the error of each plugin that
        would provide it (``hello`` for ``hello-my-builder``) but could not be described, or was refused
        (see :func:`unsafe_reason`); "" if none."""
        return "\n".join(error for plugin, error in sorted({**self.broken, **self.refused}.items())
                         if name == plugin or name.startswith(plugin + "-"))

    def names(self, kind: str) -> list[str]:
        """The components of ``kind`` known so far (plugins on the path that were not needed are not
        described, so theirs are not listed)."""
        return sorted(n for k, n in self.components if k == kind)


def _tree_entries(root: Path) -> list[str]:
    """``relpath:size:mtime_ns`` of every file under ``root`` (``__pycache__`` left out: compiling does
    not change what a plugin offers), sorted."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in filenames:
            full = os.path.join(dirpath, name)
            try:
                st = os.stat(full)
            except OSError:
                continue
            out.append(f"{os.path.relpath(full, root)}:{st.st_size}:{st.st_mtime_ns}")
    return sorted(out)


def _file_entry(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _package_root(module: str) -> Path | None:
    """The directory (or file) of the top-level package of ``module``, located without importing it."""
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return origin.parent if origin.name == "__init__.py" else origin


def content_key(*parts: str, packages: tuple[str, ...] = (), files: tuple[Path, ...] = (),
                memo: dict[Path, list[str]] | None = None) -> str:
    """A digest of what a plugin runs: ``parts`` (its command), every file of ``packages``' trees and
    the SDK's (size and mtime in ns), and ``files``. ``memo`` keeps each tree's listing for one discovery
    (every Python plugin shares the SDK's tree)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for package in (*packages, "kiln_sdk"):
        root = _package_root(package)
        digest.update(f"package {package} {root}\n".encode())
        if root is not None:
            entries = memo.get(root) if memo is not None else None
            if entries is None:
                entries = _tree_entries(root) if root.is_dir() else [_file_entry(root)]
                if memo is not None:
                    memo[root] = entries
            digest.update("\n".join(entries).encode())
    for f in files:
        digest.update(_file_entry(f).encode() + b"\n")
    return digest.hexdigest()


_CONSOLE_SCRIPT = re.compile(r"^from ([\w.]+) import \w+", re.M)


def _executable_key(path: Path, memo: dict[Path, list[str]] | None = None) -> str:
    """The key of a plugin executable on the plugin path: the file (through symlinks), and when it is a
    console script of this interpreter (pip's ``from PACKAGE.main import main``), its package tree."""
    real = Path(os.path.realpath(path))
    packages: tuple[str, ...] = ()
    try:
        with open(real, "rb") as f:
            head = f.read(4096)
    except OSError:
        head = b""
    if head.startswith(b"#!") and os.path.realpath(head[2:].split(b"\n", 1)[0].strip().decode(errors="replace")) \
            == os.path.realpath(sys.executable):
        match = _CONSOLE_SCRIPT.search(head.decode(errors="replace"))
        if match:
            packages = (match[1],)
    return content_key(str(path), packages=packages, files=(path, real), memo=memo)


BUNDLED_COMMAND = (sys.executable, "-m", "kiln_plugins")


def bundled(memo: dict[Path, list[str]] | None = None) -> PluginExecutable:
    if _package_root("kiln_plugins") is None:  # located without importing it
        raise DiscoveryError("the bundled plugins (package kiln_plugins) are not installed; reinstall kiln")
    return PluginExecutable(BUNDLED_COMMAND, "bundled", content_key(*BUNDLED_COMMAND, packages=("kiln_plugins",),
                                                                    memo=memo))


ENTRY_POINT_GROUP = "kiln.plugins"


def _metadata_key() -> str:
    """A digest of what ``importlib.metadata`` reads to list entry points: for every ``sys.path`` entry,
    its installed distributions (``*.dist-info``/``*.egg-info``) and their ``entry_points.txt`` files (size,
    mtime in ns, inode), so installing, removing or upgrading any distribution changes it."""
    digest = hashlib.sha256(f"entry points {ENTRY_POINT_GROUP}\0".encode())
    for entry in sys.path:
        digest.update(f"{entry}\0".encode(errors="replace"))
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip file or a missing folder
            digest.update(_file_entry(Path(entry or ".")).encode() + b"\n")
            continue
        for name in names:
            meta = Path(entry or ".", name)
            digest.update((_file_entry(meta) + _file_entry(meta / "entry_points.txt")).encode() + b"\n")
    return digest.hexdigest()


def _entry_points(cache: DescribeCache | None) -> list[tuple[str, str]]:
    """(name, value) of every ``kiln.plugins`` entry point, sorted by name. Listing them costs more than
    the rest of discovery (importing ``importlib.metadata`` and reading every distribution's metadata), so
    the list is cached under :func:`_metadata_key`."""
    key = f"entry-points:{_metadata_key()}" if cache is not None else ""
    cached = cache.data.get(key) if cache is not None else None
    found = cached.get("entry_points") if isinstance(cached, dict) else None
    if isinstance(found, list) and all(isinstance(e, list) and len(e) == 2 for e in found):
        return [(str(name), str(value)) for name, value in found]
    from importlib.metadata import entry_points

    listed = sorted(((ep.name, ep.value) for ep in entry_points(group=ENTRY_POINT_GROUP)), key=lambda e: e[0])
    if cache is not None:
        cache.data[key] = cache.new[key] = {"entry_points": [list(e) for e in listed]}
    return listed


def bundled_distributions(cache: DescribeCache | None = None,
                          memo: dict[Path, list[str]] | None = None) -> list[tuple[str, PluginExecutable]]:
    """Plugin distributions installed with kiln (entry point group ``kiln.plugins``), by plugin name.

    A distribution such as kiln-plugin-amazon declares ``amazon = "kiln_plugin_amazon.main:main"``;
    its components are named as an installed ``kiln-plugin-amazon`` executable's would be
    (``amazon-ebs``, ``amazon-ami``). The core runs it with its own interpreter.
    """
    found: list[tuple[str, PluginExecutable]] = []
    for name, value in _entry_points(cache):
        module, _, attr = value.partition(":")
        if _package_root(module) is None or not attr:
            _log.warning("plugin distribution %s (%s) is not importable; skipped", name, value)
            continue
        command = (sys.executable, "-c", f"import sys; from {module} import {attr}; sys.exit({attr}())")
        found.append((name, PluginExecutable(command, f"{PREFIX}{name}",
                                             content_key(*command, packages=(module,), memo=memo))))
    return found


def _executables(dirs: Sequence[Path]) -> list[tuple[Path, Path]]:
    """Loose ``kiln-plugin-*`` executables under ``dirs``. Installs (folders with a ``kiln-install.json``)
    are not searched (they are offered through their metadata, and their environments can hold thousands
    of files), nor are hidden folders (an install being written or removed). Each with the plugin folder
    it was found in."""
    found: list[tuple[Path, Path]] = []
    for d in dirs:
        for dirpath, dirnames, filenames in os.walk(d):
            if METADATA in filenames:
                dirnames[:] = []
                continue
            dirnames[:] = [n for n in dirnames if not n.startswith(".")]
            for name in filenames:
                if not name.startswith(PREFIX) or name.endswith(("_SHA256SUM", ".sha256")):
                    continue
                path = Path(dirpath, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111:
                    found.append((path, d))
    return sorted(found)


def _owner(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name}, uid {uid}"
    except KeyError:
        return f"uid {uid}"


def _unsafe(path: Path, what: str) -> str | None:
    """Why ``path`` (a file or folder a plugin runs from) is unsafe for this user, or None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot check {what} {path}: {exc.strerror or exc}"
    if st.st_mode & stat.S_IWOTH:
        return (f"{what} {path} is writable by every user (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"make it writable by its owner only: chmod o-w {path}")
    if st.st_uid not in (os.getuid(), 0):
        return (f"{what} {path} is owned by another user ({_owner(st.st_uid)}), not by you or root; "
                f"if you trust it, take it over: chown {os.getuid()} {path}")
    return None


def unsafe_reason(path: Path, root: Path) -> str | None:
    """Why the plugin executable ``path``, found in the plugin folder ``root``, must not run (None: it
    may): the file, each folder from ``root`` down to it, and for a symlink its target and the
    target's folder must be writable by no other user and owned by this user or root."""
    checks: list[tuple[Path, str]] = []
    folder = path.parent
    folders = [folder]
    while folder != root and root in folder.parents:
        folder = folder.parent
        folders.append(folder)
    checks += [(f, "the plugin folder") for f in reversed(folders)]
    real = Path(os.path.realpath(path))
    if real != path.absolute():  # a symlink's own mode means nothing: its target is what runs
        checks += [(real.parent, "the folder of the symlink's target"), (real, "the symlink's target")]
    else:
        checks.append((path, "the plugin file"))
    for target, what in checks:
        why = _unsafe(target, what)
        if why:
            return f"refusing to run the plugin {path}: {why}"
    return None


def _plugin_name(path: Path) -> str:
    # kiln-plugin-amazon_v1.2.0_x1.0_linux_amd64 -> amazon
    return path.name[len(PREFIX):].split("_v", 1)[0].split("_", 1)[0]


DEFAULT_DESCRIBE_TIMEOUT = 10.0
CACHE_VERSION = 2  # bump when the cache's layout or keys change


class DescribeCache:
    """``describe`` results by content key, in one JSON file replaced atomically."""

    def __init__(self, path: Path, timeout: float = DEFAULT_DESCRIBE_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self.data = self._read()
        self.new: dict[str, dict[str, object]] = {}

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            raw = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION or not isinstance(raw.get("entries"), dict):
            return {}
        return raw["entries"]  # type: ignore[no-any-return]

    def describe(self, exe: PluginExecutable) -> dict[str, object]:
        cached = self.data.get(exe.fingerprint)
        if cached is None:
            cached = self._run(exe)
            self.data[exe.fingerprint] = self.new[exe.fingerprint] = cached
        if "error" in cached:
            raise DiscoveryError(str(cached["error"]))
        return cached

    def _run(self, exe: PluginExecutable) -> dict[str, object]:
        _log.debug("describing %s", " ".join(exe.command))
        try:
            out = subprocess.run([*exe.command, "describe"], capture_output=True, text=True, timeout=self.timeout,
                                 stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"error": f"plugin {exe.label} did not describe itself within {self.timeout:g}s "
                             "(KILN_PLUGIN_DESCRIBE_TIMEOUT); it is skipped until it changes"}
        except OSError as exc:
            return {"error": f"could not ask plugin {exe.label} what it provides: {exc}"}
        if out.returncode != 0:
            # the traceback goes to the log; the error names the exception (its last line)
            _log.warning("plugin %s failed to describe itself (exit %d):\n%s", exe.label, out.returncode,
                         out.stderr.strip())
            last = (out.stderr.strip().splitlines() or ["(no output)"])[-1].strip()
            return {"error": f"plugin {exe.label} failed to describe itself (exit {out.returncode}): {last[:500]}"}
        try:
            description = json.loads(out.stdout)
        except ValueError:
            return {"error": f"plugin {exe.label} printed an invalid description: {out.stdout[:200]!r}"}
        if not isinstance(description, dict):
            return {"error": f"plugin {exe.label} printed an invalid description: {out.stdout[:200]!r}"}
        return description

    def save(self) -> None:
        """Merge what this run learnt into the file as it is now (another run may have written it), and
        replace it in one rename."""
        if not self.new:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            merged = {**self._read(), **self.new}
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{id(self)}.tmp")
            tmp.write_text(json.dumps({"version": CACHE_VERSION, "entries": merged}))
            os.replace(tmp, self.path)
        except OSError as exc:  # a cache that cannot be written only costs time
            _log.debug("could not write describe cache %s: %s", self.path, exc)


def _cache(env: Mapping[str, str]) -> DescribeCache:
    try:
        timeout = float(env.get("KILN_PLUGIN_DESCRIBE_TIMEOUT", "")) or DEFAULT_DESCRIBE_TIMEOUT
    except ValueError:
        timeout = DEFAULT_DESCRIBE_TIMEOUT
    return DescribeCache(user_cache_dir(env) / "describe-cache.json", timeout)


Distributions = Sequence[tuple[str, PluginExecutable]]


def describe_distributions(env: Mapping[str, str] | None = None,
                           dists: Distributions | None = None) -> list[tuple[str, dict[str, object]]]:
    """(plugin name, description) of every bundled plugin distribution that describes itself (the
    description holds its ``version`` and the ``source`` it satisfies); cached as ``discover`` caches.
    ``dists``: ``bundled_distributions()`` when the caller has it already (computing it reads every file)."""
    env = os.environ if env is None else env
    cache = _cache(env)
    out = []
    for name, exe in bundled_distributions(cache) if dists is None else dists:
        try:
            out.append((name, cache.describe(exe)))
        except DiscoveryError as exc:
            _log.warning("%s", exc)
    cache.save()
    return out


def distributions(env: Mapping[str, str] | None = None) -> list[tuple[str, PluginExecutable]]:
    """The bundled distributions, listed once for a run that needs them before ``discover`` (pass them
    on as its ``dists``): listing them reads every file of their packages (the entry points are listed
    through the describe cache, as ``discover`` lists them)."""
    cache = _cache(os.environ if env is None else env)
    found = bundled_distributions(cache)
    cache.save()
    return found


Required = Mapping[str, "Path | str"]
"""What a template's requirements chose, by local name: an installed plugin's executable (a Path) or the
name of a bundled plugin distribution (a str)."""


def discover(env: Mapping[str, str] | None = None, required: Required | None = None,
             dists: Distributions | None = None) -> Catalog:
    """Every component this run can use. Components of a plugin ``required`` under a local name are
    named with that name (``hello-greeter``) and come first; then the bundled distributions, the newest
    install of every other installed source, and loose ``kiln-plugin-*`` executables on the plugin path."""
    env = os.environ if env is None else env
    required = required or {}
    cache = _cache(env)
    catalog = Catalog(describe=cache.describe, described=cache.save)
    memo: dict[Path, list[str]] = {}
    exe = bundled(memo)
    own = cache.describe(exe)
    for kind, key in KIND_KEYS.items():
        for name in own.get(key, []):  # type: ignore[attr-defined]
            catalog.components[(kind, name)] = ComponentSource(exe, name, _config_schema(own, key, name))
    dists = list(bundled_distributions(cache, memo) if dists is None else dists)
    by_name = dict(dists)
    dirs = plugin_dirs(env)
    listing = list_installs(dirs)
    required_sources: set[str] = set()
    candidates: list[tuple[str, PluginExecutable]] = []
    for local, choice in sorted(required.items()):
        if isinstance(choice, str):
            if choice in by_name:
                candidates.append((local, by_name[choice]))
        else:
            candidates.append((local, _installed_executable(choice)))
            required_sources.update(i.source for i in listing.installs if i.executable == choice)
    candidates += dists
    newest: dict[str, Install] = {}
    for inst in listing.installs:  # sorted oldest first: the last one of a source is its newest
        if inst.source not in required_sources:
            newest[inst.source] = inst
    candidates += [(inst.name, _installed_executable(inst.executable)) for inst in newest.values()]
    for plugin, ext in candidates:  # required, installed with kiln, or installed by kiln: described now
        catalog.add(plugin, ext)
    for path, root in _executables(dirs):  # loose executables: checked, and run only when needed
        plugin = _plugin_name(path)
        why = unsafe_reason(path, root)
        if why is not None:
            _log.warning("%s", why)
            catalog.refused.setdefault(plugin, why)
            continue
        catalog.pending.append((plugin, PluginExecutable((str(path),), path.name, _executable_key(path, memo))))
    cache.save()
    return catalog


def _installed_executable(path: Path) -> PluginExecutable:
    """An install's executable. A Python script beside its environment's ``python`` (pip's console script
    in ``venv/bin``) is run by that interpreter, not through its ``#!`` line: that line holds the absolute
    path the install was built at, and an install is built in a temporary folder and renamed into place.
    The key is the executable and the install's ``kiln-install.json`` (size, mtime, inode): a reinstall
    of the same version is a new folder, so a stale description is never reused."""
    root = path.parents[2] if len(path.parents) > 2 else path.parent  # <version>/venv/bin/kiln-plugin-x
    meta = root / "kiln-install.json"
    command: tuple[str, ...] = (str(path),)
    python = path.parent / "python"
    try:
        with open(path, "rb") as f:
            first = f.readline(512)
    except OSError:
        first = b""
    if first.startswith(b"#!") and b"python" in first and python.exists():
        command = (str(python), str(path))
    return PluginExecutable(command, path.name, content_key(*command, files=(path, meta)))
