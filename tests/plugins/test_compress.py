"""The compress post-processor, called in-process."""

from __future__ import annotations

import gzip
import io
import lzma
import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from kiln_plugins.post_processor.compress import CompressPostProcessor, detect_format
from kiln_plugins.post_processor.compression import BGZF_EOF, GzipWriter, cores
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError, ConfigError

from tests.plugins.plugin_fakes import configured, diag_paths, pp_ctx

INFO = BuildInfo(build_name="f", builder_type="file", run_uuid="r")


@pytest.mark.parametrize(("output", "fmt", "archive", "algorithm"), [
    ("a.tar.gz", "", "tar", "pgzip"),
    ("a.tgz", "", "tar", "pgzip"),  # unknown extension: Packer's default
    ("a.bz2", "", "tar", "pgzip"),
    ("packer_{{.BuildName}}_{{.BuilderType}}", "", "tar", "pgzip"),
    ("a.zip", "", "zip", ""),
    ("a.tar", "", "tar", ""),
    ("a.gz", "", "", "pgzip"),
    ("a.xz", "", "", "xz"),
    ("a.bgzf", "", "", "bgzf"),
    ("a.tar.xz", "", "tar", "xz"),
    ("a", "tar.xz", "tar", "xz"),
    ("a.gz", "zip", "zip", ""),
    ("a.lz4", "", "", "lz4"),
])
def test_format_detection_follows_packer(output: str, fmt: str, archive: str, algorithm: str) -> None:
    plan = detect_format(output, fmt)
    assert (plan.archive, plan.algorithm) == (archive, algorithm)


def compress(tmp_path: Path, files: list[str], raw: dict[str, object]) -> tuple[Path, list[str], Artifact]:
    pp = CompressPostProcessor()
    configured(pp, raw, INFO)
    ctx, ui = pp_ctx(INFO)
    result = pp.post_process(ctx, Artifact("packer.file", "File", files))
    assert (result.keep, result.force_override) == (False, False)
    assert result.artifact.builder_id == "packer.post-processor.compress" and result.artifact.id == ""
    return Path(result.artifact.files[0]), ui.lines("say"), result.artifact


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    Path("sub").mkdir()
    Path("sub/out.txt").write_text("hello\n")
    Path("big.bin").write_bytes(os.urandom(70000) + b"z" * 100000)
    return ["sub/out.txt", "big.bin"]


def test_tar_gz_holds_basenames_with_zero_times(tmp_path: Path, inputs: list[str]) -> None:
    path, said, artifact = compress(tmp_path, inputs, {"output": "out/a.tar.gz"})
    assert said == [f"Using pgzip compression with {cores()} cores for out/a.tar.gz",
                    "Tarring out/a.tar.gz with pgzip", "Archive out/a.tar.gz completed"]
    assert str(artifact) == "compressed artifacts in: out/a.tar.gz"
    raw = gzip.decompress(path.read_bytes())
    assert len(raw) == 512 + 512 + 512 + 170496 + 1024  # no padding to a 10 KiB record, unlike Python's tarfile
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        members = tar.getmembers()
        assert [(m.name, m.size, m.mtime, m.mode) for m in members] == [
            ("out.txt", 6, 0, 0o644 & ~0 if False else os.stat("sub/out.txt").st_mode & 0o777),
            ("big.bin", 170000, 0, os.stat("big.bin").st_mode & 0o777)]
        assert tar.extractfile(members[1]).read() == Path("big.bin").read_bytes()  # type: ignore[union-attr]
    artifact.destroy()
    assert not path.exists()


def test_default_output_is_a_tar_gz_named_after_the_build(tmp_path: Path, inputs: list[str]) -> None:
    path, _, _ = compress(tmp_path, inputs[:1], {})
    assert path == Path("packer_f_file")
    with tarfile.open(path) as tar:
        assert tar.getnames() == ["out.txt"]


def test_zip_keeps_paths_with_go_zero_time(tmp_path: Path, inputs: list[str]) -> None:
    path, said, _ = compress(tmp_path, inputs, {"output": "a.zip"})
    assert said == ["Zipping a.zip", "Archive a.zip completed"]
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        assert [(i.filename, i.file_size, i.date_time, i.create_system, i.external_attr) for i in infos] == [
            ("sub/out.txt", 6, (1980, 0, 0, 0, 0, 0), 0, 0), ("big.bin", 170000, (1980, 0, 0, 0, 0, 0), 0, 0)]
        assert z.read("big.bin") == Path("big.bin").read_bytes() and z.testzip() is None


