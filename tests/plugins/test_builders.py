"""The null and file builders, called in-process."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from kiln_plugins.builder.file import FileBuilder
from kiln_plugins.builder.null import NullBuilder
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError, ConfigError

from tests.plugins.plugin_fakes import build_ctx, configured, diag_paths

FILE_INFO = BuildInfo(build_name="f", builder_type="file", run_uuid="r")


def test_null_builder_with_no_communicator_runs_the_provision_hook_once() -> None:
    b = NullBuilder()
    assert configured(b, {"communicator": "none"}) == []
    ctx, ui, hook = build_ctx()
    artifact = b.run(ctx)
    assert [(name, comm) for name, comm, _ in hook.calls] == [("packer_provision", None)]
    data = hook.calls[0][2]
    assert data["ID"] == "Null" and data["PackerHTTPAddr"] == "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER"
    assert data["PackerRunUUID"] == ctx.info.run_uuid and data["ConnType"] == "none"
    assert artifact is not None
    assert (artifact.builder_id, artifact.id, artifact.files) == ("fnoeding.null", "Null", [])
    assert str(artifact) == "Did not export anything. This is the null builder"


def test_null_builder_rejects_an_unknown_communicator_with_its_path() -> None:
    with pytest.raises(ConfigError) as err:
        configured(NullBuilder(), {"communicator": "bogus"})
    assert diag_paths(err.value) == [("Invalid communicator", ("communicator",))]
    assert '"bogus" is not a communicator' in err.value.diagnostics[0].detail


def test_null_builder_stops_before_the_hook_when_cancelled() -> None:
    b = NullBuilder()
    configured(b, {"communicator": "none"})
    ctx, _, hook = build_ctx()
    ctx.cancel_event.set()
    with pytest.raises(BuildError):
        b.run(ctx)
    assert hook.calls == []


def test_file_builder_writes_content_creating_directories(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    b = FileBuilder()
    assert configured(b, {"content": "hello\n", "target": str(target)}, FILE_INFO) == []
    ctx, ui, hook = build_ctx(info=FILE_INFO)
    artifact = b.run(ctx)
    assert target.read_text() == "hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) & 0o755 == 0o755
    assert [c[0] for c in hook.calls] == ["packer_provision"]
    assert artifact is not None
    assert (artifact.builder_id, artifact.id, artifact.files) == ("packer.file", "File", [str(target)])
    assert str(artifact) == f"Stored file: {target}"
    assert ui.calls == []
    artifact.destroy()
    assert not target.exists()


def test_file_builder_copies_source_and_says_so(tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"\x00\x01" * 1000)
    target = tmp_path / "dst.bin"
    b = FileBuilder()
    configured(b, {"source": str(src), "target": str(target)}, FILE_INFO)
    ctx, ui, _ = build_ctx(info=FILE_INFO)
    b.run(ctx)
    assert target.read_bytes() == src.read_bytes()
    assert ui.lines("say") == [f"Copying {src} to {target}", "Copied 2000 bytes"]


def test_file_builder_errors_name_the_attribute() -> None:
    with pytest.raises(ConfigError) as err:
        configured(FileBuilder(), {"content": "x", "source": "y"})
    assert diag_paths(err.value) == [
        ("target required", ("target",)),
        ("Cannot specify source file AND content", ("source",)),
    ]


def test_file_builder_warns_when_there_is_nothing_to_write(tmp_path: Path) -> None:
    b = FileBuilder()
    warnings = configured(b, {"target": str(tmp_path / "empty")})
    assert warnings == ["Both source file and contents are blank; target will have no content"]
    ctx, _, _ = build_ctx()
    b.run(ctx)
    assert (tmp_path / "empty").read_bytes() == b""


def test_file_builder_missing_source_fails_like_go(tmp_path: Path) -> None:
    b = FileBuilder()
    missing = str(tmp_path / "nosuch")
    configured(b, {"source": missing, "target": str(tmp_path / "t")})
    ctx, _, hook = build_ctx()
    with pytest.raises(BuildError, match=f"^open {missing}: no such file or directory$"):
        b.run(ctx)
    assert hook.calls == []
    assert not os.path.exists(tmp_path / "t")


def test_file_builder_renders_templates_at_prepare_like_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    b = FileBuilder()
    configured(b, {"content": "x {{ build_name }} {{ .Foo }} y", "target": "{{ build_type }}.txt"}, FILE_INFO)
    ctx, _, _ = build_ctx(info=FILE_INFO)
    artifact = b.run(ctx)
    assert artifact is not None and artifact.files == ["file.txt"]
    assert Path("file.txt").read_text() == "x f <no value> y"


def test_file_builder_provisioners_get_packers_mock_communicator(tmp_path: Path) -> None:
    import io
    import tarfile

    b = FileBuilder()
    configured(b, {"content": "x", "target": str(tmp_path / "t")}, FILE_INFO)
    ctx, _, hook = build_ctx(info=FILE_INFO)
    b.run(ctx)
    comm = hook.calls[0][1]
    assert comm is not None
    out: list[bytes] = []
    assert comm.run("exit 3", stdout=out.append, stderr=out.append) == 0 and out == []
    src = io.BytesIO(b"data" * 1000)
    comm.upload("/nowhere/x", src)
    assert src.tell() == 4000  # read and dropped
    sink = io.BytesIO()
    comm.download("/etc/hostname", sink)
    assert sink.getvalue() == b""
    with tarfile.open(fileobj=io.BytesIO(b"".join(comm.download_tar("/etc/"))), mode="r:") as tar:
        assert tar.getmembers() == []
    comm.download_dir("/etc/", str(tmp_path / "down"))
    assert list(tmp_path.glob("down/**/*")) == []
