"""Installing a verified plugin archive: each version in its own isolated Python environment.

    <plugin dir>/<host>/<namespace>/<name>/<version>/
        kiln-install.json   {"source", "version", "archive_sha256", "hashes": ["sha256:..."], "executable", ...}
        venv/               the plugin's environment; venv/bin/kiln-plugin-<name> is what kiln runs

An install is whole or absent: it is built in a temporary sibling folder (``.<version>.tmp-*``, hidden, so
discovery never sees it), checked, and renamed into place; a reinstall (``-force``) swaps the new folder
for the old one in one ``renameat2(RENAME_EXCHANGE)`` where the kernel has it. A lock (flock) on the
plugin's folder makes two kiln runs installing the same plugin take turns; the one that waited finds the
version installed. Leftovers of a killed install are removed by the next install of that plugin.

Archives are checked member by member before anything is written: only ``kiln-archive.json`` and
``wheels/NAME.whl`` regular files are accepted (no ``..``, no absolute path, no link, no device), each
wheel must have the sha256 that the archive's manifest gives it and the manifest must list exactly the
wheels present. The environment is made with ``venv`` and filled from the archive's wheels alone (no index)
by ``uv pip install`` (``pip install`` when uv is missing); docs/registry.md has the measurements.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiln_sdk import registry

from kiln.plugins import installed

MEMBER_LIMIT = 1 << 30  # a wheel larger than 1 GiB is refused
TOTAL_LIMIT = 4 << 30


class InstallError(Exception):
    """The install failed; nothing was changed. The message says why."""


@dataclass(frozen=True)
class Installation:
    source: str
    version: str
    path: Path  # the version's folder
    executable: Path
    archive_sha256: str
    fresh: bool  # False: it was installed already (by an earlier or a concurrent run)


@contextmanager
def plugin_lock(folder: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the install lock of one plugin's folder (blocking; says so when it has to wait)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"Waiting for another kiln that is installing into {folder}...")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_leftovers(folder: Path) -> None:
    """Temporary folders of installs that were killed (only called with the plugin's lock held)."""
    for child in folder.iterdir():
        if child.name.startswith(".") and (".tmp-" in child.name or ".old-" in child.name) and child.is_dir():
            shutil.rmtree(child, ignore_errors=True)


def _check_member(info: zipfile.ZipInfo, archive: str) -> str:
    """The member's plain file name under ``wheels/`` ("" for the manifest); InstallError when it is not a
    file kiln accepts (zip-slip: ``..``, absolute paths, links, devices)."""
    name = info.filename
    what = f"{archive}: member {name!r}"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise InstallError(f"{what} has an absolute path; the archive is refused and nothing is installed")
    if "\\" in name or any(part in ("..", ".", "") for part in name.rstrip("/").split("/")):
        raise InstallError(f"{what} has a path outside its folder (.. or an empty part); the archive is refused "
                           "and nothing is installed")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise InstallError(f"{what} is a symbolic link; the archive is refused and nothing is installed")
    if info.is_dir() or (stat.S_IFMT(mode) and not stat.S_ISREG(mode)):  # no type bits: a plain file
        raise InstallError(f"{what} is not a regular file; the archive is refused and nothing is installed")
    if info.file_size > MEMBER_LIMIT:
        raise InstallError(f"{what} is larger than {MEMBER_LIMIT >> 20} MiB; the archive is refused")
    if name == registry.MANIFEST:
        return ""
    if not name.startswith(registry.WHEELS) or "/" in name[len(registry.WHEELS):] or not name.endswith(".whl"):
        raise InstallError(f"{what} is not {registry.MANIFEST} or a wheel in {registry.WHEELS}; the archive is "
                           "refused and nothing is installed")
    return name[len(registry.WHEELS):]


def check_archive(archive: Path, label: str) -> registry.Manifest:
    """Every check of ``unpack`` (members, manifest, each wheel's sha256), writing nothing: done before
    anything is created in the plugin directory, so a refused archive leaves it as it was."""
    return unpack(archive, None, label)


def unpack(archive: Path, dest: Path | None, label: str) -> registry.Manifest:
    """Check every member of the archive and write its wheels into ``dest`` (None: check only); the
    manifest."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InstallError(f"{label}: not a zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        names = [_check_member(info, label) for info in infos]
        if sum(i.file_size for i in infos) > TOTAL_LIMIT:
            raise InstallError(f"{label}: the archive unpacks to more than {TOTAL_LIMIT >> 30} GiB; refused")
        if "" not in names:
            raise InstallError(f"{label}: the archive has no {registry.MANIFEST}")
        if len(set(names)) != len(names):
            raise InstallError(f"{label}: the archive has a member twice; refused")
        try:
            manifest = registry.parse_manifest(zf.read(registry.MANIFEST), f"{label}: {registry.MANIFEST}")
        except registry.RegistryFormatError as exc:
            raise InstallError(str(exc)) from None
        except zipfile.BadZipFile as exc:
            raise InstallError(f"{label}: damaged archive ({exc})") from None
        expected = {w.filename: w.sha256 for w in manifest.wheels}
        present = {n for n in names if n}
        if present != set(expected):
            extra, missing = sorted(present - set(expected)), sorted(set(expected) - present)
            raise InstallError(f"{label}: the wheels present do not match {registry.MANIFEST} (not listed: "
                               f"{', '.join(extra) or 'none'}; missing: {', '.join(missing) or 'none'})")
        if dest is not None:
            dest.mkdir()
        for info, name in zip(infos, names, strict=True):
            if not name:
                continue
            digest = hashlib.sha256()
            try:
                with zf.open(info) as src, (open(os.devnull, "wb") if dest is None else os.fdopen(
                        os.open(dest / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "wb")) as out:
                    for chunk in iter(lambda: src.read(1 << 20), b""):  # noqa: B023 - read here, at once
                        digest.update(chunk)
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InstallError(f"{label}: damaged archive member {info.filename} ({exc})") from None
            if digest.hexdigest() != expected[name]:
                raise InstallError(f"{label}: {info.filename} has sha256 {digest.hexdigest()}, but "
                                   f"{registry.MANIFEST} says {expected[name]}: the archive was altered; nothing "
                                   "is installed")
    return manifest


def _uv() -> str | None:
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return shutil.which("uv")
    try:
        return str(find_uv_bin())
    except FileNotFoundError:
        return shutil.which("uv")


def _run(command: list[str], what: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV", "PYTHONPATH"))}
    env["UV_NO_CONFIG"] = "1"
    try:
        out = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{what} failed: {exc}") from None
    if out.returncode != 0:
        lines = [ln for ln in (out.stderr + out.stdout).splitlines() if ln.strip()]
        raise InstallError(f"{what} failed (exit {out.returncode}):\n  " + "\n  ".join(lines[-10:]))


def make_environment(venv: Path, wheels: Path, requirement: str) -> str:
    """A new isolated environment at ``venv`` with ``requirement`` installed from ``wheels`` alone; the
    tool that filled it."""
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", "--without-pip", str(venv)], "creating the plugin's environment")
    python = str(venv / "bin" / "python")
    choice = os.environ.get("KILN_PLUGIN_INSTALLER", "")  # "pip" or "uv": for measuring, or without uv
    uv = _uv() if choice != "pip" else None
    if choice == "uv" and uv is None:
        raise InstallError("KILN_PLUGIN_INSTALLER=uv, but uv is not installed (pip install uv)")
    if uv:
        _run([uv, "pip", "install", "--quiet", "--python", python, "--no-index", "--find-links", str(wheels),
              "--no-cache", "--link-mode", "copy", requirement], "installing the plugin's wheels (uv)")
        return "uv"
    _run([sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "--python", python, "install",
          "--quiet", "--no-compile", "--no-index", "--find-links", str(wheels), requirement],
         "installing the plugin's wheels (pip)")
    return "pip"


def relocate(venv_bin: Path, old: Path, new: Path) -> None:
    """Scripts name their interpreter by absolute path: point those of ``old`` (the temporary folder) at
    ``new`` (where the install is renamed to)."""
    before, after = str(old).encode(), str(new).encode()
    for script in venv_bin.iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        data = script.read_bytes()
        if before in data[:4096]:
            mode = script.stat().st_mode
            tmp = script.with_name(f".{script.name}.tmp")
            tmp.write_bytes(data.replace(before, after))
            os.chmod(tmp, stat.S_IMODE(mode))
            os.replace(tmp, script)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False when the kernel or libc cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return int(renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)) == 0


Obtain = Callable[[Path], tuple[Path, str]]
"""Given a temporary folder, put the verified archive there: (its path, its sha256)."""


def install(obtain: Obtain, source: registry.Source, version: str, plugin_dir: Path, force: bool = False,
            say: Callable[[str], None] = lambda _: None) -> Installation:
    """Install ``source`` ``version`` into ``plugin_dir`` from the archive ``obtain`` fetches (called with the
    plugin's lock held, and only when the version is not installed yet or ``force``)."""
    final = installed.install_dir(plugin_dir, str(source), version)
    executable = final / "venv" / "bin" / source.executable
    try:
        with plugin_lock(final.parent, say):
            _remove_leftovers(final.parent)
            if not force:
                try:
                    present = installed.read_install(final)
                except installed.InstallError:
                    pass  # none, or not a whole one: (re)install
                else:
                    return Installation(str(source), version, final, present.executable, present.archive_sha256,
                                        fresh=False)
            work = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{version}.tmp-"))
            try:
                archive, archive_sha256 = obtain(work)
                _build(archive, archive_sha256, source, version, work, final)
                if final.exists():
                    if not _exchange(work, final):  # the old install aside, then the new one in its place
                        aside = final.parent / f".{version}.old-{os.getpid()}"
                        os.replace(final, aside)
                        os.replace(work, final)
                        work = aside
                else:
                    os.replace(work, final)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        raise InstallError(f"cannot install into {final.parent}: {exc.strerror or exc}") from None
    return Installation(str(source), version, final, executable, archive_sha256, fresh=True)


def _build(archive: Path, archive_sha256: str, source: registry.Source, version: str, work: Path,
           final: Path) -> None:
    label = f"the archive of {source} {version}"
    manifest = unpack(archive, work / "wheels", label)
    if manifest.source != str(source) or manifest.version != version:
        raise InstallError(f"{label}: the archive holds {manifest.source} {manifest.version}, not {source} {version}")
    if manifest.executable != source.executable:
        raise InstallError(f"{label}: the archive's executable is {manifest.executable}, expected {source.executable}")
    tool = make_environment(work / "venv", work / "wheels", manifest.requirement)
    if not os.access(work / "venv" / "bin" / source.executable, os.X_OK):
        raise InstallError(f"{label}: installing {manifest.requirement} made no executable {source.executable}")
    relocate(work / "venv" / "bin", work, final)
    shutil.rmtree(work / "wheels")
    record = {"source": str(source), "version": version, "archive_sha256": archive_sha256,
              "hashes": [f"sha256:{archive_sha256}"], "executable": f"venv/bin/{source.executable}",
              "tag": manifest.tag, "installed_with": tool}
    with open(work / installed.METADATA, "w") as f:  # last: a folder without it is no install
        f.write(json.dumps(record, indent=2, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
