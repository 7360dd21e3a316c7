"""SSHCommunicator against a real OpenSSH sshd: commands, logins, errors, reconnects."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kiln_sdk.communicator.base import RemoteCommandError
from kiln_sdk.communicator.ssh import SSHCommunicator
from kiln_sdk.communicator.ssh_connect import SSHAuthError, SSHConnectError, SSHHostKeyError
from kiln_sdk.communicator.ssh_keys import generate_key_pair
from kiln_sdk.diagnostics import Cancelled

from tests.sshd_fixture import SSHServer


def _run(comm: SSHCommunicator, command: str) -> tuple[int, str, str]:
    out: list[bytes] = []
    err: list[bytes] = []
    rc = comm.run(command, stdout=out.append, stderr=err.append)
    return rc, b"".join(out).decode(), b"".join(err).decode()


@pytest.fixture
def comm(sshd: SSHServer) -> Iterator[SSHCommunicator]:
    c = sshd.config().open_communicator()
    assert isinstance(c, SSHCommunicator)
    yield c
    c.close()


def test_command_with_env_and_exit_code(comm: SSHCommunicator) -> None:
    rc, out, err = _run(comm, "FOO='a b' sh -c 'echo \"$FOO\"; echo to-stderr >&2; exit 42'")
    assert (rc, out, err) == (42, "a b\n", "to-stderr\n")
    assert _run(comm, "id -un")[1] == "root\n"


def test_output_streams_before_the_command_ends(comm: SSHCommunicator) -> None:
    seen: list[float] = []
    start = time.monotonic()
    comm.run("echo first; sleep 1; echo second", stdout=lambda b: seen.append(time.monotonic() - start))
    assert len(seen) == 2 and seen[1] - seen[0] >= 0.9  # the first line came a second before the end


def test_stdin_and_large_output(comm: SSHCommunicator) -> None:
    out: list[bytes] = []
    assert comm.run("sha256sum", stdout=out.append, stdin=io.BytesIO(b"x" * 3_000_000)) == 0
    import hashlib
    assert b"".join(out).split()[0].decode() == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    big: list[bytes] = []
    comm.run("head -c 5000000 /dev/zero", stdout=big.append)
    assert sum(map(len, big)) == 5_000_000


def test_cancel_sends_sigterm(comm: SSHCommunicator, tmp_path: Path) -> None:
    marker = tmp_path / "not-reached"
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        comm.run(f"sleep 5; touch {marker}", cancel=cancel)
    assert time.monotonic() - start < 4
    time.sleep(0.2)
    assert not marker.exists()
    assert _run(comm, "echo still-usable")[1] == "still-usable\n"


def test_pty(sshd: SSHServer) -> None:
    comm = sshd.config(ssh_pty=True).open_communicator()
    assert comm is not None
    assert _run(comm, "tty -s && echo has-tty")[1].strip() == "has-tty"
    comm.close()


def test_reconnect_after_the_connection_is_killed(comm: SSHCommunicator) -> None:
    # The session's sshd process is the parent of the remote shell: killing it drops the connection.
    with pytest.raises(RemoteCommandError, match="connection lost"):
        comm.run("kill -9 $PPID; sleep 5")
    assert _run(comm, "echo back")[1] == "back\n"


def test_password_login(sshd: SSHServer, ssh_password_user: tuple[str, str]) -> None:
    user, password = ssh_password_user
    comm = sshd.config(ssh_username=user, ssh_password=password, ssh_private_key_file="").open_communicator()
    assert comm is not None
    assert _run(comm, "id -un")[1] == f"{user}\n"
    comm.close()


def test_wrong_password_names_the_host(sshd: SSHServer, ssh_password_user: tuple[str, str]) -> None:
    user, _ = ssh_password_user
    cfg = sshd.config(ssh_username=user, ssh_password="wrong", ssh_private_key_file="", ssh_handshake_attempts=1)
    with pytest.raises(SSHAuthError, match=rf"{user}@127.0.0.1:{sshd.port}: authentication failed"):
        cfg.open_communicator()


def test_wrong_key(sshd: SSHServer, tmp_path: Path) -> None:
    other = generate_key_pair()
    key = tmp_path / "other"
    key.write_text(other.private_pem)
    cfg = sshd.config(ssh_private_key_file=str(key), ssh_handshake_attempts=2)
    with pytest.raises(SSHAuthError, match=r"root@127.0.0.1:\d+: authentication failed \(tried ssh-ed25519 key"):
        cfg.open_communicator()


def test_generated_key_pair_login(sshd: SSHServer) -> None:
    pair = sshd.config().temporary_key_pair(comment="kiln-temp")
    assert pair.public_key.startswith("ssh-ed25519 ")
    sshd.authorize("root", pair.public_key)
    comm = sshd.config(ssh_private_key_file="").open_communicator(extra_keys=[pair.pkey])
    assert comm is not None
    assert _run(comm, "grep -c kiln-temp ~/.ssh/authorized_keys 2>/dev/null; true")[0] == 0
    comm.close()


def test_refused_connection_times_out_clearly() -> None:
    from kiln_sdk.communicator.ssh_config import CommunicatorConfig

    from tests.sshd_fixture import free_port

    port = free_port()
    cfg = CommunicatorConfig(ssh_host="127.0.0.1", ssh_port=port, ssh_username="root", ssh_password="x",
                             ssh_timeout="1s")
    start = time.monotonic()
    with pytest.raises(SSHConnectError, match=rf"root@127.0.0.1:{port}: timeout after 1s .*connection refused"):
        cfg.open_communicator()
    assert time.monotonic() - start < 5


def test_unknown_host() -> None:
    from kiln_sdk.communicator.ssh_config import CommunicatorConfig

    cfg = CommunicatorConfig(ssh_host="no-such-host.invalid", ssh_username="root", ssh_password="x",
                             ssh_timeout="1s")
    with pytest.raises(SSHConnectError, match=r"no-such-host.invalid:22.*unknown host"):
        cfg.open_communicator()


def test_timeout_when_nothing_answers() -> None:
    import socket

    from kiln_sdk.communicator.ssh_config import CommunicatorConfig

    with socket.socket() as silent:  # accepts TCP but never speaks SSH
        silent.bind(("127.0.0.1", 0))
        silent.listen(10)
        port = silent.getsockname()[1]
        cfg = CommunicatorConfig(ssh_host="127.0.0.1", ssh_port=port, ssh_username="root", ssh_password="x",
                                 ssh_timeout="1s")
        start = time.monotonic()
        with pytest.raises(SSHConnectError, match=rf"127.0.0.1:{port}: timeout after 1s"):
            cfg.open_communicator()
        assert time.monotonic() - start < 8


def test_known_hosts_checking(sshd: SSHServer, tmp_path: Path) -> None:
    good = tmp_path / "known_hosts"
    good.write_text(f"[127.0.0.1]:{sshd.port} {' '.join(sshd.host_key_line.split()[:2])}\n")
    comm = sshd.config(ssh_known_hosts_file=str(good)).open_communicator()
    assert comm is not None and comm.host_key.startswith("ssh-ed25519 SHA256:")
    comm.close()
    bad = tmp_path / "bad_hosts"
    bad.write_text(f"[127.0.0.1]:{sshd.port} {' '.join(generate_key_pair().public_key.split()[:2])}\n")
    with pytest.raises(SSHHostKeyError, match="HOST KEY MISMATCH"):
        sshd.config(ssh_known_hosts_file=str(bad)).open_communicator()


def test_bastion_hop(sshd: SSHServer, sshd_factory) -> None:  # type: ignore[no-untyped-def]
    bastion = sshd_factory()
    cfg = sshd.config(ssh_bastion_host="127.0.0.1", ssh_bastion_port=bastion.port, ssh_bastion_username="root",
                      ssh_bastion_private_key_file=str(bastion.client_key))
    comm = cfg.open_communicator()
    assert comm is not None
    assert _run(comm, "echo via-bastion")[1] == "via-bastion\n"
    comm.close()
    assert "direct-tcpip" in bastion.log or "Connection from" in bastion.log


def test_clear_authorized_keys(sshd: SSHServer) -> None:
    pair = generate_key_pair(comment="kiln-clear-me")
    comm = sshd.config().open_communicator()
    assert comm is not None
    comm.run(f"mkdir -p ~/.ssh && echo '{pair.public_key}' >> ~/.ssh/authorized_keys")
    comm.clear_authorized_keys(pair.public_key)
    assert "kiln-clear-me" not in _run(comm, "cat ~/.ssh/authorized_keys")[1]
    comm.close()


def test_ciphers_and_kex_settings(sshd: SSHServer) -> None:
    comm = sshd.config(ssh_ciphers=["aes256-ctr"], ssh_key_exchange_algorithms=["curve25519-sha256@libssh.org"]).open_communicator()
    assert comm is not None
    assert comm.transport().local_cipher == "aes256-ctr"
    comm.close()


def sshd_key(tmp_path: Path) -> Path:
    key = tmp_path / "good-key"
    key.write_text(generate_key_pair().private_pem)
    return key


def test_config_validation_names_each_bad_setting(tmp_path: Path) -> None:
    from kiln_sdk.communicator.ssh_config import CommunicatorConfig
    from kiln_sdk.diagnostics import ConfigError

    bad_key = tmp_path / "not-a-key"
    bad_key.write_text("hello")
    cfg = CommunicatorConfig(ssh_port=0, ssh_timeout="5 minutes", ssh_file_transfer_method="rsync",
                             ssh_private_key_file=str(bad_key), ssh_ciphers=["rot13"], ssh_bastion_host="b",
                             ssh_proxy_host="p")
    with pytest.raises(ConfigError) as info:
        cfg.validate_communicator()
    paths = {d.path for d in info.value.diagnostics}
    assert {("ssh_username",), ("ssh_port",), ("ssh_timeout",), ("ssh_file_transfer_method",),
            ("ssh_private_key_file",), ("ssh_ciphers", "0"), ("ssh_proxy_host",)} <= paths
    assert "ssh_file_transfer_method ('rsync') is invalid, valid methods: sftp, scp" in str(info.value)
    bastion = CommunicatorConfig(ssh_username="u", ssh_bastion_host="b")  # no way to log in to the bastion
    with pytest.raises(ConfigError, match="ssh_bastion_password or ssh_bastion_private_key_file must be specified"):
        bastion.validate_communicator()
    defaults = CommunicatorConfig(ssh_username="u", ssh_password="p", ssh_private_key_file=str(sshd_key(tmp_path)),
                                  ssh_bastion_host="b", ssh_keep_alive_interval="-1s")
    defaults.validate_communicator()  # Packer: the bastion uses the machine's key; kiln: and its user
    assert (defaults.ssh_bastion_private_key_file, defaults.ssh_bastion_username) == (defaults.ssh_private_key_file, "u")
    CommunicatorConfig(communicator="docker").validate_communicator(also=("docker",))
    with pytest.raises(ConfigError, match="Invalid communicator"):
        CommunicatorConfig(communicator="winrm").validate_communicator()
    CommunicatorConfig(communicator="none").validate_communicator()
    wait = CommunicatorConfig(ssh_username="u", ssh_wait_timeout="7s")
    wait.validate_communicator()
    assert wait.seconds("ssh_timeout") == 7


def test_read_write_timeout_limits_a_command(sshd: SSHServer) -> None:
    comm = sshd.config(ssh_read_write_timeout="500ms").open_communicator()
    assert comm is not None
    with pytest.raises(RemoteCommandError, match=r"did not finish within 500ms \(ssh_read_write_timeout\)"):
        comm.run("sleep 10")
    comm.close()


def test_agent_auth(sshd: SSHServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.02)
        env = {"SSH_AUTH_SOCK": str(sock), "PATH": "/usr/bin:/bin"}
        subprocess.run(["ssh-add", str(sshd.client_key)], env=env, check=True, capture_output=True)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
        comm = sshd.config(ssh_private_key_file="", ssh_agent_auth=True).open_communicator()
        assert comm is not None
        # the agent is forwarded unless ssh_disable_agent_forwarding
        assert _run(comm, 'test -S "$SSH_AUTH_SOCK" && echo forwarded')[1] == "forwarded\n"
        comm.close()
        comm = sshd.config(ssh_private_key_file="", ssh_agent_auth=True,
                           ssh_disable_agent_forwarding=True).open_communicator()
        assert comm is not None
        assert _run(comm, 'echo "[$SSH_AUTH_SOCK]"')[1] == "[]\n"
        comm.close()
    finally:
        agent.terminate()
        agent.wait()


def test_pause_before_connecting_and_progress_messages(sshd: SSHServer) -> None:
    said: list[str] = []
    start = time.monotonic()
    comm = sshd.config(pause_before_connecting="300ms").open_communicator(say=said.append)
    assert comm is not None
    assert time.monotonic() - start >= 0.3
    assert said == ["Pausing 300ms before connecting...", "Waiting for SSH to become available...",
                    "Connected to SSH!"]
    comm.close()