@pytest.mark.parametrize(("output", "decompress", "name"), [
    ("a.gz", gzip.decompress, "pgzip"),
    ("a.xz", lzma.decompress, "xz"),
    ("a.bgzf", gzip.decompress, "bgzf"),
])
def test_single_file_compression(tmp_path: Path, inputs: list[str], output: str, decompress: object, name: str) -> None:
    path, said, _ = compress(tmp_path, ["big.bin"], {"output": output, "compression_level": 9})
    assert said[1] == f"Archiving big.bin with {name}"
    assert decompress(path.read_bytes()) == Path("big.bin").read_bytes()  # type: ignore[operator]
    if name == "bgzf":
        data = path.read_bytes()
        assert data.endswith(BGZF_EOF)
        blocks, pos = 0, 0
        while pos < len(data):  # every block is a gzip member whose BC field gives its size
            assert data[pos:pos + 4] == b"\x1f\x8b\x08\x04" and data[pos + 12:pos + 14] == b"BC"
            pos += int.from_bytes(data[pos + 16:pos + 18], "little") + 1
            blocks += 1
        assert pos == len(data) and blocks == 4  # 170000 bytes in 0xff00-byte blocks, then the EOF block
    if name == "pgzip":
        assert path.read_bytes()[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def test_tar_xz_from_format(tmp_path: Path, inputs: list[str]) -> None:
    path, said, _ = compress(tmp_path, inputs, {"output": "g", "format": "tar.xz"})
    assert said[:2] == ["Using xz compression with 1 core for g (library does not support MT)", "Tarring g with xz"]
    with tarfile.open(path, "r:xz") as tar:
        assert tar.getnames() == ["out.txt", "big.bin"]


def test_several_files_without_an_archive_fail_like_packer(tmp_path: Path, inputs: list[str]) -> None:
    with pytest.raises(BuildError) as err:
        compress(tmp_path, inputs, {"output": "a.gz"})
    assert str(err.value) == ("Can only have 1 input file when not using tar/zip. Found 2 files: "
                              "[sub/out.txt big.bin]")


def test_missing_input_fails(tmp_path: Path, inputs: list[str]) -> None:
    with pytest.raises(BuildError, match="^Error creating tar: Unable to read file nosuch: open nosuch: no such file"):
        compress(tmp_path, ["nosuch"], {"output": "a.tar"})


def test_lz4_and_bad_levels_are_configuration_errors() -> None:
    with pytest.raises(ConfigError) as err:
        configured(CompressPostProcessor(), {"output": "a.tar.lz4"})
    assert diag_paths(err.value) == [("lz4 compression is not available in kiln", ("output",))]
    with pytest.raises(ConfigError) as err:
        configured(CompressPostProcessor(), {"output": "a", "format": "lz4"})
    assert diag_paths(err.value)[0][1] == ("format",)
    with pytest.raises(ConfigError) as err:
        configured(CompressPostProcessor(), {"output": "a.gz", "compression_level": -3})
    assert diag_paths(err.value) == [("Invalid compression level. Expected an integer from -1 to 9.",
                                      ("compression_level",))]
    pp = CompressPostProcessor()
    configured(pp, {"output": "a.gz", "compression_level": 42})
    assert pp.plan.level == 9


@pytest.mark.parametrize("size", [0, 1, 1 << 20, (3 << 20) + 12345])
@pytest.mark.parametrize("level", [-2, -1, 1, 9])
def test_parallel_gzip_is_one_valid_member_at_any_size(size: int, level: int) -> None:
    data = (os.urandom(size // 3) + b"abc" * size)[:size]
    out = io.BytesIO()
    writer = GzipWriter(out, level, workers=3)
    for i in range(0, size, 300000):  # writes that do not line up with blocks
        writer.write(data[i:i + 300000])
    writer.close()
    raw = out.getvalue()
    assert zlib_single_member(raw) and gzip.decompress(raw) == data


def zlib_single_member(raw: bytes) -> bool:
    import zlib
    d = zlib.decompressobj(31)
    d.decompress(raw)
    return d.eof and d.unused_data == b""
