"""The archive and compression writers of the compress post-processor, byte-compatible with Packer's
where the format allows: GNU tar headers as Go's ``archive/tar`` writes them (zero times, device fields
filled, no record padding), zip entries as Go's ``archive/zip`` ``Create`` makes them (zero DOS time,
FAT attributes), gzip members with Go's header (no name, no time, OS 255), BGZF blocks, xz.
Deflate output itself differs from Go's (another implementation), the decompressed bytes never do.
"""

from __future__ import annotations

import grp
import lzma
import os
import pwd
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Sequence
from typing import BinaryIO, Protocol

_BLOCK = 512
_CHUNK = 1 << 20
BGZF_BLOCK_SIZE = 0xFF00  # input bytes per BGZF block (biogo/hts)
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def _deflater(level: int) -> zlib._Compress:
    """Go's level semantics: -1 default (6), -2 Huffman only, 1..9 as zlib."""
    if level == -2:
        return zlib.compressobj(1, zlib.DEFLATED, -15, 8, zlib.Z_HUFFMAN_ONLY)
    return zlib.compressobj(6 if level == -1 else level, zlib.DEFLATED, -15, 8)


def _gzip_header(level: int, extra: bytes = b"") -> bytes:
    xfl = 2 if level == 9 else 4 if level == 1 else 0
    flags = 0x04 if extra else 0
    head = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0" + bytes([xfl, 0xFF])
    if extra:
        head += struct.pack("<H", len(extra)) + extra
    return head


class GzipWriter:
    """One gzip member, written as data arrives."""

    def __init__(self, out: Sink, level: int) -> None:
        self._out, self._deflate = out, _deflater(level)
        self._crc, self._size = 0, 0
        out.write(_gzip_header(level))

    def write(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._out.write(self._deflate.compress(data))

    def close(self) -> None:
        self._out.write(self._deflate.flush() + struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))


class BgzfWriter:
    """Blocked gzip (BGZF): independent gzip members of at most 64 KiB, then the EOF block."""

    def __init__(self, out: Sink, level: int) -> None:
        self._out, self._level, self._pending = out, level, bytearray()

    def write(self, data: bytes) -> None:
        self._pending += data
        while len(self._pending) >= BGZF_BLOCK_SIZE:
            self._block(bytes(self._pending[:BGZF_BLOCK_SIZE]))
            del self._pending[:BGZF_BLOCK_SIZE]

    def _block(self, data: bytes) -> None:
        deflate = _deflater(self._level)
        body = deflate.compress(data) + deflate.flush()
        header_len = 18
        bsize = header_len + len(body) + 8 - 1
        extra = b"BC" + struct.pack("<HH", 2, bsize)
        self._out.write(_gzip_header(self._level, extra) + body
                        + struct.pack("<II", zlib.crc32(data), len(data)))

    def close(self) -> None:
        if self._pending:
            self._block(bytes(self._pending))
            self._pending.clear()
        self._out.write(BGZF_EOF)


class XzWriter:
    def __init__(self, out: Sink) -> None:
        self._out = out
        self._lzma = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)

    def write(self, data: bytes) -> None:
        self._out.write(self._lzma.compress(data))

    def close(self) -> None:
        self._out.write(self._lzma.flush())


class PlainWriter:
    def __init__(self, out: Sink) -> None:
        self._out = out

    def write(self, data: bytes) -> None:
        self._out.write(data)

    def close(self) -> None:
        pass


Writer = GzipWriter | BgzfWriter | XzWriter | PlainWriter


def make_writer(algorithm: str, out: Sink, level: int) -> Writer:
    if algorithm == "pgzip":
        return GzipWriter(out, level)
    if algorithm == "bgzf":
        return BgzfWriter(out, level)
    if algorithm == "xz":
        return XzWriter(out)
    return PlainWriter(out)


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


def write_tar(files: Sequence[str], out: Writer) -> None:
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


def copy_into(path: str, out: Writer) -> None:
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
