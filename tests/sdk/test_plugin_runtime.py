"""The plugin runtime over real processes and sockets: handshake, calls, callbacks, faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kiln_sdk.components import BuildInfo
from kiln_sdk.host import CallTimedOut, PluginProcess, client_for
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
    proc = subprocess.run([*FAKE, "serve"], capture_output=True, text=True, env=env("good"))
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


def test_provisioner_and_post_processor_of_separate_starts(tmp_path: Path) -> None:
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
        ("old-protocol", "speaks plugin protocol v99, this kiln speaks v1: install a version of the plugin built "
                         "for protocol v1"),
        ("stdout-first", "unrecognised handshake line 'debug: starting'"),
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
        with pytest.raises(CallTimedOut, match="did not stop the builder 'fake' within 0.5s"):
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


@pytest.fixture(scope="module")
def shared() -> Iterator[PluginProcess]:
    """One fake plugin process for the instance tests (as the core runs one per executable)."""
    process = PluginProcess(FAKE, label="plugin fake", env=env("good")).start()
    yield process
    process.stop()


def test_get_info_reports_version_protocol_and_capabilities(shared: PluginProcess) -> None:
    assert shared.info is not None
    assert (shared.info.version, shared.info.protocol_major, shared.info.protocol_minor) == ("0.0.1", 1, 0)
    assert shared.info.supports("instances")


def test_one_process_serves_many_instances_each_with_its_own_config(shared: PluginProcess, tmp_path: Path) -> None:
    a, b = client_for(shared, "builder", "fake"), client_for(shared, "builder", "fake")
    echo = client_for(shared, "provisioner", "echo")
    assert not a.prepare({"path": str(tmp_path / "a"), "content": "A"}, BuildInfo(build_name="a")).errors
    assert not b.prepare({"path": str(tmp_path / "b"), "content": "B"}, BuildInfo(build_name="b")).errors
    assert not echo.prepare({"text": "hi"}, BuildInfo()).errors
    assert len({a.instance, b.instance, echo.instance}) == 3 and 0 not in {a.instance, b.instance}
    with Callbacks() as cb:
        assert b.run(cb.ui_ref, cb.hook_ref).artifact is not None
        assert a.run(cb.ui_ref, cb.hook_ref).artifact is not None
        assert not echo.provision(cb.ui_ref, None, {"ID": "i"}).error
    assert (tmp_path / "a").read_text() == "A" and (tmp_path / "b").read_text() == "B"
    assert cb.ui.lines("say") == [f"building b in pid {shared.pid}", f"building a in pid {shared.pid}"]  # type: ignore[attr-defined]
    a.close()
    with Callbacks() as cb:
        with pytest.raises(PluginCrashed, match="no component instance"):
            a.run(cb.ui_ref, cb.hook_ref)
        assert b.run(cb.ui_ref, cb.hook_ref).artifact is not None  # closing a does not touch b


def test_prepare_again_makes_a_new_instance_and_releases_the_old(shared: PluginProcess, tmp_path: Path) -> None:
    a = client_for(shared, "builder", "fake")
    a.prepare({"path": str(tmp_path / "1")}, BuildInfo())
    first = a.instance
    a.prepare({"path": str(tmp_path / "2")}, BuildInfo())
    assert a.instance not in (0, first)
    stale = client_for(shared, "builder", "fake")
    stale.instance = first
    with Callbacks() as cb, pytest.raises(PluginCrashed, match=f"no component instance {first}"):
        stale.run(cb.ui_ref, cb.hook_ref)


def test_cancel_reaches_one_instance_only(shared: PluginProcess, tmp_path: Path) -> None:
    slow, other = client_for(shared, "builder", "fake"), client_for(shared, "builder", "fake")
    slow.prepare({"path": str(tmp_path / "slow"), "sleep": 30}, BuildInfo())
    other.prepare({"path": str(tmp_path / "other"), "sleep": 1.5}, BuildInfo())
    cancel = threading.Event()
    results: dict[str, object] = {}
    with Callbacks() as cb:
        t = threading.Thread(target=lambda: results.update(other=other.run(cb.ui_ref, cb.hook_ref)))
        t.start()
        threading.Timer(0.3, cancel.set).start()
        cancelled = slow.run(cb.ui_ref, cb.hook_ref, cancel=cancel)
        t.join()
    assert cancelled.error == "cancelled"
    done = results["other"]
    assert getattr(done, "artifact", None) is not None and (tmp_path / "other").exists()


def test_unhandled_exception_is_a_diagnostic_with_its_type(shared: PluginProcess, tmp_path: Path) -> None:
    lines: list[str] = []
    shared.stderr_sink = lines.append
    try:
        builder = client_for(shared, "builder", "fake")
        builder.prepare({"path": str(tmp_path / "x"), "raise_key": True}, BuildInfo())
        with Callbacks() as cb:
            result = builder.run(cb.ui_ref, cb.hook_ref)
    finally:
        shared.stderr_sink = None
    [diag] = result.errors
    assert (diag.exception_type, diag.summary) == ("KeyError", "'missing'")
    assert result.error == "KeyError: 'missing'"
    deadline = time.monotonic() + 10
    while not any("Traceback (most recent call last)" in ln for ln in lines) and time.monotonic() < deadline:
        time.sleep(0.02)  # the traceback goes to the plugin's stderr (the core's log)
    assert any("Traceback (most recent call last)" in ln for ln in lines)
    assert any("KeyError: 'missing'" in ln for ln in lines)


def test_unknown_component_is_a_diagnostic(shared: PluginProcess) -> None:
    nope = client_for(shared, "builder", "nope")
    with pytest.raises(PluginCrashed, match="this plugin has no builder 'nope'; its builders: fake"):
        nope.schema()
    [diag] = nope.prepare({}, BuildInfo()).errors
    assert "has no builder 'nope'" in diag.summary and nope.instance == 0


def test_a_plugin_flooding_stdout_does_not_block_and_its_output_reaches_the_sink(tmp_path: Path) -> None:
    lines: list[str] = []
    process = PluginProcess(FAKE, env=env("good"), stdout_sink=lines.append).start()
    try:
        builder = client_for(process, "builder", "fake")
        builder.prepare({"path": str(tmp_path / "f"), "flood_mb": 8}, BuildInfo())
        with Callbacks() as cb:
            assert builder.run(cb.ui_ref, cb.hook_ref).artifact is not None  # 8 MB > any pipe buffer
    finally:
        process.stop()
    assert lines[-1] == "flood done" and len(lines) == 8 * 17 + 1


def test_a_plugin_without_a_capability_still_serves(tmp_path: Path) -> None:
    process = PluginProcess(FAKE, env={**env("good"), "KILN_SDK_CAPABILITIES": ""}).start()
    try:
        assert process.info is not None and process.info.capabilities == frozenset()
        builder = client_for(process, "builder", "fake")
        assert not builder.prepare({"path": str(tmp_path / "o")}, BuildInfo()).errors
        with Callbacks() as cb:
            assert builder.run(cb.ui_ref, cb.hook_ref).artifact is not None
    finally:
        process.stop()


def test_unused_process_exits_when_released() -> None:
    process = PluginProcess(FAKE, env=env("good")).spawn()
    started = time.monotonic()
    process.stop(timeout=5)
    assert process.exit_description() == "exited with status 0"
    assert time.monotonic() - started < 5
