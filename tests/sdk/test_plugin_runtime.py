"""The plugin runtime over real processes and sockets: handshake, calls, callbacks, faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from kiln_sdk._wire.clients import CallTimedOut
from kiln_sdk.components import BuildInfo
from kiln_sdk.testing import Callbacks, PluginCrashed, PluginStartError, start_component

FAKE = [sys.executable, str(Path(__file__).parent / "fakes" / "fake_plugin.py")]


def env(scenario: str) -> dict[str, str]:
    return {**os.environ, "FAKE_PLUGIN_SCENARIO": scenario}


def test_describe_lists_components() -> None:
    out = subprocess.run([*FAKE, "describe"], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    assert data["protocol_version"] == 1
    assert data["builders"] == ["fake"] and data["provisioners"] == ["echo"] and data["post_processors"] == ["touch"]
    assert data["datasources"] == ["greet"]


def test_start_without_cookie_refuses() -> None:
    proc = subprocess.run([*FAKE, "start", "builder", "fake"], capture_output=True, text=True, env=env("good"))
    assert proc.returncode == 1
    assert "not meant to be executed directly" in proc.stderr


def test_schema_prepare_and_diagnostics(tmp_path: Path) -> None:
    with start_component(FAKE, "builder", "fake", env=env("good")) as builder:
        schema = builder.schema()
        path = schema.attribute("path")
        assert path is not None and path.required and path.type == "string"
        assert schema.attribute("sleep").type == "number"  # type: ignore[union-attr]
        ok = builder.prepare({"path": str(tmp_path / "x"), "content": "warn"}, BuildInfo(build_name="b"))
        assert not ok.errors and [w.summary for w in ok.warnings] == ["fake builder warns"]
        bad = builder.prepare({"content": "bad", "bogus": 1}, BuildInfo())
        assert {(d.summary, d.path) for d in bad.errors} == {
            ("Unsupported argument", ("bogus",)),
            ("Missing required argument", ("path",)),
        }
        semantic = builder.prepare({"path": "p", "content": "bad"}, BuildInfo())
        assert [(d.summary, d.path) for d in semantic.errors] == [("content must not be 'bad'", ("content",))]


def test_run_calls_back_ui_and_hook_and_artifact_destroys(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with start_component(FAKE, "builder", "fake", env=env("good")) as builder, Callbacks() as cb:
        builder.prepare({"path": str(target)}, BuildInfo(build_name="null.a"))
        result = builder.run(cb.ui_ref, cb.hook_ref)
        assert not result.error and result.artifact is not None
        assert result.artifact.files == [str(target)] and target.read_text() == "hello"
        said = cb.ui.lines("say")  # type: ignore[attr-defined]
        assert said == [f"building null.a in pid {builder.process.pid}"]
        assert builder.process.pid != os.getpid()
        assert [c.data for c in cb.hook_calls] == [{"ID": "fake-id"}]
        result.artifact.destroy()
        assert not target.exists()


def test_provisioner_and_post_processor_each_in_own_process(tmp_path: Path) -> None:
    f = tmp_path / "a"
    f.write_text("x")
    with start_component(FAKE, "provisioner", "echo", env=env("good")) as prov, \
            start_component(FAKE, "post-processor", "touch", env=env("good")) as pp, Callbacks() as cb:
        assert prov.process.pid != pp.process.pid
        assert not prov.prepare({"text": "hi"}, BuildInfo()).errors
        assert not prov.provision(cb.ui_ref, None, {"ID": "i-1"}).error
        assert cb.ui.lines("message") == [f"hi i-1 pid={prov.process.pid}"]  # type: ignore[attr-defined]
        assert not pp.configure({}, BuildInfo()).errors
        from kiln_sdk.artifact import Artifact

        out = pp.post_process(cb.ui_ref, Artifact("x", id="a", files=[str(f)]))
        assert out.artifact is not None and out.artifact.files == [str(f) + ".pp"] and not out.keep


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("garbage", "unrecognised handshake line 'hello, I am not a plugin'"),
        ("old-protocol", "plugin protocol v99"),
        ("exit-early", "exited with status 3 before its handshake"),
    ],
)
def test_bad_handshakes(scenario: str, message: str) -> None:
    with pytest.raises(PluginStartError) as info:
        with start_component(FAKE, "builder", "fake", env=env(scenario), start_timeout=10):
            pass
    assert message in str(info.value)
    if scenario == "exit-early":
        assert "fatal: cannot read my configuration" in str(info.value)


def test_no_handshake_times_out_and_process_is_gone() -> None:
    started = time.monotonic()
    with pytest.raises(PluginStartError, match="printed no handshake within 1s"):
        with start_component(FAKE, "builder", "fake", env=env("no-handshake"), start_timeout=1):
            pass
    assert time.monotonic() - started < 10


def test_crash_mid_run_is_reported(tmp_path: Path) -> None:
    with start_component(FAKE, "builder", "fake", env=env("crash-in-run")) as builder, Callbacks() as cb:
        builder.prepare({"path": str(tmp_path / "x")}, BuildInfo())
        with pytest.raises(PluginCrashed, match="exited with status 7 unexpectedly"):
            builder.run(cb.ui_ref, cb.hook_ref)


def test_cancel_runs_cleanup_and_returns(tmp_path: Path) -> None:
    cancel = threading.Event()
    with start_component(FAKE, "builder", "fake", env=env("good")) as builder, Callbacks() as cb:
        builder.prepare({"path": str(tmp_path / "x"), "sleep": 30}, BuildInfo())
        threading.Timer(0.3, cancel.set).start()
        result = builder.run(cb.ui_ref, cb.hook_ref, cancel=cancel)
        assert result.error == "cancelled"
        assert "cleaning up after cancel" in cb.ui.lines("say")  # type: ignore[attr-defined]


def test_hang_on_cancel_times_out(tmp_path: Path) -> None:
    cancel = threading.Event()
    with start_component(FAKE, "builder", "fake", env=env("hang-on-cancel")) as builder, Callbacks() as cb:
        builder.prepare({"path": str(tmp_path / "x"), "sleep": 30}, BuildInfo())
        cancel.set()
        with pytest.raises(CallTimedOut, match="did not stop within 0.5s"):
            builder.run(cb.ui_ref, cb.hook_ref, cancel=cancel, cancel_grace=0.5)
        pid = builder.process.pid
    # start_component stopped it: the process is gone
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_ui_ask_failure_reaches_the_plugin_with_its_reason() -> None:
    from kiln_sdk._wire.callbacks import RemoteUi
    from kiln_sdk.ui import RecordingUi, UiError

    class NoTty(RecordingUi):
        def ask(self, query: str) -> str:
            raise RuntimeError("no available tty")

    with Callbacks(ui=NoTty()) as cb:
        remote = RemoteUi(cb.ui_ref.ref)
        remote.say("hello")
        with pytest.raises(UiError, match="^no available tty$"):
            remote.ask("Press enter to continue.")
    assert cb.ui.lines("say") == ["hello"]  # type: ignore[attr-defined]


def test_standby_process_serves_the_component_it_is_assigned(tmp_path: Path) -> None:
    from kiln_sdk._wire.clients import BuilderClient
    from kiln_sdk._wire.process import PluginProcess

    process = PluginProcess.standby(FAKE, env("good"))
    try:
        process.assign("builder", "fake")
        builder = BuilderClient(process)
        assert not builder.prepare({"path": str(tmp_path / "s")}, BuildInfo(build_name="s")).errors
        with Callbacks() as cb:
            assert builder.run(cb.ui_ref, cb.hook_ref).artifact is not None
        assert cb.ui.lines("say") == [f"building s in pid {process.pid}"]  # type: ignore[attr-defined]
    finally:
        process.stop()


def test_unused_standby_process_exits_when_released() -> None:
    from kiln_sdk._wire.process import PluginProcess

    process = PluginProcess.standby(FAKE, env("good"))
    started = time.monotonic()
    process.stop(timeout=5)
    assert process.exit_description() == "exited with status 0"
    assert time.monotonic() - started < 5


def test_standby_assigned_an_unknown_component_says_so() -> None:
    from kiln_sdk._wire.process import PluginProcess

    process = PluginProcess.standby(FAKE, env("good"))
    with pytest.raises(PluginStartError, match="unknown component builder 'nope'"):
        process.assign("builder", "nope", start_timeout=10)
    process.stop()
