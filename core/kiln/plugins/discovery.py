"""Where components come from: the bundled plugin, KILN_PLUGIN_PATH and the installed plugin directory.

A plugin executable is named ``kiln-plugin-NAME``; its components are named ``NAME-COMPONENT``
(a component called ``-packer-default-plugin-name-`` is just ``NAME``), as Packer names them.
The bundled plugin's components keep their bare names (``null``, ``shell-local``, ``manifest``).
Descriptions are cached by executable path, size and modification time, so a run that changed
nothing starts no process to learn what plugins offer.
"""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiln import log

PREFIX = "kiln-plugin-"
DEFAULT_NAME = "-packer-default-plugin-name-"
KIND_KEYS = {"builder": "builders", "provisioner": "provisioners", "post-processor": "post_processors",
             "datasource": "datasources"}
_log = log.get("discovery")


class DiscoveryError(Exception):
    pass


@dataclass(frozen=True)
class PluginExecutable:
    command: tuple[str, ...]
    label: str  # for messages: "bundled" or the executable's file name
    fingerprint: str  # path:size:mtime, the cache key


@dataclass(frozen=True)
class ComponentSource:
    """Where a component comes from: the executable, and the name it has inside that executable."""

    executable: PluginExecutable
    own_name: str


@dataclass
class Catalog:
    """(kind, component name as templates write it) -> where it comes from."""

    components: dict[tuple[str, str], ComponentSource] = field(default_factory=dict)

    def find(self, kind: str, name: str) -> ComponentSource | None:
        return self.components.get((kind, name))

    def names(self, kind: str) -> list[str]:
        return sorted(n for k, n in self.components if k == kind)


def user_config_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "~"), ".config")
    return Path(base).expanduser() / "kiln"


def user_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME", "~"), ".cache")
    return Path(base).expanduser() / "kiln"


def plugin_dirs(env: Mapping[str, str]) -> list[Path]:
    """KILN_PLUGIN_PATH (colon-separated), else the user config dir's ``plugins`` folder."""
    configured = env.get("KILN_PLUGIN_PATH")
    if configured:
        return [Path(p).expanduser() for p in configured.split(os.pathsep) if p]
    return [user_config_dir(env) / "plugins"]


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def bundled() -> PluginExecutable:
    spec = importlib.util.find_spec("kiln_plugins")  # locates the package without importing it
    if spec is None or spec.origin is None:
        raise DiscoveryError("the bundled plugins (package kiln_plugins) are not installed; reinstall kiln")
    main = Path(spec.origin).parent / "main.py"
    return PluginExecutable((sys.executable, "-m", "kiln_plugins"), "bundled", _fingerprint(main))


ENTRY_POINT_GROUP = "kiln.plugins"


def bundled_distributions() -> list[tuple[str, PluginExecutable]]:
    """Plugin distributions installed with kiln (entry point group ``kiln.plugins``), by plugin name.

    A distribution such as kiln-plugin-amazon declares ``amazon = "kiln_plugin_amazon.main:main"``;
    its components are named as an installed ``kiln-plugin-amazon`` executable's would be
    (``amazon-ebs``, ``amazon-ami``). The core runs it with its own interpreter.
    """
    from importlib.metadata import entry_points

    found: list[tuple[str, PluginExecutable]] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        module, _, attr = ep.value.partition(":")
        spec = importlib.util.find_spec(module.split(".")[0])
        if spec is None or spec.origin is None or not attr:
            _log.warning("plugin distribution %s (%s) is not importable; skipped", ep.name, ep.value)
            continue
        code = f"import sys; from {module} import {attr}; sys.exit({attr}())"
        # a placeholder key (the package's __init__); the content-keyed cache replaces it
        found.append((ep.name, PluginExecutable((sys.executable, "-c", code), f"{PREFIX}{ep.name}",
                                                _fingerprint(Path(spec.origin)))))
    return found


def _executables(dirs: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.rglob(f"{PREFIX}*")):
            try:
                st = path.stat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111 and not path.name.endswith(("_SHA256SUM", ".sha256")):
                found.append(path)
    return found


def _plugin_name(path: Path) -> str:
    # kiln-plugin-amazon_v1.2.0_x1.0_linux_amd64 -> amazon
    return path.name[len(PREFIX):].split("_v", 1)[0].split("_", 1)[0]


class DescribeCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data: dict[str, dict[str, object]] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.data = {}
        self.dirty = False

    def describe(self, exe: PluginExecutable) -> dict[str, object]:
        cached = self.data.get(exe.fingerprint)
        if cached is not None:
            return cached
        _log.debug("describing %s", " ".join(exe.command))
        try:
            out = subprocess.run([*exe.command, "describe"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DiscoveryError(f"could not ask plugin {exe.label} what it provides: {exc}") from None
        if out.returncode != 0:
            raise DiscoveryError(
                f"plugin {exe.label} failed to describe itself (exit {out.returncode}): {out.stderr.strip()[-500:]}"
            )
        try:
            description = json.loads(out.stdout)
        except ValueError:
            raise DiscoveryError(f"plugin {exe.label} printed an invalid description: {out.stdout[:200]!r}") from None
        self.data[exe.fingerprint] = description
        self.dirty = True
        return description  # type: ignore[no-any-return]

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self.data))
            os.replace(tmp, self.path)
        except OSError as exc:  # a cache that cannot be written only costs time
            _log.debug("could not write describe cache %s: %s", self.path, exc)


def discover(env: Mapping[str, str] | None = None) -> Catalog:
    env = os.environ if env is None else env
    cache = DescribeCache(user_cache_dir(env) / "describe-cache.json")
    catalog = Catalog()
    exe = bundled()
    for kind, key in KIND_KEYS.items():
        for name in cache.describe(exe).get(key, []):  # type: ignore[attr-defined]
            catalog.components[(kind, name)] = ComponentSource(exe, name)
    candidates = bundled_distributions() + [
        (_plugin_name(path), PluginExecutable((str(path),), path.name, _fingerprint(path)))
        for path in _executables(plugin_dirs(env))
    ]
    for plugin, ext in candidates:
        try:
            description = cache.describe(ext)
        except DiscoveryError as exc:
            _log.warning("%s", exc)
            continue
        for kind, key in KIND_KEYS.items():
            for component in description.get(key, []):  # type: ignore[attr-defined]
                full = plugin if component == DEFAULT_NAME else f"{plugin}-{component}"
                catalog.components.setdefault((kind, full), ComponentSource(ext, component))
    cache.save()
    return catalog
