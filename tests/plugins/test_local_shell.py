"""The shell-local provisioner and post-processor (and their shared module), called in-process."""

from __future__ import annotations

import glob
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from kiln_plugins.local_process import clean_output_line
from kiln_plugins.post_processor.shell_local import ShellLocalPostProcessor
from kiln_plugins.provisioner.shell_local import ShellLocalProvisioner
from kiln_plugins.shell_local_common import ShellLocalConfig, flattened_env_vars, go_sprintf, validate
from kiln_sdk.artifact import Artifact
from kiln_sdk.diagnostics import BuildError, Cancelled, ConfigError

from tests.plugins.plugin_fakes import INFO, configured, diag_paths, pp_ctx, provision_ctx


def provision(raw: dict[str, Any], data: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    p = ShellLocalProvisioner()
    configured(p, raw)
    ctx, ui = provision_ctx(data=data)
    p.provision(ctx)
    return [(kind, args[0]) for kind, args in ui.calls]


def test_vars_are_sorted_quoted_and_env_overrides_environment_vars() -> None:
    raw = {"inline": ["unused"], "environment_vars": ["FOO=it's", "BAR=a b"], "env": {"BAR": "from env"},
           "execute_command": ["printf", "[%s]\\n", "{{.Vars}}"]}
    calls = provision(raw)
    assert calls[0][0] == "say" and calls[0][1].startswith("Running local shell script: ")
    assert calls[1:] == [("message", "[BAR='from env' FOO='it'\"'\"'s' PACKER_BUILDER_TYPE='null' PACKER_BUILD_NAME='alpha' ]")]


def test_inline_runs_with_packer_variables_and_stderr_as_errors() -> None:
    calls = provision({
        "inline": ['echo "$PACKER_BUILD_NAME/$PACKER_BUILDER_TYPE $FOO $BAR"', "echo oops >&2"],
        "environment_vars": ["FOO=it's", "BAR=a b"],
    })
    assert [text for kind, text in calls if kind == "message"] == ["alpha/null it's a b"]
    assert ("error", "oops") in calls


def test_default_execute_command_and_shebang_and_temp_script_removed() -> None:
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "packer-shell*")))
    calls = provision({"inline": ["cat $0", "echo $-"]})
    messages = [text for kind, text in calls if kind == "message"]
    script = calls[0][1].removeprefix("Running local shell script: ")
    assert messages[:3] == ["#!/bin/sh -e", "cat $0", "echo $-"]
    assert "e" in messages[3]  # ran under "/bin/sh -e"
    assert not os.path.exists(script)
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "packer-shell*"))) == before


def test_tempfile_extension_and_custom_shebang() -> None:
    calls = provision({"inline": ["echo $0"], "tempfile_extension": ".bash", "inline_shebang": "/bin/bash -e",
                       "execute_command": ["{{.Script}}"]})
    assert calls[1][1].endswith(".bash")


