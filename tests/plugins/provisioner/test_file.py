"""The file provisioner in-process against a real sshd: Packer's file and directory semantics."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kiln_plugins.provisioner.file import FileProvisioner
from kiln_sdk.communicator.ssh import SSHCommunicator
from kiln_sdk.config import decode
from kiln_sdk.diagnostics import BuildError, ConfigError

from tests.plugins.provisioner.helpers import INFO, provision
from tests.sshd_fixture import SSHServer


@pytest.fixture(params=["scp", "sftp"])
def comm(request: pytest.FixtureRequest, sshd: SSHServer) -> Iterator[SSHCommunicator]:
    c = sshd.config(ssh_file_transfer_method=request.param).open_communicator()
    assert isinstance(c, SSHCommunicator)
    yield c
    c.close()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    src = tmp_path / "app"
    (src / "etc" / "conf.d").mkdir(parents=True)
    (src / "bin").mkdir()
    (src / "etc" / "conf.d" / "a.conf").write_text("a=1\n")
    (src / "bin" / "tool").write_text("#!/bin/sh\n")
    (src / "bin" / "tool").chmod(0o755)
    (src / "README").write_text("readme\n")
    return src


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _file(settings: dict[str, Any], comm: SSHCommunicator | None) -> list[str]:
    return provision(FileProvisioner(), settings, comm).lines("say")


def test_upload_file_to_path_and_into_directory(comm: SSHCommunicator, tmp_path: Path) -> None:
    src = tmp_path / "hello.sh"
    src.write_text("echo hi\n")
    src.chmod(0o750)
    remote = tmp_path / "remote"
    remote.mkdir()
    says = _file({"source": str(src), "destination": str(remote / "renamed.sh")}, comm)
    assert says == [f"Uploading {src} => {remote / 'renamed.sh'}"]
    assert (remote / "renamed.sh").read_text() == "echo hi\n"
    assert (remote / "renamed.sh").stat().st_mode & 0o777 == 0o750
    _file({"source": str(src), "destination": f"{remote}/"}, comm)
    assert (remote / "hello.sh").read_text() == "echo hi\n"


def test_large_binary(comm: SSHCommunicator, tmp_path: Path) -> None:
    src = tmp_path / "blob.bin"
    data = os.urandom(6 * 1024 * 1024 + 1)  # 20 MiB at the SDK level (test_ssh_files)
    src.write_bytes(data)
    dst = tmp_path / "uploaded.bin"
    _file({"source": str(src), "destination": str(dst)}, comm)
    assert hashlib.sha256(dst.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_directory_trailing_slash_rule(comm: SSHCommunicator, tree: Path, tmp_path: Path) -> None:
    (tmp_path / "opt").mkdir()
    _file({"source": str(tree), "destination": str(tmp_path / "opt")}, comm)  # existing: opt/app
    assert _files(tmp_path / "opt" / "app") == {"etc/conf.d/a.conf", "bin/tool", "README"}
    _file({"source": str(tree), "destination": str(tmp_path / "new")}, comm)  # missing: new is the copy
    assert _files(tmp_path / "new") == {"etc/conf.d/a.conf", "bin/tool", "README"}
    _file({"source": f"{tree}/", "destination": str(tmp_path / "srv")}, comm)  # slash: the contents
    assert _files(tmp_path / "srv") == {"etc/conf.d/a.conf", "bin/tool", "README"}
    assert os.access(tmp_path / "srv" / "bin" / "tool", os.X_OK)


def test_directory_without_remote_tar_goes_over_sftp(comm: SSHCommunicator, tree: Path, tmp_path: Path) -> None:
    comm.use_tar = False
    _file({"source": f"{tree}/", "destination": str(tmp_path / "plain")}, comm)
    assert _files(tmp_path / "plain") == {"etc/conf.d/a.conf", "bin/tool", "README"}


def test_sources_and_content(comm: SSHCommunicator, tree: Path, tmp_path: Path) -> None:
    dst = tmp_path / "many"
    dst.mkdir()
    _file({"sources": [str(tree / "README"), str(tree / "etc")], "destination": f"{dst}/"}, comm)
    assert _files(dst) == {"README", "etc/conf.d/a.conf"}
    says = _file({"content": "generated text\n", "destination": str(dst / "c.txt")}, comm)
    assert (dst / "c.txt").read_text() == "generated text\n"
    assert says == [f"Uploading content => {dst / 'c.txt'}"]


def test_download_file_and_directory(comm: SSHCommunicator, tree: Path, tmp_path: Path) -> None:
    local = tmp_path / "local"
    says = _file({"source": str(tree / "README"), "destination": f"{local}/", "direction": "download"}, comm)
    assert says == [f"Downloading {tree / 'README'} => {local}/"]
    assert (local / "README").read_text() == "readme\n"
    _file({"source": str(tree / "README"), "destination": str(local / "x" / "renamed"), "direction": "download"},
          comm)
    assert (local / "x" / "renamed").read_text() == "readme\n"
    _file({"source": f"{tree}/", "destination": str(local / "copy"), "direction": "download"}, comm)
    assert _files(local / "copy" / "app") == {"etc/conf.d/a.conf", "bin/tool", "README"}  # as Packer 1.6.6


def test_upload_to_a_missing_remote_directory_fails_clearly(comm: SSHCommunicator, tree: Path,
                                                            tmp_path: Path) -> None:
    prov = FileProvisioner()
    with pytest.raises(BuildError, match="missing"):
        provision(prov, {"source": str(tree / "README"), "destination": str(tmp_path / "missing" / "R")}, comm)


def test_download_of_a_missing_remote_file(comm: SSHCommunicator, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="nope"):
        _file({"source": str(tmp_path / "nope"), "destination": str(tmp_path / "x"), "direction": "download"}, comm)
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.kiln-partial").exists()


def test_generated_source_is_checked_at_provision_time(comm: SSHCommunicator, tmp_path: Path) -> None:
    later = tmp_path / "later.txt"
    prov = FileProvisioner()
    prov.prepare(decode(prov.Config, {"source": str(later), "destination": str(tmp_path / "d"),
                                      "generated": True}), INFO)
    later.write_text("made during the build\n")
    provision(prov, {"source": str(later), "destination": str(tmp_path / "d"), "generated": True}, comm)
    assert (tmp_path / "d").read_text() == "made during the build\n"


@pytest.mark.parametrize(("settings", "path", "summary"), [
    ({"destination": "/x"}, ("source",), "Source must be specified."),
    ({"source": "/etc/hostname"}, ("destination",), "Destination must be specified."),
    ({"source": "/no/such", "destination": "/x"}, ("source",), "Bad source '/no/such'"),
    ({"source": "/etc/hostname", "destination": "/x", "direction": "sideways"}, ("direction",),
     "Direction must be one of: download, upload."),
    ({"sources": ["/etc/hostname"], "source": "/no/such", "destination": "/x"}, ("source",), "Bad source"),
])
def test_prepare_errors(settings: dict[str, Any], path: tuple[str, ...], summary: str) -> None:
    prov = FileProvisioner()
    with pytest.raises(ConfigError) as info:
        prov.prepare(decode(prov.Config, settings), INFO)
    assert any(d.path == path and d.summary.startswith(summary) for d in info.value.diagnostics)


def test_without_communicator(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match='communicator = "none"'):
        _file({"content": "x", "destination": "/x"}, None)


def test_failed_file_transfers_are_reported_as_packer_does(comm: SSHCommunicator, tree: Path,
                                                           tmp_path: Path) -> None:
    prov = FileProvisioner()
    prov.prepare(decode(prov.Config, {"source": str(tmp_path / "nope"), "destination": str(tmp_path / "x"),
                                      "direction": "download"}), INFO)
    from kiln_sdk.components import ProvisionContext
    from kiln_sdk.ui import RecordingUi

    ui = RecordingUi()
    with pytest.raises(BuildError):
        prov.provision(ProvisionContext(ui=ui, info=INFO, communicator=comm))
    assert len(ui.lines("error")) == 1 and ui.lines("error")[0].startswith("Download failed: ")
    prov.prepare(decode(prov.Config, {"source": f"{tmp_path / 'nope'}/", "destination": str(tmp_path / "y"),
                                      "direction": "download"}), INFO)
    ui = RecordingUi()
    with pytest.raises(BuildError, match="no such remote directory"):
        prov.provision(ProvisionContext(ui=ui, info=INFO, communicator=comm))
    assert ui.lines("error") == [] and not (tmp_path / "y").exists()


def test_ctrl_c_interrupts_a_large_upload(comm: SSHCommunicator, tmp_path: Path) -> None:
    import threading
    import time

    from kiln_sdk.components import ProvisionContext
    from kiln_sdk.diagnostics import Cancelled
    from kiln_sdk.ui import RecordingUi

    huge = tmp_path / "huge.img"
    with open(huge, "wb") as fh:
        fh.truncate(4 * 1024**3)  # sparse: 4 GiB would take many seconds to send
    prov = FileProvisioner()
    prov.prepare(decode(prov.Config, {"source": str(huge), "destination": str(tmp_path / "copy.img")}), INFO)
    ctx = ProvisionContext(ui=RecordingUi(), info=INFO, communicator=comm)
    threading.Timer(0.3, ctx.cancel_event.set).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        prov.provision(ctx)
    assert time.monotonic() - start < 8


def test_source_and_destination_are_rendered_with_the_builds_data(comm: SSHCommunicator, tmp_path: Path) -> None:
    (tmp_path / "f-i-123.txt").write_text("rendered\n")
    says = provision(FileProvisioner(), {"source": str(tmp_path / "f-{{.ID}}.txt"), "generated": True,
                                         "destination": str(tmp_path / "out-{{.ID}}.txt")}, comm,
                     data={"ID": "i-123"}).lines("say")
    assert (tmp_path / "out-i-123.txt").read_text() == "rendered\n"
    assert says == [f"Uploading {tmp_path / 'f-i-123.txt'} => {tmp_path / 'out-i-123.txt'}"]


def test_download_with_a_glob(comm: SSHCommunicator, tmp_path: Path) -> None:
    remote = tmp_path / "logs dir"
    (remote / "sub").mkdir(parents=True)
    for name in ("a.log", "b.log", "c.txt"):
        (remote / name).write_text(name)
    (remote / "sub" / "d.log").write_text("d")
    _file({"source": f"{remote}/*.log", "destination": str(tmp_path / "got") + "/", "direction": "download"}, comm)
    assert _files(tmp_path / "got") == {"a.log", "b.log"}
    with pytest.raises(BuildError, match="nothing matches"):
        _file({"source": f"{remote}/*.none", "destination": str(tmp_path / "x/"), "direction": "download"}, comm)
