"""The wheels of a plugin archive: the project's own, and one for every distribution it needs.

Each dependency's wheel comes from this interpreter's environment, so publishing needs no package index
when the plugin's dependencies are installed here (as they are where its tests ran): a distribution
installed from a local folder (editable or not) is built from that folder with ``pip wheel``; any other
is packed back into a wheel from its installed files (its ``RECORD``; kept in kiln-sdk's cache folder,
``~/.cache/kiln-sdk/wheels``, for the next publish). Only a dependency that is not
installed here, or whose installed version does not satisfy the requirement, is fetched with ``pip
wheel`` from the package index that pip is configured with.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIP_DIST_INFO = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


class WheelError(Exception):
    """A wheel could not be built or found; the message says which and why."""


def packaging() -> tuple[Any, Any, Any]:
    """(Requirement, Version, canonicalize_name) from ``packaging``, or the copy pip ships."""
    for base in ("packaging", "pip._vendor.packaging"):
        try:
            requirements = importlib.import_module(f"{base}.requirements")
            version = importlib.import_module(f"{base}.version")
            utils = importlib.import_module(f"{base}.utils")
        except ImportError:
            continue
        return requirements.Requirement, version.Version, utils.canonicalize_name
    raise WheelError("kiln-sdk publish needs pip (or the 'packaging' distribution) in this environment")


def pip(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], cwd=cwd,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def _pip_error(what: str, out: subprocess.CompletedProcess[str]) -> WheelError:
    lines = [line for line in (out.stderr + out.stdout).splitlines() if line.strip() and "WARNING" not in line]
    return WheelError(f"{what} failed (exit {out.returncode}):\n  " + "\n  ".join(lines[-12:]))


def _build_isolation() -> list[str]:
    """Build in this environment when it has setuptools (no index needed), else let pip isolate the build."""
    try:
        importlib.import_module("setuptools")
    except ImportError:
        return []
    return ["--no-build-isolation"]


def build_project(project: Path, out: Path) -> Path:
    """The wheel of the project in ``project``, built into ``out``."""
    before = set(out.glob("*.whl"))
    built = pip("wheel", "--no-deps", "--no-index", *_build_isolation(), "-q", "-w", str(out), str(project))
    if built.returncode != 0:
        raise _pip_error(f"building the wheel of {project}", built)
    new = sorted(set(out.glob("*.whl")) - before)
    if len(new) != 1:
        raise WheelError(f"building {project} made {len(new)} wheels, expected one")
    return new[0]


@dataclass(frozen=True)
class WheelInfo:
    name: str
    version: str
    requires: tuple[str, ...]
    scripts: dict[str, str]  # console script -> entry point


def wheel_info(path: Path) -> WheelInfo:
    """Name, version, Requires-Dist and console scripts of a wheel file."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta_name = next((n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")), None)
        if meta_name is None:
            raise WheelError(f"{path.name} has no .dist-info/METADATA")
        from email.parser import HeaderParser

        headers = HeaderParser().parsestr(zf.read(meta_name).decode())
        scripts: dict[str, str] = {}
        ep_name = meta_name.replace("METADATA", "entry_points.txt")
        if ep_name in names:
            section = ""
            for line in zf.read(ep_name).decode().splitlines():
                line = line.strip()
                if line.startswith("["):
                    section = line.strip("[]")
                elif section == "console_scripts" and "=" in line:
                    key, value = (p.strip() for p in line.split("=", 1))
                    scripts[key] = value
    return WheelInfo(str(headers["Name"]), str(headers["Version"]), tuple(headers.get_all("Requires-Dist") or ()),
                     scripts)


def _applies(req: Any, extras: Iterable[str]) -> bool:
    """Whether a requirement's marker holds here, for a parent installed with ``extras``."""
    return req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (*extras, ""))


def closure(requires: Iterable[str]) -> tuple[list[metadata.Distribution], list[str]]:
    """The installed distributions that ``requires`` needs, transitively (each once, sorted by name), and
    the requirements that no installed distribution satisfies."""
    Requirement, Version, canonical = packaging()
    found: dict[str, metadata.Distribution] = {}
    extras_done: dict[str, set[str]] = {}
    missing: list[str] = []
    queue = [req for req in map(Requirement, requires) if _applies(req, ())]
    while queue:
        req = queue.pop(0)
        key = canonical(req.name)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            missing.append(str(req))
            continue
        if not req.specifier.contains(Version(dist.version), prereleases=True):
            missing.append(str(req))
            continue
        first = key not in found
        wanted = set(req.extras) - extras_done.get(key, set())
        if not first and not wanted:
            continue
        found[key] = dist
        extras_done.setdefault(key, set()).update(req.extras)
        for sub in map(Requirement, dist.requires or []):
            by_extra = sub.marker is not None and "extra" in str(sub.marker)
            if (first and not by_extra and _applies(sub, ())) or (by_extra and wanted and _applies(sub, wanted)):
                queue.append(sub)
    return [found[k] for k in sorted(found)], sorted(set(missing))


def _local_source(dist: metadata.Distribution) -> Path | None:
    """The folder a distribution was installed from (``pip install [-e] DIR``), if it still exists."""
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    url = info.get("url", "")
    if "dir_info" in info and url.startswith("file://"):
        path = Path(url[len("file://"):])
        return path if (path / "pyproject.toml").is_file() or (path / "setup.py").is_file() else None
    return None


