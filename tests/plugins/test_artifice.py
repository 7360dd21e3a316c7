"""The artifice post-processor, called in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiln_plugins.post_processor.artifice import ArtificePostProcessor
from kiln_sdk.artifact import Artifact
from kiln_sdk.diagnostics import ConfigError

from tests.plugins.plugin_fakes import configured, diag_paths, pp_ctx


def test_replaces_the_artifact_with_globbed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("b.txt", "a.txt", ".hidden.txt", "c.bin"):
        Path(name).write_text(name)
    pp = ArtificePostProcessor()
    configured(pp, {"files": ["*.txt", "c.bin", "missing.iso"]})
    ctx, ui = pp_ctx()
    result = pp.post_process(ctx, Artifact("packer.file", "File", ["out.txt"], "Stored file: out.txt"))
    assert result.artifact.files == [".hidden.txt", "a.txt", "b.txt", "c.bin"]
    assert (result.artifact.builder_id, result.artifact.id) == ("packer.post-processor.artifice", "")
    assert str(result.artifact) == "Created artifact from files: .hidden.txt, a.txt, b.txt, c.bin"
    assert (result.keep, result.force_override) == (True, False)
    assert ui.lines("say") == ["Discarding files from artifact: out.txt",
                               "Using these artifact files: .hidden.txt, a.txt, b.txt, c.bin"]
    result.artifact.destroy()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_no_files_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError) as err:
        configured(ArtificePostProcessor(), {})
    assert diag_paths(err.value) == [("No files specified in artifice configuration", ("files",))]


def test_an_artifact_without_files_is_not_announced(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    pp = ArtificePostProcessor()
    configured(pp, {"files": [str(tmp_path / "x")]})
    ctx, ui = pp_ctx()
    pp.post_process(ctx, Artifact("fnoeding.null", "Null"))
    assert ui.lines("say") == [f"Using these artifact files: {tmp_path / 'x'}"]
