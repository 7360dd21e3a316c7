"""A real OpenSSH sshd on loopback for tests: its own host key, sshd_config and authorized_keys.

Reuse from any test directory's conftest.py (pytest runs with pythonpath = ["."]):

    from tests.sshd_fixture import sshd, sshd_factory, ssh_password_user  # noqa: F401  (pytest fixtures)

- ``sshd`` (session): one server; ``sshd.config(**overrides)`` gives a ``CommunicatorConfig`` logging in
  as root with a generated ed25519 key; ``sshd.client_key`` is that key's path.
- ``sshd_factory`` (function): ``sshd_factory()`` starts another server (e.g. a bastion), stopped after
  the test. ``start_sshd(workdir)`` does the same outside pytest (the benchmark uses it).
- ``start_cloud_keys_sshd(workdir, endpoint, regions)``: an sshd whose ``AuthorizedKeysCommand`` prints the
  public keys of every EC2 key pair that exists at ``endpoint`` (moto) in ``regions``, so a key pair a
  builder creates or imports there is what lets it log in (the amazon plugin's tests).
- ``ssh_password_user`` (session): a dedicated local user ``kilntest`` with a random password for
  password logins (created if missing, removed when the last test session using it ends).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kiln_sdk.communicator.ssh_config import CommunicatorConfig
from kiln_sdk.communicator.ssh_keys import generate_key_pair

SSHD = "/usr/sbin/sshd"
TEST_USER = "kilntest"

_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {dir}/host_ed25519_key
PidFile none
AuthorizedKeysFile {dir}/authorized_keys/%u
StrictModes no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
AllowAgentForwarding yes
MaxStartups 100
MaxSessions 100
MaxAuthTries 20
UseDNS no
Subsystem sftp internal-sftp
LogLevel VERBOSE
{extra}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SSHServer:
    """A running sshd: where it listens, how to log in, how to stop it."""

    port: int
    dir: Path
    client_key: Path
    public_key: str
    proc: subprocess.Popen[bytes]
    host: str = "127.0.0.1"
    host_key_line: str = ""
    stopped: bool = field(default=False)

    def config(self, **overrides: Any) -> CommunicatorConfig:
        settings: dict[str, Any] = {
            "ssh_host": self.host, "ssh_port": self.port, "ssh_username": "root",
            "ssh_private_key_file": str(self.client_key), "ssh_timeout": "10s",
        }
        settings.update(overrides)
        return CommunicatorConfig(**settings)

    def authorize(self, user: str, public_key: str) -> None:
        path = self.dir / "authorized_keys" / user
        with open(path, "a") as fh:
            fh.write(public_key.strip() + "\n")
        path.chmod(0o644)

    @property
    def log(self) -> str:
        return (self.dir / "sshd.log").read_text(errors="replace")

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_sshd(workdir: Path | str, extra_config: str = "", port: int | None = None) -> SSHServer:
    """Start ``sshd -D -e`` on 127.0.0.1 with everything in ``workdir``; wait until it listens."""
    if not os.access(SSHD, os.X_OK):
        raise RuntimeError(f"{SSHD} is missing: install Debian's openssh-server (apt-get install openssh-server)")
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
    host = generate_key_pair("ed25519", comment="kiln-test-host")
    (work / "host_ed25519_key").write_text(host.private_pem)
    (work / "host_ed25519_key").chmod(0o600)
    client = generate_key_pair("ed25519", comment="kiln-test-client")
    (work / "client_key").write_text(client.private_pem)
    (work / "client_key").chmod(0o600)
    (work / "authorized_keys").mkdir(exist_ok=True)
    (work / "authorized_keys").chmod(0o755)
    for attempt in range(5):
        chosen = port or free_port()
        (work / "sshd_config").write_text(_CONFIG.format(port=chosen, dir=work, extra=extra_config))
        log = open(work / "sshd.log", "wb")
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(work / "sshd_config")], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        log.close()
        server = SSHServer(chosen, work, work / "client_key", client.public_key, proc,
                           host_key_line=host.public_key)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if b"Server listening" in (work / "sshd.log").read_bytes():
                server.authorize("root", client.public_key)
                return server
            time.sleep(0.02)
        server.stop()
        if attempt == 4 or port:
            raise RuntimeError(f"sshd did not start:\n{server.log}")
    raise AssertionError("unreachable")


# Run by sshd as AuthorizedKeysCommand (stdlib only: sshd runs it with the system python3, as "nobody").
# It asks the EC2 endpoint for every key pair of each region, with their public keys; moto reads the
# region from the credential scope of the Authorization header and does not check the signature.
_CLOUD_KEYS_SCRIPT = """\
import sys, urllib.parse, urllib.request, xml.etree.ElementTree as ET
endpoint, regions = sys.argv[1], sys.argv[2:]
for region in regions:
    body = urllib.parse.urlencode({"Action": "DescribeKeyPairs", "Version": "2016-11-15",
                                   "IncludePublicKey": "true"}).encode()
    req = urllib.request.Request(endpoint, data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=sshd/20260101/" + region
        + "/ec2/aws4_request, SignedHeaders=host, Signature=0"})
    try:
        tree = ET.fromstring(urllib.request.urlopen(req, timeout=5).read())
    except Exception as exc:
        print("cloud keys: " + region + ": " + str(exc), file=sys.stderr)
        continue
    for el in tree.iter():
        if el.tag.endswith("publicKey") and el.text:
            print(el.text.strip())
