"""The manifest post-processor, called in-process; plus real processes appending at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kiln_plugins.post_processor.go_json import GoMap, marshal_indent
from kiln_plugins.post_processor.manifest import ManifestPostProcessor
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError

from tests.plugins.plugin_fakes import configured, pp_ctx

RUN = "d5125bca-09df-b40e-b6d6-86d4814103f5"


def record(output: Path, artifact: Artifact, raw: dict[str, object] | None = None,
           info: BuildInfo | None = None) -> None:
    info = info or BuildInfo(build_name="f", builder_type="file", run_uuid=RUN)
    pp = ManifestPostProcessor()
    configured(pp, {"output": str(output), **(raw or {})}, info)
    ctx, _ = pp_ctx(info)
    result = pp.post_process(ctx, artifact)
    assert result.artifact is artifact and result.keep and result.force_override


def test_packer_layout_byte_for_byte(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("hello\n")
    out = tmp_path / "m.json"
    record(out, Artifact("fnoeding.null", "Null"), {"strip_time": True, "custom_data": {"b": "2", "a": "1"}},
           BuildInfo(build_name="alpha", builder_type="null", run_uuid=RUN))
    record(out, Artifact("packer.file", "File", [str(target)]), {"strip_time": True, "strip_path": True})
    assert out.read_text() == f"""{{
  "builds": [
    {{
      "name": "alpha",
      "builder_type": "null",
      "files": null,
      "artifact_id": "Null",
      "packer_run_uuid": "{RUN}",
      "custom_data": {{
        "a": "1",
        "b": "2"
      }}
    }},
    {{
      "name": "f",
      "builder_type": "file",
      "files": [
        {{
          "name": "out.txt",
          "size": 6
        }}
      ],
      "artifact_id": "File",
      "packer_run_uuid": "{RUN}",
      "custom_data": null
    }}
  ],
  "last_run_uuid": "{RUN}"
}}"""
    assert not (tmp_path / "m.json.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "out.txt"]


def test_build_time_and_unstripped_path_and_custom_data_rendered_without_data(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    before = int(time.time())
    record(out, Artifact("x", "id-1", [str(tmp_path / "gone.img")], state={"generated_data": {"ID": "i-9"}}),
           {"custom_data": {"who": "{{ build_name }}/{{.ID}}"}})
    build = json.loads(out.read_text())["builds"][0]
    assert before <= build["build_time"] <= int(time.time())
    assert build["files"] == [{"name": str(tmp_path / "gone.img"), "size": 0}]
    assert build["custom_data"] == {"who": "f/<no value>"}  # rendered at configure, as Packer does


def test_appends_across_runs_and_force_starts_over(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    art = Artifact("x", "a")
    record(out, art, info=BuildInfo(build_name="one", run_uuid="run-1"))
    record(out, art, info=BuildInfo(build_name="two", run_uuid="run-2"))
    doc = json.loads(out.read_text())
    assert [b["name"] for b in doc["builds"]] == ["one", "two"] and doc["last_run_uuid"] == "run-2"
    record(out, art, info=BuildInfo(build_name="three", run_uuid="run-3", force=True))
    record(out, art, info=BuildInfo(build_name="four", run_uuid="run-3", force=True))  # same run: appends
    doc = json.loads(out.read_text())
    assert [b["name"] for b in doc["builds"]] == ["three", "four"] and doc["last_run_uuid"] == "run-3"


def test_existing_entries_are_rewritten_as_go_reads_them(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    out.write_text(json.dumps({"builds": [{"Name": "old", "extra": 1, "files": [], "build_time": 5}],
                               "last_run_uuid": "r0", "other": True}))
    record(out, Artifact("x", "a"), {"strip_time": True})
    doc = json.loads(out.read_text())
    assert doc["builds"][0] == {"name": "old", "builder_type": "", "build_time": 5, "files": [],
                                "artifact_id": "", "packer_run_uuid": "", "custom_data": None}
    assert list(doc) == ["builds", "last_run_uuid"]


def test_unreadable_manifest_fails_and_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    out.write_text('{"builds": [{"name": 3}]}')
    with pytest.raises(BuildError, match=r"^Unable to parse content from .*m\.json: json: cannot unmarshal number"):
        record(out, Artifact("x"))
    out.write_text("{not json")
    with pytest.raises(BuildError, match="Unable to parse content from"):
        record(out, Artifact("x"))
    assert out.read_text() == "{not json"


def test_missing_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="^Unable to write .*/nodir/m.json: open .*: no such file or directory$"):
        record(tmp_path / "nodir" / "m.json", Artifact("x"))


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    out.write_text("")
    os.chmod(out, 0o640)
    record(out, Artifact("x"))
    assert out.stat().st_mode & 0o777 == 0o640


def test_a_symlinked_manifest_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    (tmp_path / "link.json").symlink_to(real)
    record(tmp_path / "link.json", Artifact("x", "a"))
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads(real.read_text())["builds"][0]["artifact_id"] == "a"


def test_go_json_escaping() -> None:
    value = {"s": "<a&b>\u2028\x01\b\f\n\t\"\\é", "m": GoMap({"z": 1, "a": []}), "e": {}}
    assert marshal_indent(value) == (
        '{\n  "s": "\\u003ca\\u0026b\\u003e\\u2028\\u0001\\u0008\\u000c\\n\\t\\"\\\\é",\n'
        '  "m": {\n    "a": [],\n    "z": 1\n  },\n  "e": {}\n}'
    )


WRITER = """
import sys, time
from pathlib import Path
from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo, Context
from kiln_sdk.config import decode
from kiln_sdk.ui import RecordingUi
from kiln_plugins.post_processor.manifest import ManifestPostProcessor

output, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
info = BuildInfo(build_name=f"w{worker}", run_uuid=RUN, force=True)
pp = ManifestPostProcessor()
pp.configure(decode(pp.Config, {"output": output, "strip_time": True}), info)
while not go.exists():  # every process starts writing at the same moment
    time.sleep(0.001)
for i in range(count):
    pp.post_process(Context(ui=RecordingUi(), info=info), Artifact("x", f"{worker}-{i}"))
"""


def test_parallel_processes_lose_no_entry(tmp_path: Path) -> None:
    out = tmp_path / "packer-manifest.json"
    out.write_text(json.dumps({"builds": [{"name": "stale"}], "last_run_uuid": "older-run"}))
    go = tmp_path.parent / f"{tmp_path.name}-go"
    workers, count = 6, 8
    script = WRITER.replace("RUN", repr(RUN))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(out), str(w), str(count), str(go)])
             for w in range(workers)]
    time.sleep(0.5)  # let them start and wait
    go.touch()
    try:
        for p in procs:
            assert p.wait(60) == 0
    finally:
        go.unlink()
    doc = json.loads(out.read_text())
    ids = sorted(b["artifact_id"] for b in doc["builds"])
    assert ids == sorted(f"{w}-{i}" for w in range(workers) for i in range(count))  # -force reset exactly once
    assert sorted(p.name for p in tmp_path.iterdir()) == ["packer-manifest.json"]
