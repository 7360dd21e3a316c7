"""The real architecture: a null-builder process owns the SSH connection and serves it; the shell and file
provisioners, each in its own plugin process, run commands and move files through it."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from pathlib import Path

from kiln_sdk.components import BuildInfo
from kiln_sdk.testing import Callbacks, HookCall, start_component

from tests.sshd_fixture import SSHServer

BUNDLED = [sys.executable, "-m", "kiln_plugins"]
INFO = BuildInfo(build_name="alpha", builder_type="null")


def _null_ssh(sshd: SSHServer) -> dict[str, object]:
    return {"communicator": "ssh", "ssh_host": sshd.host, "ssh_port": sshd.port, "ssh_username": "root",
            "ssh_private_key_file": str(sshd.client_key), "ssh_timeout": "10s"}


def test_shell_and_file_provisioners_through_the_builders_communicator(sshd: SSHServer, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a" / "b").mkdir(parents=True)
    (site / "a" / "b" / "c.txt").write_text("nested\n")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(os.urandom(8 * 1024 * 1024 + 5))
    remote = tmp_path / "remote"
    results: list[str] = []

    with start_component(BUNDLED, "provisioner", "shell") as shell, \
            start_component(BUNDLED, "provisioner", "file") as file_prov:
        assert shell.process.pid != file_prov.process.pid != os.getpid()

        def hook(call: HookCall) -> None:
            assert call.communicator is not None
            assert not file_prov.prepare({"sources": [f"{site}", str(blob)], "destination": f"{remote}/"}, INFO).errors
            results.append(file_prov.provision(cb.ui_ref, call.communicator, call.data).error)
            assert not shell.prepare({"inline": ["echo \"host=$H\"", f"sha256sum {remote}/blob.bin | cut -c1-64",
                                                 f"cat {remote}/site/a/b/c.txt", "echo warn >&2"],
                                      "environment_vars": ["H={{.Host}}"]}, INFO).errors
            results.append(shell.provision(cb.ui_ref, call.communicator, call.data).error)
            assert not shell.prepare({"inline": ["exit 9"]}, INFO).errors
            results.append(shell.provision(cb.ui_ref, call.communicator, call.data).error)
            assert not file_prov.prepare({"source": f"{remote}/site/", "destination": str(tmp_path / "back"),
                                          "direction": "download"}, INFO).errors
            results.append(file_prov.provision(cb.ui_ref, call.communicator, call.data).error)

        with start_component(BUNDLED, "builder", "null") as builder, Callbacks(hook=hook) as cb:
            remote.mkdir()
            assert not builder.prepare(_null_ssh(sshd), INFO).errors
            result = builder.run(cb.ui_ref, cb.hook_ref)
            assert not result.error, result.error

    assert results[0] == "" and results[1] == "" and results[3] == ""
    assert results[2] == "Script exited with non-zero exit status: 9.Allowed exit codes are: [0]"
    messages = cb.ui.lines("message")  # type: ignore[attr-defined]
    assert "host=127.0.0.1" in messages and "nested" in messages
    assert cb.ui.lines("error") == ["warn"]  # type: ignore[attr-defined]  # stderr, as Packer shows it
    assert hashlib.sha256(blob.read_bytes()).hexdigest() in messages
    assert (tmp_path / "back" / "site" / "a" / "b" / "c.txt").read_text() == "nested\n"
    says = cb.ui.lines("say")  # type: ignore[attr-defined]
    assert f"Uploading {site} => {remote}/" in says and f"Uploading {blob} => {remote}/" in says


def test_ctrl_c_interrupts_the_remote_command_across_processes(sshd: SSHServer, tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    outcome: list[object] = []
    cancel = threading.Event()

    with start_component(BUNDLED, "provisioner", "shell") as shell:
        def hook(call: HookCall) -> None:
            shell.prepare({"inline": ["echo started", f"sleep 20; touch {marker}"]}, INFO)
            threading.Timer(0.5, cancel.set).start()
            started = time.monotonic()
            outcome.append(shell.provision(cb.ui_ref, call.communicator, call.data, cancel=cancel, cancel_grace=10))
            outcome.append(time.monotonic() - started)

        with start_component(BUNDLED, "builder", "null") as builder, Callbacks(hook=hook) as cb:
            builder.prepare(_null_ssh(sshd), INFO)
            builder.run(cb.ui_ref, cb.hook_ref)

    result, elapsed = outcome
    assert result.cancelled  # type: ignore[attr-defined]
    assert isinstance(elapsed, float) and elapsed < 8
    time.sleep(0.5)
    assert not marker.exists()


def test_ctrl_c_interrupts_an_upload_across_processes(sshd: SSHServer, tmp_path: Path) -> None:
    huge = tmp_path / "huge.img"
    with open(huge, "wb") as fh:
        fh.truncate(4 * 1024**3)  # sparse; sending it all would take many seconds
    outcome: list[object] = []
    cancel = threading.Event()

    with start_component(BUNDLED, "provisioner", "file") as prov:
        def hook(call: HookCall) -> None:
            prov.prepare({"source": str(huge), "destination": str(tmp_path / "copy.img")}, INFO)
            threading.Timer(0.5, cancel.set).start()
            started = time.monotonic()
            outcome.append(prov.provision(cb.ui_ref, call.communicator, call.data, cancel=cancel, cancel_grace=10))
            outcome.append(time.monotonic() - started)

        with start_component(BUNDLED, "builder", "null") as builder, Callbacks(hook=hook) as cb:
            builder.prepare(_null_ssh(sshd), INFO)
            builder.run(cb.ui_ref, cb.hook_ref)

    result, elapsed = outcome
    assert result.cancelled, result  # type: ignore[attr-defined]
    assert isinstance(elapsed, float) and elapsed < 8
