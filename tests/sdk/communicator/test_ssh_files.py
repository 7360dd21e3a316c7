"""SSHCommunicator file transfers against a real sshd: scp and sftp, tar and SFTP-fallback dirs."""

from __future__ import annotations

import hashlib
import io
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from kiln_sdk.communicator.base import RemoteCommandError
from kiln_sdk.communicator.ssh import SSHCommunicator
from kiln_sdk.communicator.tarstream import stream_from_chunks

from tests.sshd_fixture import SSHServer

BIG = 20 * 1024 * 1024 + 17


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.bin"
    with open(path, "wb") as fh:
        fh.write(os.urandom(BIG))
    return path


@pytest.fixture(params=["scp", "sftp"])
def comm(request: pytest.FixtureRequest, sshd: SSHServer) -> Iterator[SSHCommunicator]:
    c = sshd.config(ssh_file_transfer_method=request.param).open_communicator()
    assert isinstance(c, SSHCommunicator)
    yield c
    c.close()


def _tree(root: Path) -> dict[str, str | None]:
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else _sha(p)) for p in sorted(root.rglob("*"))}


@pytest.fixture
def nested(tmp_path: Path) -> Path:
    src = tmp_path / "site"
    (src / "conf" / "deep" / "deeper").mkdir(parents=True)
    (src / "index.html").write_text("<h1>hi</h1>\n")
    (src / "conf" / "app.conf").write_text("x=1\n")
    (src / "conf" / "deep" / "deeper" / "run.sh").write_text("#!/bin/sh\necho run\n")
    (src / "conf" / "deep" / "deeper" / "run.sh").chmod(0o755)
    (src / "conf" / "blob.bin").write_bytes(os.urandom(300_000))
    (src / "empty").mkdir()
    return src


def test_large_binary_upload_and_download(comm: SSHCommunicator, big_file: Path, tmp_path: Path) -> None:
    dst = tmp_path / "remote.bin"
    with open(big_file, "rb") as fh:
        comm.upload(str(dst), fh, mode=0o600)
    assert _sha(dst) == _sha(big_file)
    assert dst.stat().st_mode & 0o777 == 0o600
    back = tmp_path / "back.bin"
    with open(back, "wb") as fh:
        comm.download(str(dst), fh)
    assert _sha(back) == _sha(big_file)


def test_upload_of_a_stream_of_unknown_size(comm: SSHCommunicator, tmp_path: Path) -> None:
    chunks = [os.urandom(100_000) for _ in range(7)]
    comm.upload(str(tmp_path / "s.bin"), stream_from_chunks(iter(chunks)))
    assert (tmp_path / "s.bin").read_bytes() == b"".join(chunks)


@pytest.mark.parametrize("use_tar", [True, False], ids=["tar", "sftp-fallback"])
def test_directory_upload_trailing_slash_rule(comm: SSHCommunicator, nested: Path, tmp_path: Path,
                                              use_tar: bool) -> None:
    comm.use_tar = use_tar
    comm.upload_dir(str(tmp_path / "a"), str(nested))  # no slash: makes a/site
    assert _tree(tmp_path / "a" / "site") == _tree(nested)
    comm.upload_dir(str(tmp_path / "b" / "c"), str(nested) + "/")  # slash: contents into b/c (created)
    assert _tree(tmp_path / "b" / "c") == _tree(nested)
    assert os.access(tmp_path / "b" / "c" / "conf" / "deep" / "deeper" / "run.sh", os.X_OK)


@pytest.mark.parametrize("use_tar", [True, False], ids=["tar", "sftp-fallback"])
def test_directory_download(comm: SSHCommunicator, nested: Path, tmp_path: Path, use_tar: bool) -> None:
    comm.use_tar = use_tar
    comm.download_dir(str(nested), str(tmp_path / "d1"))
    assert _tree(tmp_path / "d1" / "site") == _tree(nested)
    comm.download_dir(str(nested) + "/", str(tmp_path / "d2"))
    assert _tree(tmp_path / "d2") == _tree(nested)


@pytest.mark.parametrize("use_tar", [True, False], ids=["tar", "sftp-fallback"])
def test_missing_remote_directory(comm: SSHCommunicator, tmp_path: Path, use_tar: bool) -> None:
    comm.use_tar = use_tar
    with pytest.raises(FileNotFoundError, match="no such remote directory"):
        comm.download_dir(str(tmp_path / "nope"), str(tmp_path / "x"))


def test_missing_remote_file(comm: SSHCommunicator, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        comm.download(str(tmp_path / "nope"), io.BytesIO())


def test_upload_into_a_missing_directory(comm: SSHCommunicator, tmp_path: Path) -> None:
    with pytest.raises((FileNotFoundError, RemoteCommandError), match="missing"):
        comm.upload(str(tmp_path / "missing" / "f.txt"), io.BytesIO(b"x"), size=1)


def test_dropped_connection_mid_upload(comm: SSHCommunicator, tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        for i in range(40):
            if i == 10:  # the network goes away halfway through
                assert comm._conn is not None
                comm._conn.transport.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
            yield os.urandom(256 * 1024)

    with pytest.raises(RemoteCommandError, match=r"root@127.0.0.1:\d+: connection lost while uploading"):
        comm.upload(str(tmp_path / "partial.bin"), stream_from_chunks(chunks()))
    # and the next call reconnects
    out: list[bytes] = []
    assert comm.run("echo again", stdout=out.append) == 0 and out == [b"again\n"]


def test_a_directory_is_one_channel(comm: SSHCommunicator, nested: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import paramiko

    comm.remote_has_tar()  # the one-time probe
    opened: list[int] = []
    real = paramiko.Transport.open_session

    def counting(self: paramiko.Transport, *args: object, **kwargs: object) -> paramiko.Channel:
        opened.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(paramiko.Transport, "open_session", counting)
    comm.upload_dir(str(tmp_path / "one"), str(nested) + "/")
    assert len(opened) == 1
    assert _tree(tmp_path / "one") == _tree(nested)


def test_empty_file(comm: SSHCommunicator, tmp_path: Path) -> None:
    comm.upload(str(tmp_path / "empty"), io.BytesIO(b""), size=0)
    assert (tmp_path / "empty").read_bytes() == b""
    sink = io.BytesIO()
    comm.download(str(tmp_path / "empty"), sink)
    assert sink.getvalue() == b""


def test_a_remote_without_tar_gets_directories_over_sftp(sshd_factory, nested: Path,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    server = sshd_factory("SetEnv PATH=/kiln-no-tar-here")  # no tar (nor anything else) on the PATH
    comm = server.config().open_communicator()
    assert isinstance(comm, SSHCommunicator)
    assert comm.run("command -v tar") != 0
    assert comm.remote_has_tar() is False
    comm.upload_dir(str(tmp_path / "up"), str(nested) + "/")
    assert _tree(tmp_path / "up") == _tree(nested)
    comm.download_dir(str(nested), str(tmp_path / "down"))
    assert _tree(tmp_path / "down" / "site") == _tree(nested)
    comm.close()


def test_remote_refusal_is_not_a_lost_connection(comm: SSHCommunicator, tmp_path: Path) -> None:
    (tmp_path / "a-dir").mkdir()
    with pytest.raises(RemoteCommandError) as info:  # uploading onto a directory
        comm.upload(str(tmp_path / "a-dir"), io.BytesIO(b"x"), size=1)
    assert "connection lost" not in str(info.value) and "127.0.0.1" in str(info.value)
    assert comm.run("true") == 0