def _tag_string(tags: list[str]) -> str:
    """``cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`` from WHEEL's Tag lines."""
    parts: list[list[str]] = [[], [], []]
    for tag in tags:
        for i, piece in enumerate(tag.split("-")):
            for p in piece.split("."):
                if p not in parts[i]:
                    parts[i].append(p)
    return "-".join(".".join(p) for p in parts)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _write_member(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, _EPOCH)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def repack(dist: metadata.Distribution, out: Path) -> Path:
    """A wheel of an installed distribution, made from its installed files (its RECORD), byte for byte
    the same for the same files. Scripts and data outside site-packages are left out (pip writes console
    scripts again from entry_points.txt)."""
    files = dist.files
    wheel_text = dist.read_text("WHEEL")
    if files is None or wheel_text is None:
        raise WheelError(f"{dist.metadata['Name']} {dist.version} was not installed from a wheel (no RECORD or "
                         "WHEEL file): reinstall it with pip")
    tags = [line.split(":", 1)[1].strip() for line in wheel_text.splitlines() if line.startswith("Tag:")]
    if not tags:
        raise WheelError(f"{dist.metadata['Name']}: its WHEEL file names no tag")
    name = re.sub(r"[-_.]+", "_", str(dist.metadata["Name"])).lower()
    target = out / f"{name}-{dist.version}-{_tag_string(tags)}.whl"
    site = Path(str(dist.locate_file("")))
    records: list[tuple[str, str, str]] = []
    members: list[tuple[str, Path]] = []
    dist_info = ""
    for f in files:
        rel = str(f)
        if rel.startswith("..") or os.path.isabs(rel) or "__pycache__" in f.parts or rel.endswith(".pyc"):
            continue
        if f.parts[0].endswith(".dist-info"):
            dist_info = f.parts[0]
            if len(f.parts) == 2 and f.parts[1] in _SKIP_DIST_INFO:
                continue
        members.append((rel, site / rel))
    if not dist_info:
        raise WheelError(f"{dist.metadata['Name']}: its RECORD lists no .dist-info folder")
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        for rel, path in sorted(members):
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise WheelError(f"{dist.metadata['Name']} {dist.version}: installed file {rel} cannot be read "
                                 f"({exc.strerror}): reinstall it") from None
            _write_member(zf, rel, data, 0o755 if os.access(path, os.X_OK) else 0o644)
            records.append((rel, _record_hash(data), str(len(data))))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerows(records)
        writer.writerow((f"{dist_info}/RECORD", "", ""))
        _write_member(zf, f"{dist_info}/RECORD", buf.getvalue().encode())
    os.replace(tmp, target)
    return target


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kiln-sdk" / "wheels"


def cached_repack(dist: metadata.Distribution, out: Path) -> Path:
    """``repack``, kept in kiln-sdk's cache under a digest of the distribution's RECORD and WHEEL files
    (an install that changed has another RECORD), and copied into ``out``."""
    record = dist.read_text("RECORD") or ""
    key = hashlib.sha256(f"{dist.metadata['Name']}\0{dist.version}\0{record}\0{dist.read_text('WHEEL')}".encode())
    folder = cache_dir() / key.hexdigest()[:32]
    found = sorted(folder.glob("*.whl")) if folder.is_dir() else []
    if not found:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            found = [repack(dist, folder)]  # written as .part and renamed: whole or absent
        except OSError:  # no cache (read-only home): just build it
            return repack(dist, out)
    target = out / found[0].name
    shutil.copyfile(found[0], target)
    return target


def dependency_wheels(requires: Iterable[str], out: Path) -> list[Path]:
    """Wheels of every distribution ``requires`` needs, into ``out``."""
    dists, missing = closure(requires)
    made: list[Path] = []
    for dist in dists:
        source = _local_source(dist)
        if source is not None:
            made.append(build_project(source, out))
        else:
            made.append(cached_repack(dist, out))
    if missing:  # not installed here: from the package index pip is configured with
        fetched = pip("wheel", "-q", "--find-links", str(out), "-w", str(out), *missing)
        if fetched.returncode != 0:
            raise _pip_error("fetching the wheels of " + ", ".join(missing), fetched)
    return made


def _uv() -> str | None:
    """uv's executable, when it is installed beside this interpreter or on PATH (kiln installs it)."""
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else shutil.which("uv")


def check_complete(requirement: str, wheels: Path) -> None:
    """``requirement`` resolves from ``wheels`` alone (no index), on this interpreter: uv's resolver when
    uv is there (a tenth of a second), else pip's (``install --dry-run``, seconds)."""
    what = f"resolving {requirement} from its archive's wheels alone (the self-containment check)"
    uv = _uv()
    if uv is not None:
        out = subprocess.run([uv, "pip", "compile", "--no-config", "--no-cache", "--quiet", "--no-index",
                              "--find-links", str(wheels), "--python", sys.executable, "-"], input=requirement + "\n",
                             capture_output=True, text=True)
    else:
        out = pip("install", "--isolated", "--dry-run", "--ignore-installed", "--no-index", "--find-links",
                  str(wheels), "-q", requirement)
    if out.returncode != 0:
        raise _pip_error(what, out)
