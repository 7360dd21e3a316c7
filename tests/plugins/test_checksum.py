"""The checksum post-processor, called in-process."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from kiln_plugins.post_processor.checksum import ChecksumPostProcessor
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import ConfigError

from tests.plugins.plugin_fakes import configured, diag_paths, pp_ctx

INFO = BuildInfo(build_name="f", builder_type="file", run_uuid="r")


def test_default_output_and_md5_line_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sub").mkdir()
    Path("sub/out.txt").write_text("hello\n")
    pp = ChecksumPostProcessor()
    configured(pp, {}, INFO)
    ctx, _ = pp_ctx(INFO)
    result = pp.post_process(ctx, Artifact("packer.file", "File", ["sub/out.txt"]))
    assert Path("packer_f_file_md5.checksum").read_bytes() == b"b1946ac92492d2347c6235b4d2611184\tout.txt\n"
    assert result.artifact.files == ["sub/out.txt", "packer_f_file_md5.checksum"]
    assert str(result.artifact) == "Created artifact from files: sub/out.txt, packer_f_file_md5.checksum"
    assert (result.artifact.builder_id, result.keep, result.force_override) == (
        "packer.post-processor.checksum", True, True)


def test_every_type_one_line_per_file_appending(tmp_path: Path) -> None:
    files = []
    for name in ("a.img", "b.img"):
        (tmp_path / name).write_bytes(name.encode() * 1000)
        files.append(str(tmp_path / name))
    types = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]
    out = str(tmp_path / "sums" / "{{.BuildName}}.{{.ChecksumType}}")
    pp = ChecksumPostProcessor()
    configured(pp, {"checksum_types": types, "output": out}, INFO)
    ctx, _ = pp_ctx(INFO)
    result = pp.post_process(ctx, Artifact("x", files=files))
    assert result.artifact.files == files + [str(tmp_path / "sums" / f"f.{t}") for t in types]
    for t in types:
        want = "".join(f"{hashlib.new(t, Path(f).read_bytes()).hexdigest()}\t{Path(f).name}\n" for f in files)
        assert (tmp_path / "sums" / f"f.{t}").read_text() == want
    again = pp.post_process(ctx, Artifact("x", files=files[:1]))
    assert again.artifact.files == files[:1]  # the checksum files existed already
    assert len((tmp_path / "sums" / "f.md5").read_text().splitlines()) == 3


def test_unknown_checksum_type_names_its_index() -> None:
    with pytest.raises(ConfigError) as err:
        configured(ChecksumPostProcessor(), {"checksum_types": ["sha256", "crc32"]})
    assert diag_paths(err.value) == [("Unrecognized checksum type: crc32", ("checksum_types", "1"))]
