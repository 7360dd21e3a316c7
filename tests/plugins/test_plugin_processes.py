"""Each bundled component served by the real bundled plugin executable, called over gRPC."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiln_sdk.artifact import Artifact
from kiln_sdk.components import BuildInfo
from kiln_sdk.testing import Callbacks, HookCall, start_component
from kiln_sdk.ui import RecordingUi

BUNDLED = [sys.executable, "-m", "kiln_plugins"]
INFO = BuildInfo(build_name="alpha", builder_type="null", run_uuid="run-1")


def test_describe_names_every_bundled_component() -> None:
    out = json.loads(subprocess.run([*BUNDLED, "describe"], capture_output=True, text=True, check=True).stdout)
    assert {"null", "file"} <= set(out["builders"])
    assert {"shell-local", "breakpoint"} <= set(out["provisioners"])
    assert {"manifest", "checksum", "compress", "shell-local", "artifice"} <= set(out["post_processors"])


def test_null_builder_process_fires_the_hook_and_reports_diagnostics() -> None:
    with start_component(BUNDLED, "builder", "null") as builder, Callbacks() as cb:
        assert builder.process.pid != os.getpid()
        schema = builder.schema()
        assert schema.attribute("communicator").default == "ssh"  # type: ignore[union-attr]
        bad = builder.prepare({"communicator": "none", "nonsense": 1}, INFO)
        assert [(d.summary, d.path) for d in bad.errors] == [("Unsupported argument", ("nonsense",))]
        bad = builder.prepare({"communicator": "bogus"}, INFO)
        assert [(d.summary, d.path) for d in bad.errors] == [("Invalid communicator", ("communicator",))]
        assert not builder.prepare({"communicator": "none"}, INFO).errors
        result = builder.run(cb.ui_ref, cb.hook_ref)
        assert not result.error and result.artifact is not None
        assert (result.artifact.builder_id, result.artifact.id) == ("fnoeding.null", "Null")
        assert [(c.name, c.communicator) for c in cb.hook_calls] == [("packer_provision", None)]
        assert cb.hook_calls[0].data["ID"] == "Null"


def test_file_builder_process_writes_and_destroys_remotely(tmp_path: Path) -> None:
    target = tmp_path / "d" / "out.txt"
    statuses: list[int] = []

    def provision(call: HookCall) -> None:  # as the core's provisioners would, while the hook runs
        assert call.communicator is not None  # Packer's mock communicator, served by the builder's process
        comm = call.communicator.connect()
        try:
            statuses.append(comm.run("exit 5"))
        finally:
            comm.close()

    with start_component(BUNDLED, "builder", "file") as builder, Callbacks(hook=provision) as cb:
        prepared = builder.prepare({"target": str(target)}, INFO)
        assert [w.summary for w in prepared.warnings] == [
            "Both source file and contents are blank; target will have no content"]
        assert [(d.summary, d.path) for d in builder.prepare({}, INFO).errors] == [("target required", ("target",))]
        builder.prepare({"target": str(target), "content": "hi"}, INFO)
        result = builder.run(cb.ui_ref, cb.hook_ref)
        assert result.artifact is not None and result.artifact.files == [str(target)]
        assert target.read_text() == "hi" and str(result.artifact) == f"Stored file: {target}"
        assert statuses == [0]
        result.artifact.destroy()  # runs in the plugin process
        assert not target.exists()


def test_shell_local_provisioner_process_streams_output_and_cancels() -> None:
    with start_component(BUNDLED, "provisioner", "shell-local") as prov, Callbacks() as cb:
        assert [d.path for d in prov.prepare({"inline": ["x"], "only_on": ["plan9"]}, INFO).errors] == [("only_on", "0")]
        assert not prov.prepare({"inline": ['echo "$PACKER_BUILD_NAME"', "echo e >&2"],
                                 "execute_command": ["/bin/sh", "-c", "echo {{.ID}}; {{.Vars}} {{.Script}}"]}, INFO).errors
        result = prov.provision(cb.ui_ref, None, {"ID": "i-1"})
        assert not result.error
        assert cb.ui.lines("message") == ["i-1", "alpha"] and cb.ui.lines("error") == ["e"]  # type: ignore[attr-defined]
        prov.prepare({"inline": ["exit 7"]}, INFO)
        assert prov.provision(cb.ui_ref, None, {}).error.startswith("Script exited with non-zero exit status: 7.")
        prov.prepare({"inline": ["sleep 30"]}, INFO)
        cancel = threading.Event()
        threading.Timer(0.3, cancel.set).start()
        started = time.monotonic()
        assert prov.provision(cb.ui_ref, None, {}, cancel=cancel, cancel_grace=10).cancelled
        assert time.monotonic() - started < 10


def test_breakpoint_process_asks_through_the_ui_callback() -> None:
    ui = RecordingUi(answers=[""])
    with start_component(BUNDLED, "provisioner", "breakpoint") as prov, Callbacks(ui=ui) as cb:
        prov.prepare({"note": "n"}, INFO)
        assert not prov.provision(cb.ui_ref, None, {}).error
    assert ui.calls == [("say", ('Pausing at breakpoint provisioner with note "n".',)),
                        ("ask", ("Press enter to continue.",))]


def test_post_processor_processes(tmp_path: Path) -> None:
    src = tmp_path / "out.txt"
    src.write_text("hello\n")
    artifact = Artifact("packer.file", "File", [str(src)], f"Stored file: {src}",
                        state={"generated_data": {"ID": "File"}})
    cases = {
        "manifest": ({"output": str(tmp_path / "m.json"), "strip_path": True, "custom_data": {"id": "{{.ID}} {{ build_name }}"}},
                     (True, True)),
        "checksum": ({"checksum_types": ["sha256"], "output": str(tmp_path / "{{.ChecksumType}}.sum")}, (True, True)),
        "compress": ({"output": str(tmp_path / "a.tar.gz")}, (False, False)),
        "shell-local": ({"inline": ["echo pp {{ build_name }}"]}, (True, True)),
        "artifice": ({"files": [str(src)]}, (True, False)),
    }
    results = {}
    for name, (raw, keep) in cases.items():
        with start_component(BUNDLED, "post-processor", name) as pp, Callbacks() as cb:
            assert not pp.configure(raw, INFO).errors, name
            result = pp.post_process(cb.ui_ref, artifact)
            assert not result.error, (name, result.error)
            assert (result.keep, result.force_override) == keep, name
            results[name] = (result.artifact, cb.ui)
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["builds"][0]["files"] == [{"name": "out.txt", "size": 6}]
    assert doc["builds"][0]["custom_data"] == {"id": "<no value> alpha"} and doc["last_run_uuid"] == "run-1"
    assert results["checksum"][0].files == [str(src), str(tmp_path / "sha256.sum")]
    assert results["compress"][0].files == [str(tmp_path / "a.tar.gz")]
    assert results["shell-local"][1].lines("message") == ["pp alpha"]  # type: ignore[attr-defined]
    assert results["artifice"][0].builder_id == "packer.post-processor.artifice"
    with start_component(BUNDLED, "post-processor", "artifice") as pp:
        assert [(d.summary, d.path) for d in pp.configure({}, INFO).errors] == [
            ("No files specified in artifice configuration", ("files",))]