def test_scripts_run_in_order_with_their_given_paths(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sh", tmp_path / "b.sh"
    a.write_text("echo A $1\n")
    b.write_text("echo B\n")
    a.chmod(0o755)
    b.chmod(0o755)
    calls = provision({"scripts": [str(a), str(b)]})
    assert calls == [("say", f"Running local shell script: {a}"), ("message", "A"),
                     ("say", f"Running local shell script: {b}"), ("message", "B")]


def test_valid_exit_codes_and_packer_wording_of_a_bad_exit() -> None:
    assert ("message", "x") in provision({"inline": ["echo x; exit 3"], "valid_exit_codes": [0, 3]})
    with pytest.raises(BuildError) as err:
        provision({"inline": ["exit 4"], "valid_exit_codes": [0, 3]})
    assert str(err.value) == "Script exited with non-zero exit status: 4.Allowed exit codes are: [0 3]"
    with pytest.raises(BuildError, match=r"status: 1\.Allowed exit codes are: \[0\]$"):
        provision({"inline": ["false"]})


def test_only_on_skips_other_systems() -> None:
    assert provision({"inline": ["echo no"], "only_on": ["darwin"]}) == [("say", "Skipping shell-local due to runtime OS")]
    assert ("message", "yes") in provision({"inline": ["echo yes"], "only_on": ["linux", "darwin"]})


def test_templates_render_at_prepare_but_execute_command_sees_the_build_data() -> None:
    # Packer renders inline and environment_vars once, at prepare, without data (so {{.ID}} is
    # "<no value>"); only execute_command is rendered per script with the builder's generated data.
    data = {"ID": "i-123", "PackerHTTPAddr": "10.0.0.1:8080", "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER"}
    calls = provision({"inline": ['echo "{{ build_name }} {{.ID}} $V $PACKER_HTTP_ADDR ${PACKER_HTTP_IP-unset}"'],
                       "environment_vars": ["V={{build_type}}"],
                       "execute_command": ["/bin/sh", "-c", "echo 'id={{.ID}} {{.Missing}}'; {{.Vars}} {{.Script}}"]},
                      data)
    assert [t for k, t in calls if k == "message"] == ["id=i-123 <no value>", "alpha <no value> null 10.0.0.1:8080 unset"]


def test_a_template_that_does_not_parse_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError) as err:
        configured(ShellLocalProvisioner(), {"inline": ["ok", "echo {{ nosuchfunc }}"]})
    assert diag_paths(err.value) == [("Invalid template", ("inline", "1"))]
    assert "nosuchfunc" in err.value.diagnostics[0].detail


def test_output_lines_are_cleaned_like_packer() -> None:
    calls = provision({"inline": ["echo 'a  '; echo; printf 'x\\ry\\n'; printf '  lead\\n'; printf noeol"]})
    assert [t for k, t in calls if k == "message"] == ["a", "", "y", "  lead", "noeol"]
    assert clean_output_line("p\r\n") == "p"


def test_run_uuid_reaches_the_script() -> None:
    env = dict(os.environ)
    os.environ.pop("PACKER_RUN_UUID", None)
    try:
        calls = provision({"inline": ["echo $PACKER_RUN_UUID"]})
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert ("message", INFO.run_uuid) in calls


def test_cancel_stops_a_running_script_and_its_children() -> None:
    p = ShellLocalProvisioner()
    configured(p, {"inline": ["sleep 30 & sleep 30"]})
    ctx, _ = provision_ctx()
    threading.Timer(0.3, ctx.cancel_event.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled) as err:
        p.provision(ctx)
    assert time.monotonic() - started < 10
    assert str(err.value).startswith("Error executing script: /")  # what Packer reports for a timeout
    assert str(err.value).endswith("\n\nPlease see output above for more information.")


