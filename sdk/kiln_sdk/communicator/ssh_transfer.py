"""Moving bytes over one SSH channel: the scp protocol, pipelined SFTP, and remote paths.

Everything streams in chunks; nothing is read whole into memory.
"""

from __future__ import annotations

import os
import posixpath
import stat
from typing import BinaryIO

import paramiko

from kiln_sdk.communicator.base import RemoteCommandError
from kiln_sdk.communicator.paths import sftp_path, shell_path
from kiln_sdk.communicator.tarstream import CHUNK_SIZE, iter_chunks

_SFTP_CHUNK = 32768 * 8


def exec_channel(transport: paramiko.Transport, command: str, timeout: float = 30.0) -> paramiko.Channel:
    chan = transport.open_session(timeout=timeout)
    chan.exec_command(command)
    return chan


def finish(chan: paramiko.Channel, what: str) -> None:
    """Close our side, wait for the remote command, raise with its stderr if it failed."""
    chan.shutdown_write()
    err = bytearray()
    while True:
        data = chan.recv_stderr(65536)
        if not data:
            break
        err += data
    while chan.recv(65536):
        pass
    status = chan.recv_exit_status()
    chan.close()
    if status != 0:
        msg = err.decode(errors="replace").strip() or f"exit status {status}"
        raise RemoteCommandError(f"{what}: {msg}")


def send_stream(chan: paramiko.Channel, src: BinaryIO, limit: int | None = None) -> int:
    """Copy ``src`` (at most ``limit`` bytes) into ``chan``; return the byte count."""
    sent = 0
    while limit is None or sent < limit:
        want = CHUNK_SIZE if limit is None else min(CHUNK_SIZE, limit - sent)
        data = src.read(want)
        if not data:
            break
        chan.sendall(data)
        sent += len(data)
    return sent


# ----------------------------------------------------------------------------------------------- scp


def _scp_ack(chan: paramiko.Channel, what: str) -> None:
    code = chan.recv(1)
    if code == b"\0":
        return
    if not code:
        raise RemoteCommandError(f"{what}: the remote scp closed the connection (is scp installed there?)")
    line = bytearray()
    while not line.endswith(b"\n"):
        c = chan.recv(1)
        if not c:
            break
        line += c
    msg = line.decode(errors="replace").strip()
    raise RemoteCommandError(f"{what}: {msg if msg.startswith('scp:') else 'scp: ' + msg}")


def _stream_size(src: BinaryIO) -> int | None:
    try:
        if src.seekable():
            pos = src.tell()
            end = src.seek(0, os.SEEK_END)
            src.seek(pos)
            return end - pos
    except (OSError, ValueError):
        pass
    return None


def scp_upload(transport: paramiko.Transport, dst: str, src: BinaryIO, mode: int | None, size: int | None) -> None:
    """Upload with the scp sink protocol (``scp -t``), as Packer's default transfer method does."""
    what = f"uploading {dst}"
    if size is None:
        size = _stream_size(src)
    if size is None:  # scp must announce the size first: stream through cat instead
        chan = exec_channel(transport, f"cat > {shell_path(dst)}" + (f" && chmod {mode:o} {shell_path(dst)}"
                                                                    if mode is not None else ""))
        send_stream(chan, src)
        finish(chan, what)
        return
    directory, name = posixpath.split(dst)
    chan = exec_channel(transport, f"scp -d -t {shell_path(directory or '.')}")  # -d: it must be a directory
    try:
        _scp_ack(chan, what)
        header = f"C{(mode if mode is not None else 0o644) & 0o7777:04o} {size} {name}\n"
        chan.sendall(header.encode())
        _scp_ack(chan, what)
        sent = send_stream(chan, src, size)
        if sent < size:
            raise RemoteCommandError(f"{what}: the local stream ended after {sent} of {size} bytes")
        chan.sendall(b"\0")
        _scp_ack(chan, what)
    finally:
        chan.shutdown_write()
        chan.close()


def scp_download(transport: paramiko.Transport, src: str, dst: BinaryIO) -> None:
    """Download with the scp source protocol (``scp -f``)."""
    what = f"downloading {src}"
    chan = exec_channel(transport, f"scp -f {shell_path(src)}")
    try:
        chan.sendall(b"\0")
        header = bytearray()
        while not header.endswith(b"\n"):
            c = chan.recv(1)
            if not c:
                raise RemoteCommandError(f"{what}: the remote scp closed the connection (is scp installed there?)")
            header += c
        if bytes(header[:1]) in (b"\1", b"\2"):
            msg = header[1:].decode(errors="replace").strip()
            msg = msg if msg.startswith("scp:") else f"scp: {msg}"
            raise (FileNotFoundError if "No such file" in msg else RemoteCommandError)(f"{what}: {msg}")
        if header[:1] != b"C":
            raise RemoteCommandError(f"{what}: {src} is not a regular file (use download_dir for directories)")
        size = int(header.split(b" ", 2)[1])
        chan.sendall(b"\0")
        remaining = size
        while remaining > 0:
            data = chan.recv(min(CHUNK_SIZE, remaining))
            if not data:
                raise RemoteCommandError(f"{what}: connection closed after {size - remaining} of {size} bytes")
            dst.write(data)
            remaining -= len(data)
        _scp_ack(chan, what)
        chan.sendall(b"\0")
    finally:
        chan.close()


# ---------------------------------------------------------------------------------------------- sftp


def sftp_upload(sftp: paramiko.SFTPClient, dst: str, src: BinaryIO, mode: int | None) -> None:
    """Pipelined SFTP write (requests are not waited for one by one)."""
    path = sftp_path(dst)
    try:
        with sftp.open(path, "wb") as fh:
            fh.set_pipelined(True)
            for data in iter_chunks(src, _SFTP_CHUNK):
                fh.write(data)
        if mode is not None:
            sftp.chmod(path, mode & 0o7777)
    except FileNotFoundError:
        raise FileNotFoundError(f"uploading {dst}: the remote directory {posixpath.dirname(dst) or '.'} "
                                "does not exist") from None
    except PermissionError:
        raise PermissionError(f"uploading {dst}: permission denied on the remote machine") from None
    except OSError as exc:  # SFTP's generic "Failure": say what is in the way if we can
        try:
            attrs = sftp.stat(path)
        except OSError:
            raise exc from None
        if attrs.st_mode is not None and stat.S_ISDIR(attrs.st_mode):
            raise RemoteCommandError(f"uploading {dst}: it is a directory on the remote machine") from None
        raise


def sftp_download(sftp: paramiko.SFTPClient, src: str, dst: BinaryIO) -> None:
    """SFTP read with prefetch (many read requests in flight)."""
    path = sftp_path(src)
    try:
        attrs = sftp.stat(path)
        if attrs.st_mode is not None and stat.S_ISDIR(attrs.st_mode):
            raise RemoteCommandError(f"downloading {src}: it is a directory (use download_dir)")
        with sftp.open(path, "rb") as fh:
            fh.prefetch(attrs.st_size)
            for data in iter_chunks(fh, _SFTP_CHUNK):  # type: ignore[arg-type]
                dst.write(data)
    except FileNotFoundError:
        raise FileNotFoundError(f"downloading {src}: no such remote file") from None
