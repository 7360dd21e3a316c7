"""tar_local_dir / extract_tar_chunks: trailing-slash rule, streaming, path safety."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
from kiln_sdk.communicator.tarstream import (
    extract_tar_chunks,
    iter_local_tar,
    stream_from_chunks,
    tar_local_dir,
)


def _tree(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = None if p.is_dir() else p.read_bytes()
    return out


@pytest.fixture
def src(tmp_path: Path) -> Path:
    d = tmp_path / "src"
    (d / "a" / "b").mkdir(parents=True)
    (d / "top.txt").write_text("top\n")
    (d / "a" / "mid.bin").write_bytes(os.urandom(700_000))
    (d / "a" / "b" / "deep.sh").write_text("#!/bin/sh\necho deep\n")
    (d / "a" / "b" / "deep.sh").chmod(0o755)
    (d / "a" / "skip.log").write_text("no\n")
    (d / "link").symlink_to("top.txt")
    return d


def test_trailing_slash_streams_contents(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    extract_tar_chunks(iter_local_tar(str(src) + "/"), str(dst))
    assert _tree(dst) == _tree(src)
    assert os.access(dst / "a" / "b" / "deep.sh", os.X_OK)
    assert os.readlink(dst / "link") == "top.txt"


def test_no_trailing_slash_streams_the_directory(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    with tar_local_dir(str(src)) as stream:
        extract_tar_chunks(iter(lambda: stream.read(1000), b""), str(dst))
    assert sorted(os.listdir(dst)) == ["src"]
    assert _tree(dst / "src") == _tree(src)


def test_exclude_patterns(src: Path, tmp_path: Path) -> None:
    dst = tmp_path / "dst"
    extract_tar_chunks(iter_local_tar(str(src) + "/", exclude=["*.log", "a/b"]), str(dst))
    names = set(_tree(dst))
    assert "a/skip.log" not in names and "a/b" not in names and "a/mid.bin" in names


def test_stream_is_lazy_and_valid_tar(src: Path) -> None:
    chunks = iter_local_tar(str(src) + "/", chunk_size=4096)
    first = next(chunks)
    assert len(first) <= 4096  # never the whole tree at once
    data = first + b"".join(chunks)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        assert "a/b/deep.sh" in tf.getnames()


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        list(iter_local_tar(str(tmp_path / "nope")))


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "ok/../../evil.txt"])
def test_extract_refuses_path_traversal(tmp_path: Path, name: str) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo(name)
        info.size = 4
        tf.addfile(info, io.BytesIO(b"evil"))
    dst = tmp_path / "dst"
    with pytest.raises(tarfile.FilterError):
        extract_tar_chunks([buf.getvalue()], str(dst))
    assert not (tmp_path / "evil.txt").exists()


def test_extract_refuses_write_through_symlink(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        link = tarfile.TarInfo("out")
        link.type = tarfile.SYMTYPE
        link.linkname = str(tmp_path)
        tf.addfile(link)
        info = tarfile.TarInfo("out/evil.txt")
        info.size = 4
        tf.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(tarfile.FilterError):
        extract_tar_chunks([buf.getvalue()], str(tmp_path / "dst"))
    assert not (tmp_path / "evil.txt").exists()


def test_stream_from_chunks_reads_across_boundaries() -> None:
    s = stream_from_chunks([b"ab", b"", b"cde", b"f"])
    assert s.read(3) == b"abc" and s.read() == b"def"
