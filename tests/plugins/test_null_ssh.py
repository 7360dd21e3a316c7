"""The null builder over SSH to a real sshd on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kiln_plugins.builder.null import NullBuilder
from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import BuildContext, Hook
from kiln_sdk.diagnostics import BuildError, ConfigError
from kiln_sdk.ui import RecordingUi

from tests.plugins.plugin_fakes import INFO, configured, diag_paths
from tests.sshd_fixture import SSHServer, running_sshd


@pytest.fixture(scope="module")
def server() -> Iterator[SSHServer]:
    with running_sshd() as s:
        yield s


class RunningHook(Hook):
    """Runs a command through the communicator it is handed, as a shell provisioner would."""

    def __init__(self) -> None:
        self.output = b""
        self.data: dict[str, Any] = {}

    def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
        assert communicator is not None
        self.data = data

        def keep(chunk: bytes) -> None:
            self.output += chunk

        assert communicator.run("echo remote $USER", stdout=keep) == 0


def test_null_builder_hands_provisioners_a_connected_ssh_communicator(server: SSHServer) -> None:
    b = NullBuilder()
    configured(b, {"communicator": "ssh", "ssh_host": server.host, "ssh_port": server.port, "ssh_username": "root",
                   "ssh_private_key_file": str(server.client_key), "ssh_timeout": "10s"})
    hook, ui = RunningHook(), RecordingUi()
    artifact = b.run(BuildContext(ui=ui, info=INFO, hook=hook))
    assert hook.output == b"remote root\n"
    assert hook.data["ConnType"] == "ssh" and hook.data["Host"] == server.host and hook.data["User"] == "root"
    assert ui.lines("say")[0] == f"Using ssh communicator to connect: {server.host}"
    assert "Connected to SSH!" in ui.lines("say")
    assert artifact is not None and artifact.id == "Null"


def test_unreachable_host_fails_the_build(server: SSHServer, tmp_path: Path) -> None:
    b = NullBuilder()
    configured(b, {"ssh_host": "127.0.0.1", "ssh_port": 1, "ssh_username": "root",
                   "ssh_private_key_file": str(server.client_key), "ssh_timeout": "1s"})
    with pytest.raises(BuildError):
        b.run(BuildContext(ui=RecordingUi(), info=INFO, hook=RunningHook()))


def test_ssh_settings_are_checked_like_packer() -> None:
    with pytest.raises(ConfigError) as err:
        configured(NullBuilder(), {})
    assert diag_paths(err.value) == [
        ("An ssh_username must be specified", ("ssh_username",)),
        ("a Host must be specified, please reference your communicator documentation", ("ssh_host",)),
        ("one authentication method must be specified, please reference your communicator documentation", ()),
    ]
    with pytest.raises(ConfigError) as err:
        configured(NullBuilder(), {"ssh_host": "h", "ssh_username": "u", "ssh_password": "p", "ssh_agent_auth": True})
    assert diag_paths(err.value) == [
        ("only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified", ("ssh_password",))]
