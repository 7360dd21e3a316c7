"""Directories file by file over SFTP, for machines without ``tar`` (same tar-stream interface)."""

from __future__ import annotations

import functools
import posixpath
import stat
import tarfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

import paramiko

from kiln_sdk.communicator.paths import sftp_path
from kiln_sdk.communicator.tarstream import check_member_name, iter_chunks, iter_tar, split_trailing_slash

_CHUNK = 32768 * 8


def _mkdirs(sftp: paramiko.SFTPClient, path: str) -> None:
    parts = [p for p in path.split("/") if p]
    current = "/" if path.startswith("/") else ""
    for part in parts:
        current = posixpath.join(current, part) if current else part
        try:
            sftp.mkdir(current)
        except OSError:
            try:
                attrs = sftp.stat(current)
            except OSError:
                raise PermissionError(f"cannot create remote directory {current}") from None
            if attrs.st_mode is not None and not stat.S_ISDIR(attrs.st_mode):
                raise NotADirectoryError(f"remote {current} exists and is not a directory") from None


def sftp_upload_tar(sftp: paramiko.SFTPClient, dst: str, tar_stream: BinaryIO) -> int:
    """Extract ``tar_stream`` into the remote ``dst`` with SFTP calls; return the entry count."""
    root = sftp_path(dst)
    _mkdirs(sftp, root)
    count = 0
    with tarfile.open(fileobj=tar_stream, mode="r|") as tf:
        for member in tf:
            check_member_name(member, dst)
            name = member.name.removeprefix("./").rstrip("/")
            path = posixpath.join(root, name) if name not in ("", ".") else root
            if member.isdir():
                _mkdirs(sftp, path)
                sftp.chmod(path, member.mode & 0o7777)
            elif member.issym():
                try:
                    sftp.remove(path)
                except OSError:
                    pass
                sftp.symlink(member.linkname, path)
            elif member.isfile():
                fh_src = tf.extractfile(member)
                assert fh_src is not None
                with sftp.open(path, "wb") as fh:
                    fh.set_pipelined(True)
                    for data in iter_chunks(fh_src, _CHUNK):  # type: ignore[arg-type]
                        fh.write(data)
                sftp.chmod(path, member.mode & 0o7777)
            else:
                continue
            count += 1
    return count


def _info(name: str, attrs: paramiko.SFTPAttributes, link: str = "") -> tarfile.TarInfo | None:
    mode = attrs.st_mode or 0
    info = tarfile.TarInfo(name)
    info.mode = stat.S_IMODE(mode)
    info.mtime = int(attrs.st_mtime or 0)
    if stat.S_ISDIR(mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(mode):
        info.type = tarfile.SYMTYPE
        info.linkname = link
    elif stat.S_ISREG(mode):
        info.type = tarfile.REGTYPE
        info.size = attrs.st_size or 0
    else:
        return None
    return info


def _walk(sftp: paramiko.SFTPClient, path: str, arc: str
          ) -> Iterator[tuple[tarfile.TarInfo, Callable[[], BinaryIO] | None]]:
    for attrs in sorted(sftp.listdir_attr(path), key=lambda a: a.filename):
        child = posixpath.join(path, attrs.filename)
        name = f"{arc}/{attrs.filename}" if arc else attrs.filename
        mode = attrs.st_mode or 0
        info = _info(name, attrs, sftp.readlink(child) or "" if stat.S_ISLNK(mode) else "")
        if info is None:
            continue
        yield info, (functools.partial(_open_prefetched, sftp, child, info.size) if info.isfile() else None)
        if info.isdir():
            yield from _walk(sftp, child, name)


def _open_prefetched(sftp: paramiko.SFTPClient, path: str, size: int) -> BinaryIO:
    fh = sftp.open(path, "rb")
    fh.prefetch(size)
    return fh  # type: ignore[return-value]


def iter_sftp_tar(sftp: paramiko.SFTPClient, src: str) -> Iterator[bytes]:
    """A tar stream of the remote ``src`` (trailing-slash rule) built from SFTP reads."""
    root, contents_only = split_trailing_slash(src)
    path = sftp_path(root)
    try:
        attrs = sftp.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"downloading {src}: no such remote directory") from None
    if attrs.st_mode is None or not stat.S_ISDIR(attrs.st_mode):
        raise NotADirectoryError(f"downloading {src}: not a remote directory")

    def entries() -> Iterator[tuple[tarfile.TarInfo, Callable[[], BinaryIO] | None]]:
        arc = "" if contents_only else posixpath.basename(root.rstrip("/"))
        if arc:
            top = _info(arc, attrs)
            if top is not None:
                yield top, None
        yield from _walk(sftp, path, arc)

    return iter_tar(entries())
