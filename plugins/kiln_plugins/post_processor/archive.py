"""The archives of the compress post-processor, byte-compatible with Packer's: GNU tar headers as Go's
``archive/tar`` writes them (zero times, device fields filled, no record padding; the same bytes), zip
entries as Go's ``archive/zip`` ``Create`` makes them (zero DOS time, FAT attributes; deflate output
itself differs from Go's, the content never does).
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import tarfile
import zipfile
from collections.abc import Sequence
from typing import BinaryIO, Protocol

_BLOCK = 512
_CHUNK = 1 << 20


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def _name_of(uid: int, gid: int) -> tuple[str, str]:
    try:
        uname = pwd.getpwuid(uid).pw_name
    except KeyError:
        uname = ""
    try:
        gname = grp.getgrgid(gid).gr_name
    except KeyError:
        gname = ""
    return uname, gname


def gnu_tar_header(path: str, st: os.stat_result) -> bytes:
    """The header Go's ``tar.FileInfoHeader`` + GNU format + zero times give for a regular file."""
    info = tarfile.TarInfo(os.path.basename(path))
    info.size, info.mode, info.mtime = st.st_size, stat.S_IMODE(st.st_mode), 0
    info.uid, info.gid = st.st_uid, st.st_gid
    info.uname, info.gname = _name_of(st.st_uid, st.st_gid)
    buf = bytearray(info.tobuf(format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"))
    last = len(buf) - _BLOCK  # the file's own header (a long name adds ././@LongLink blocks before it)
    buf[last + 329:last + 345] = b"0000000\0" * 2  # Go writes devmajor/devminor for every entry
    buf[last + 148:last + 156] = b" " * 8
    buf[last + 148:last + 156] = b"%06o\0 " % sum(buf[last:last + _BLOCK])
    return bytes(buf)


def write_tar(files: Sequence[str], out: Sink) -> None:
    for path in files:
        try:
            src = open(path, "rb")
        except OSError as exc:
            raise ArchiveError(f"Unable to read file {path}: {_go_error('open', path, exc)}") from exc
        with src:
            st = os.fstat(src.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ArchiveError(f"Failed to copy {path} data to archive: read {path}: is a directory")
            out.write(gnu_tar_header(path, st))
            copied = 0
            while chunk := src.read(_CHUNK):
                out.write(chunk)
                copied += len(chunk)
            if copied != st.st_size:
                raise ArchiveError(f"Failed to copy {path} data to archive: archive/tar: write too long")
            if copied % _BLOCK:
                out.write(b"\0" * (_BLOCK - copied % _BLOCK))
    out.write(b"\0" * (2 * _BLOCK))


def write_zip(files: Sequence[str], out: BinaryIO) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = path.replace(os.sep, "/")
            info = zipfile.ZipInfo(name, date_time=(1980, 0, 0, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # FAT, no Unix mode: what Go's zip.Writer.Create records
            try:
                src = open(path, "rb")
            except OSError as exc:
                raise ArchiveError(f"Unable to read file {path}: {_go_error('open', path, exc)}") from exc
            with src, archive.open(info, "w", force_zip64=os.fstat(src.fileno()).st_size > 0x7FFFFFFF) as dst:
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)
            info.external_attr = 0  # ZipFile.open sets 0o600 << 16; the central directory is written at close


def copy_into(path: str, out: Sink) -> None:
    try:
        src = open(path, "rb")
    except OSError as exc:
        raise ArchiveError(f"Failed to open source file {path} for reading: {_go_error('open', path, exc)}") from exc
    with src:
        while chunk := src.read(_CHUNK):
            out.write(chunk)


class ArchiveError(Exception):
    pass


def _go_error(op: str, path: str, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{op} {path}: {reason[:1].lower()}{reason[1:]}"
