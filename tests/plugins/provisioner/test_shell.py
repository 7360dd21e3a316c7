"""The shell provisioner in-process against a real sshd (root with a key, and a password user)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kiln_plugins.provisioner.shell import ShellProvisioner
from kiln_sdk.communicator.ssh import SSHCommunicator
from kiln_sdk.config import decode
from kiln_sdk.diagnostics import BuildError, Cancelled, ConfigError

from tests.plugins.provisioner.helpers import provision
from tests.sshd_fixture import SSHServer

# Drop the SSH connection as a reboot would: kill the nearest sshd ancestor (this session's process).
REBOOT = ('pid=$$; while [ "$pid" -gt 1 ]; do case "$(ps -o comm= -p $pid)" in sshd*) kill -9 $pid; break;; esac; '
          'pid=$(ps -o ppid= -p $pid | tr -d " "); done')


@pytest.fixture
def comm(sshd: SSHServer) -> Iterator[SSHCommunicator]:
    c = sshd.config().open_communicator()
    assert isinstance(c, SSHCommunicator)
    yield c
    c.close()


def _shell(settings: dict[str, Any], comm: SSHCommunicator, data: dict[str, Any] | None = None) -> list[str]:
    ui = provision(ShellProvisioner(), settings, comm, data)
    return ui.lines("message")


def test_inline_with_environment(comm: SSHCommunicator, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    ui = provision(ShellProvisioner(), {
        "inline": [f"echo \"$GREETING $WHO\" > {out}", "echo \"build=$PACKER_BUILD_NAME type=$PACKER_BUILDER_TYPE\"",
                   "echo oops >&2", "echo \"quote=$QUOTED\""],
        "environment_vars": ["GREETING=hello", "QUOTED=it's \"fine\""],
        "env": {"WHO": "world"},
    }, comm)
    assert out.read_text() == "hello world\n"
    assert ui.lines("message") == ["build=alpha type=null", "quote=it's \"fine\""]
    assert ui.lines("error") == ["oops"]  # stderr, shown as Packer does (==> name: oops)
    says = ui.lines("say")
    assert len(says) == 1 and says[0].startswith("Provisioning with shell script: ") and "packer-shell" in says[0]


def test_scripts_run_in_order_and_are_cleaned_up(comm: SSHCommunicator, tmp_path: Path) -> None:
    a = tmp_path / "a.sh"
    a.write_bytes(b"#!/bin/sh\r\necho one\r\n")  # CRLF becomes LF unless binary
    b = tmp_path / "b.sh"
    b.write_text("#!/bin/sh\necho two; echo \"$0\"\n")
    remote = tmp_path / "remote"
    remote.mkdir()
    lines = _shell({"scripts": [str(a), str(b)], "remote_folder": str(remote), "remote_file": "s.sh"}, comm)
    assert lines == ["one", "two", f"{remote}/s.sh"]
    assert list(remote.iterdir()) == []  # removed after each run


def test_binary_keeps_crlf_and_skip_clean_keeps_script(comm: SSHCommunicator, tmp_path: Path) -> None:
    script = tmp_path / "x.sh"
    script.write_bytes(b"#!/bin/sh\necho hi\r\n")
    remote = tmp_path / "kept.sh"
    _shell({"script": str(script), "binary": True, "skip_clean": True, "remote_path": str(remote)}, comm)
    assert remote.read_bytes() == script.read_bytes()
    assert os.access(remote, os.X_OK)


def test_valid_exit_codes(comm: SSHCommunicator) -> None:
    _shell({"inline": ["exit 3"], "valid_exit_codes": [0, 3]}, comm)
    with pytest.raises(BuildError) as info:
        _shell({"inline": ["echo before", "exit 3"]}, comm)
    assert str(info.value) == "Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"


def test_inline_shebang_stops_on_error(comm: SSHCommunicator) -> None:
    with pytest.raises(BuildError, match="status: 1"):
        _shell({"inline": ["false", "echo never"]}, comm)
    assert _shell({"inline": ["false", "echo reached"], "inline_shebang": "/bin/sh"}, comm) == ["reached"]


def test_custom_execute_command_and_env_var_file(comm: SSHCommunicator) -> None:
    lines = _shell({"inline": ["echo \"v=$V\""], "environment_vars": ["V=1 2"],
                    "execute_command": "echo custom; {{.Vars}} sh '{{.Path}}'"}, comm)
    assert lines == ["custom", "v=1 2"]
    lines = _shell({"inline": ["echo \"v=$V\""], "environment_vars": ["V=from-file"], "use_env_var_file": True},
                   comm)
    assert lines == ["v=from-file"]


def test_generated_data_in_templates(comm: SSHCommunicator) -> None:
    lines = _shell({"inline": ["echo \"$HOST_IS\"", "echo 'user={{.User}}'"], "environment_vars": ["HOST_IS={{.Host}}"]},
                   comm, data={"Host": "127.0.0.1", "User": "root"})
    assert lines == ["127.0.0.1", "user=root"]
    with pytest.raises(BuildError, match="Error interpolating Inline"):
        _shell({"inline": ["echo {{.Broken"]}, comm)


def test_expect_disconnect_then_next_script_reconnects(comm: SSHCommunicator, tmp_path: Path) -> None:
    reboot = ["echo rebooting", REBOOT, "sleep 5"]
    with pytest.raises(BuildError, match="Script disconnected unexpectedly"):
        _shell({"inline": reboot}, comm)
    lines = _shell({"inline": reboot, "expect_disconnect": True}, comm)
    assert lines == ["rebooting"]
    assert _shell({"inline": ["echo after reboot"]}, comm) == ["after reboot"]


def test_pause_after(comm: SSHCommunicator) -> None:
    ui = provision(ShellProvisioner(), {"inline": ["true"], "pause_after": "100ms"}, comm)
    assert ui.lines("say")[-1] == "Pausing 100ms after this provisioner..."


def test_password_user(sshd: SSHServer, ssh_password_user: tuple[str, str]) -> None:
    user, password = ssh_password_user
    comm = sshd.config(ssh_username=user, ssh_password=password, ssh_private_key_file="").open_communicator()
    assert isinstance(comm, SSHCommunicator)
    # the script goes to the user's home: root's leftovers in the shared /tmp could hold its random name
    settings = {"inline": ["id -un", "echo $HOME"], "remote_folder": f"/home/{user}", "start_retry_timeout": "10s"}
    assert _shell(settings, comm) == [user, f"/home/{user}"]
    comm.close()


def test_cancel_interrupts_the_script(comm: SSHCommunicator) -> None:
    from kiln_sdk.components import ProvisionContext
    from kiln_sdk.ui import RecordingUi

    prov = ShellProvisioner()
    prov.prepare(decode(prov.Config, {"inline": ["sleep 30"]}), __import__("tests.plugins.provisioner.helpers",
                                                                             fromlist=["INFO"]).INFO)
    ctx = ProvisionContext(ui=RecordingUi(), communicator=comm)
    threading.Timer(0.3, ctx.cancel_event.set).start()
    with pytest.raises(Cancelled):
        prov.provision(ctx)


def test_without_communicator() -> None:
    with pytest.raises(BuildError, match='communicator = "none"'):
        provision(ShellProvisioner(), {"inline": ["true"]}, None)


@pytest.mark.parametrize(("settings", "path", "summary"), [
    ({}, ("inline",), "Either a script file or inline script must be specified."),
    ({"inline": ["a"], "script": "x"}, ("script",), "Only one of inline, script, or scripts can be specified."),
    ({"script": "/no/such.sh"}, ("script",), "Bad script '/no/such.sh': stat /no/such.sh: no such file or directory"),
    ({"inline": ["a"], "environment_vars": ["NOEQUALS"]}, ("environment_vars", "0"),
     "Environment variable not in format 'key=value': NOEQUALS"),
    ({"inline": ["a"], "start_retry_timeout": "soon"}, ("start_retry_timeout",), "Failed parsing start_retry_timeout"),
])
def test_prepare_errors(settings: dict[str, Any], path: tuple[str, ...], summary: str) -> None:
    prov = ShellProvisioner()
    with pytest.raises(ConfigError) as info:
        prov.prepare(decode(prov.Config, settings), __import__("tests.plugins.provisioner.helpers",
                                                               fromlist=["INFO"]).INFO)
    diag = info.value.diagnostics[0]
    assert diag.path == path and diag.summary.startswith(summary)
