"""Real podman behind a ``docker`` command, and a small base image made offline, for the docker plugin.

podman on this kind of machine needs runc, cgroupfs, host networking and no default ulimits (see the
machine notes); ``write_docker_env(DIR)`` writes that containers.conf and a ``docker`` wrapper running
``podman --runtime runc`` into DIR, and returns the environment to use (the wrapper first on PATH,
CONTAINERS_CONF). ``docker commit`` gets ``--format docker`` (podman's OCI format has no commit message).
With KILN_DOCKER_CALL_LOG set, the wrapper appends each call's arguments to that file (the benchmark
counts docker calls with it).

``ensure_base_image(env)`` makes ``localhost/kiln-base:busybox`` once: Debian's busybox-static
(``/bin/busybox``) and its applet links in an empty root, ``podman import``-ed (well under a second).

    from tests.podman_fixture import docker_env, base_image  # noqa: F401  (pytest fixtures)

Outside pytest (the Makefile's demo, the benchmark): ``python tests/podman_fixture.py DIR`` writes DIR's
files and the base image, and prints the two environment settings.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

BASE_IMAGE = "localhost/kiln-base:busybox"
BUSYBOX = "/bin/busybox"

CONTAINERS_CONF = """\
# podman settings that work on this kind of machine (runc, cgroupfs, host network, no ulimits)
[containers]
default_ulimits = []
netns = "host"
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
"""

WRAPPER = """\
#!/bin/sh
# docker -> podman, with this machine's settings (written by tests/podman_fixture.py)
CONTAINERS_CONF="${{CONTAINERS_CONF:-{conf}}}"
export CONTAINERS_CONF
if [ -n "$KILN_DOCKER_CALL_LOG" ]; then printf '%s\\n' "$*" >> "$KILN_DOCKER_CALL_LOG"; fi
if [ "$1" = commit ]; then shift; exec {podman} --runtime runc commit --format docker "$@"; fi
exec {podman} --runtime runc "$@"
"""


def write_docker_env(directory: Path) -> dict[str, str]:
    """Write DIR/containers.conf and DIR/bin/docker; return the environment settings that use them."""
    podman = shutil.which("podman")
    if podman is None:
        raise RuntimeError("podman is not installed: run `make deps` (apt-get install podman runc)")
    directory.mkdir(parents=True, exist_ok=True)
    conf = directory / "containers.conf"
    _write_atomic(conf, CONTAINERS_CONF, 0o644)
    bindir = directory / "bin"
    bindir.mkdir(exist_ok=True)
    _write_atomic(bindir / "docker", WRAPPER.format(conf=conf, podman=podman), 0o755)
    return {"PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "CONTAINERS_CONF": str(conf)}


def _write_atomic(path: Path, text: str, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    tmp.chmod(mode)
    os.replace(tmp, path)


def podman(env: dict[str, str], *args: str, check: bool = True, input_bytes: bytes | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    full = {**os.environ, **env}
    return subprocess.run(["docker", *args], env=full, capture_output=True, check=check, input=input_bytes,
                          timeout=timeout)


def image_exists(env: dict[str, str], name: str) -> bool:
    full = {**os.environ, **env}
    return subprocess.run(["podman", "image", "exists", name], env=full, capture_output=True).returncode == 0


def ensure_base_image(env: dict[str, str], name: str = BASE_IMAGE) -> str:
    """Make the busybox base image once (under a lock: parallel test workers build it once)."""
    lock_path = Path(tempfile.gettempdir()) / "kiln-base-image.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if image_exists(env, name):
            return name
        if not os.path.exists(BUSYBOX):
            raise RuntimeError(f"{BUSYBOX} is missing: run `make deps` (apt-get install busybox-static)")
        with tempfile.TemporaryDirectory(prefix="kiln-base-") as root:
            rootfs = Path(root)
            for d in ("bin", "tmp", "etc", "root"):
                (rootfs / d).mkdir()
            (rootfs / "tmp").chmod(0o1777)
            shutil.copy2(BUSYBOX, rootfs / "bin" / "busybox")
            applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
            for applet in applets:
                if applet != "busybox":
                    (rootfs / "bin" / applet).symlink_to("busybox")
            (rootfs / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
            (rootfs / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
            tar = subprocess.run(["tar", "-C", str(rootfs), "--numeric-owner", "--owner=0", "--group=0", "-c", "."],
                                 capture_output=True, check=True).stdout
        podman(env, "import", "--change", "CMD /bin/sh", "-", name, input_bytes=tar)
        return name


def containers(env: dict[str, str]) -> list[str]:
    """IDs of every container podman has (running or not)."""
    out = podman(env, "ps", "-a", "--format", "{{.ID}}").stdout.decode()
    return out.split()


# -- pytest fixtures ----------------------------------------------------------------------------------

try:
    import pytest
except ImportError:  # used outside pytest too
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(scope="session")
    def docker_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
        """The environment with the podman-backed ``docker`` first on PATH (and CONTAINERS_CONF)."""
        yield write_docker_env(tmp_path_factory.mktemp("podman"))

    @pytest.fixture(scope="session")
    def base_image(docker_env: dict[str, str]) -> str:
        """``localhost/kiln-base:busybox``, made once and kept (later sessions reuse it)."""
        return ensure_base_image(docker_env)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/podman_fixture.py DIR", file=sys.stderr)
        return 2
    env = write_docker_env(Path(argv[0]).resolve())
    ensure_base_image(env)
    print(f"CONTAINERS_CONF={env['CONTAINERS_CONF']}")
    print(f"PATH={env['PATH'].split(os.pathsep)[0]}:$PATH")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