def test_cancel_also_ends_a_background_child_holding_the_output() -> None:
    p = ShellLocalProvisioner()
    configured(p, {"inline": ["(sleep 30 &)", "echo started"]})
    ctx, ui = provision_ctx()
    threading.Timer(0.5, ctx.cancel_event.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        p.provision(ctx)
    assert time.monotonic() - started < 10 and ui.lines("message") == ["started"]


@pytest.mark.parametrize(("raw", "expected"), [
    ({}, [("Command, Inline, Script and Scripts options cannot all be empty.", ("inline",))]),
    ({"inline": ["x"], "script": "s.sh"}, [
        ("You may only specify one of the following options: Command, Inline, Script or Scripts. "
         "Please consolidate these options in your config.", ("script",))]),
    ({"script": "s.sh"}, [("Bad script 's.sh': stat s.sh: no such file or directory", ("script",))]),
    ({"inline": ["x"], "only_on": ["linux", "plan9"]}, [("Invalid OS specified in only_on: 'plan9'", ("only_on", "1"))]),
    ({"inline": ["x"], "environment_vars": ["OK=1", "bad", "=v"]}, [
        ("Environment variable not in format 'key=value': bad", ("environment_vars", "1")),
        ("Environment variable not in format 'key=value': =v", ("environment_vars", "2"))]),
    ({"inline": ["x"], "use_linux_pathing": True}, [
        ("Packer is unable to use the Command and Inline features with the Windows Linux Subsystem. "
         "Please use the Script or Scripts options instead", ("inline",))]),
])
def test_configuration_errors_carry_attribute_paths(raw: dict[str, object], expected: list[object]) -> None:
    with pytest.raises(ConfigError) as err:
        configured(ShellLocalProvisioner(), raw)
    assert diag_paths(err.value) == expected


def test_deprecated_command_becomes_inline() -> None:
    config = ShellLocalConfig(command="echo hi")
    validate(config)
    assert config.inline == ["echo hi"]
    assert config.execute_command == ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
    assert config.env_var_format == "%s='%s' "


def test_env_var_format_follows_go_sprintf() -> None:
    assert go_sprintf("%s='%s' ", "K", "v") == "K='v' "
    assert go_sprintf("export %s=%s; 100%%", "K", "v") == "export K=v; 100%"
    config = ShellLocalConfig(inline=["x"], env_var_format="%s=%s;", environment_vars=["A=1"])
    validate(config)
    assert flattened_env_vars(config, INFO, {}) == "A=1;PACKER_BUILDER_TYPE=null;PACKER_BUILD_NAME=alpha;"


def test_post_processor_runs_per_artifact_and_keeps_it(tmp_path: Path) -> None:
    pp = ShellLocalPostProcessor()
    configured(pp, {"inline": ['echo "got {{.ID}} $PACKER_BUILD_NAME"'],
                    "execute_command": ["/bin/sh", "-c", "echo id={{.ID}}; {{.Vars}} {{.Script}}"]})
    ctx, ui = pp_ctx()
    artifact = Artifact("fnoeding.null", "Null", [], "x", state={"generated_data": {"ID": "Null"}})
    result = pp.post_process(ctx, artifact)
    assert result.artifact is artifact and result.keep and result.force_override
    assert ui.lines("message") == ["id=Null", "got <no value> alpha"]


def test_post_processor_single_execute_command_runs_under_sh_c() -> None:
    pp = ShellLocalPostProcessor()
    configured(pp, {"inline": ["echo inline"], "execute_command": ["echo legacy {{.Script}} | cut -c1-6"]})
    assert pp.config.execute_command[:2] == ["sh", "-c"]
    ctx, ui = pp_ctx()
    pp.post_process(ctx, Artifact("b"))
    assert ui.lines("message") == ["legacy"]


def test_post_processor_failure_is_a_build_error() -> None:
    pp = ShellLocalPostProcessor()
    configured(pp, {"inline": ["exit 2"]})
    ctx, _ = pp_ctx()
    with pytest.raises(BuildError, match="non-zero exit status: 2"):
        pp.post_process(ctx, Artifact("b"))


def test_scripts_are_written_and_processes_started_under_one_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """One plugin process serves many builds: a child forked while another thread writes its script would
    hold the script open and make its execution fail with "Text file busy" (seen at N = 64)."""
    import subprocess

    from kiln_plugins import local_process, shell_local_common

    seen: list[tuple[str, bool]] = []
    real_mkstemp, real_popen = tempfile.mkstemp, subprocess.Popen

    def mkstemp(*a: Any, **k: Any) -> tuple[int, str]:
        seen.append(("mkstemp", local_process.SPAWN_LOCK.locked()))
        return real_mkstemp(*a, **k)

    def popen(*a: Any, **k: Any) -> Any:
        seen.append(("popen", local_process.SPAWN_LOCK.locked()))
        return real_popen(*a, **k)

    monkeypatch.setattr(shell_local_common.tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(local_process.subprocess, "Popen", popen)
    provision({"inline": ["true"]})
    assert ("mkstemp", True) in seen and ("popen", True) in seen and all(held for _, held in seen), seen


def test_many_concurrent_inline_scripts_in_one_process_all_run() -> None:
    errors: list[str] = []

    def one() -> None:
        try:
            calls = provision({"inline": ["echo ok"]})
            if ("message", "ok") not in calls:
                errors.append(str(calls))
        except BuildError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=one) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
