"""The Communicator across a real gRPC server on a Unix socket: RemoteCommunicator <-> servicer."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from kiln_sdk._wire.communicator import CommunicatorServicer, RemoteCommunicator
from kiln_sdk._wire.objects import ObjectRegistry
from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc
from kiln_sdk.communicator.base import RemoteCommandError
from kiln_sdk.communicator.local import LocalCommunicator
from kiln_sdk.diagnostics import Cancelled


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[RemoteCommunicator]:
    registry = ObjectRegistry()
    server = grpc.server(futures.ThreadPoolExecutor(8))
    rpc.add_CommunicatorServicer_to_server(CommunicatorServicer(registry), server)
    address = f"unix://{tmp_path}/comm.sock"
    server.add_insecure_port(address)
    server.start()
    ident = registry.add(LocalCommunicator())
    try:
        yield RemoteCommunicator(pb.Ref(address=address, id=ident))
    finally:
        server.stop(0)


def test_run_streams_stdout_stderr_and_status(remote: RemoteCommunicator) -> None:
    out: list[bytes] = []
    err: list[bytes] = []
    rc = remote.run("echo out; echo err >&2; printf 'x%.0s' $(seq 1 100000); exit 7",
                    stdout=out.append, stderr=err.append)
    assert rc == 7
    assert b"".join(out).startswith(b"out\n") and b"".join(out).count(b"x") == 100000
    assert b"".join(err) == b"err\n"


def test_run_with_stdin(remote: RemoteCommunicator) -> None:
    out: list[bytes] = []
    assert remote.run("wc -c", stdout=out.append, stdin=io.BytesIO(b"12345")) == 0
    assert b"".join(out).strip() == b"5"


def test_cancel_interrupts_the_remote_command(remote: RemoteCommunicator, tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        remote.run(f"sleep 20; touch {marker}", cancel=cancel)
    assert time.monotonic() - start < 10
    time.sleep(0.3)
    assert not marker.exists()


def test_large_upload_and_download(remote: RemoteCommunicator, tmp_path: Path) -> None:
    data = os.urandom(5 * 1024 * 1024 + 123)
    remote.upload(str(tmp_path / "big.bin"), io.BytesIO(data), mode=0o600, size=len(data))
    assert hashlib.sha256((tmp_path / "big.bin").read_bytes()).digest() == hashlib.sha256(data).digest()
    sink = io.BytesIO()
    remote.download(str(tmp_path / "big.bin"), sink)
    assert sink.getvalue() == data


def test_directories_both_ways(remote: RemoteCommunicator, tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "a" / "b" / "c.txt").write_text("c")
    remote.upload_dir(str(tmp_path / "up"), str(src) + "/")
    assert (tmp_path / "up" / "a" / "b" / "c.txt").read_text() == "c"
    remote.download_dir(str(src), str(tmp_path / "down"))
    assert (tmp_path / "down" / "src" / "a" / "b" / "c.txt").read_text() == "c"


def test_errors_cross_the_wire(remote: RemoteCommunicator, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        remote.download(str(tmp_path / "nope"), io.BytesIO())
    with pytest.raises(FileNotFoundError, match="nope"):
        remote.download_dir(str(tmp_path / "nope"), str(tmp_path / "x"))
    with pytest.raises(Exception, match="missing-dir"):
        remote.upload(str(tmp_path / "missing-dir" / "f"), io.BytesIO(b"x"))


def test_unknown_object_id(remote: RemoteCommunicator) -> None:
    remote._id = 999
    with pytest.raises(RemoteCommandError, match="no object with id 999"):
        remote.run("true")