"""


def start_cloud_keys_sshd(workdir: Path | str, endpoint: str, regions: list[str]) -> SSHServer:
    """An sshd that lets in (as any user) whoever holds a key pair existing at ``endpoint`` in ``regions``."""
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    script = work / "cloud_keys.py"
    script.write_text(_CLOUD_KEYS_SCRIPT)
    script.chmod(0o644)
    python = os.path.realpath("/usr/bin/python3")
    extra = (f"AuthorizedKeysCommand {python} {script} {endpoint} {' '.join(regions)}\n"
             "AuthorizedKeysCommandUser nobody\n")
    return start_sshd(work, extra)


@contextmanager
def running_sshd(extra_config: str = "") -> Iterator[SSHServer]:
    work = tempfile.mkdtemp(prefix="kiln-sshd-")
    server = start_sshd(work, extra_config)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def sshd() -> Iterator[SSHServer]:
    with running_sshd() as server:
        yield server


@pytest.fixture
def sshd_factory() -> Iterator[Callable[..., SSHServer]]:
    started: list[tuple[SSHServer, str]] = []

    def factory(extra_config: str = "") -> SSHServer:
        work = tempfile.mkdtemp(prefix="kiln-sshd-")
        server = start_sshd(work, extra_config)
        started.append((server, work))
        return server

    yield factory
    for server, work in started:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------------------ the password user

_LOCK = Path(tempfile.gettempdir()) / "kiln-sshd-user.lock"
_STATE = Path(tempfile.gettempdir()) / "kiln-sshd-user.state"  # 0600: password, then user PIDs


@contextmanager
def _locked() -> Iterator[None]:
    with open(_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _user_exists() -> bool:
    return subprocess.run(["id", "-u", TEST_USER], capture_output=True).returncode == 0


def acquire_password_user() -> tuple[str, str]:
    """(user, password) of the shared test user; create it if this is the first session to need it."""
    with _locked():
        lines = _STATE.read_text().splitlines() if _STATE.exists() else []
        pids = [int(p) for p in lines[1:] if p.strip().isdigit() and _alive(int(p))]
        if not lines or not _user_exists():
            password = secrets.token_urlsafe(18)
            if not _user_exists():
                subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", TEST_USER], check=True,
                               capture_output=True)
            subprocess.run(["chpasswd"], input=f"{TEST_USER}:{password}".encode(), check=True, capture_output=True)
            pids = []
        else:
            password = lines[0]
        pids.append(os.getpid())
        _STATE.write_text("\n".join([password, *map(str, pids)]) + "\n")
        _STATE.chmod(0o600)
        return TEST_USER, password


def release_password_user() -> None:
    """Forget this process; the last one out deletes the user and its home."""
    with _locked():
        if not _STATE.exists():
            return
        lines = _STATE.read_text().splitlines()
        pids = [int(p) for p in lines[1:] if p.strip().isdigit() and int(p) != os.getpid() and _alive(int(p))]
        if pids:
            _STATE.write_text("\n".join([lines[0], *map(str, pids)]) + "\n")
            return
        _STATE.unlink()
        if _user_exists():
            subprocess.run(["userdel", "--remove", TEST_USER], capture_output=True)


@pytest.fixture(scope="session")
def ssh_password_user() -> Iterator[tuple[str, str]]:
    if os.geteuid() != 0:
        pytest.skip("creating the password-login test user needs root")
    user = acquire_password_user()
    try:
        yield user
    finally:
        release_password_user()
