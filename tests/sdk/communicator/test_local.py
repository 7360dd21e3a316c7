"""LocalCommunicator: the interface's local implementation."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from pathlib import Path

import pytest
from kiln_sdk.communicator.local import LocalCommunicator
from kiln_sdk.diagnostics import Cancelled


def test_run_streams_output_and_returns_status() -> None:
    out: list[bytes] = []
    err: list[bytes] = []
    comm = LocalCommunicator()
    rc = comm.run("echo hi; echo oops >&2; exit 3", stdout=out.append, stderr=err.append)
    assert rc == 3 and b"".join(out) == b"hi\n" and b"".join(err) == b"oops\n"


def test_run_feeds_stdin() -> None:
    out: list[bytes] = []
    rc = LocalCommunicator().run("tr a-z A-Z", stdout=out.append, stdin=io.BytesIO(b"hello"))
    assert rc == 0 and b"".join(out) == b"HELLO"


def test_cancel_interrupts_command() -> None:
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        LocalCommunicator().run("sleep 30", cancel=cancel)
    assert time.monotonic() - start < 10


def test_upload_download_and_dirs(tmp_path: Path) -> None:
    comm = LocalCommunicator()
    data = os.urandom(1_000_000)
    comm.upload(str(tmp_path / "f.bin"), io.BytesIO(data), mode=0o640)
    assert (tmp_path / "f.bin").stat().st_mode & 0o777 == 0o640
    sink = io.BytesIO()
    comm.download(str(tmp_path / "f.bin"), sink)
    assert hashlib.sha256(sink.getvalue()).digest() == hashlib.sha256(data).digest()
    (tmp_path / "d" / "x").mkdir(parents=True)
    (tmp_path / "d" / "x" / "y.txt").write_text("y")
    comm.upload_dir(str(tmp_path / "up"), str(tmp_path / "d"))
    assert (tmp_path / "up" / "d" / "x" / "y.txt").read_text() == "y"
    comm.download_dir(str(tmp_path / "d") + "/", str(tmp_path / "down"))
    assert (tmp_path / "down" / "x" / "y.txt").read_text() == "y"
