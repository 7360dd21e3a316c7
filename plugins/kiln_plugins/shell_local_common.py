"""What the shell-local provisioner and post-processor share (Packer's ``packer-plugin-sdk/shell-local``).

Both take the same settings, validate them the same way and run local scripts the same way: an inline
script becomes a temporary file (with ``inline_shebang``), every script runs through ``execute_command``
(default ``["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]``) where ``{{.Vars}}`` is the sorted, quoted
environment (``PACKER_BUILD_NAME``, ``PACKER_BUILDER_TYPE``, ``PACKER_HTTP_*`` when the builder has them,
then ``environment_vars`` and ``env``). Output lines go to the Ui: stdout as messages, stderr as errors.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiln_sdk import BuildError, BuildInfo, Cancelled, Context, Diagnostics, render, setting

from kiln_plugins.local_process import SPAWN_LOCK, run_streaming

DEFAULT_EXECUTE_COMMAND = ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]
DEFAULT_INLINE_SHEBANG = "/bin/sh -e"
DEFAULT_ENV_VAR_FORMAT = "%s='%s' "
SUPPORTED_OS = ["darwin", "freebsd", "linux", "openbsd", "solaris", "windows"]

# What a builder without an HTTP server puts in its generated data (Packer's commonsteps constants).
_NOT_IMPLEMENTED = {
    "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
}
_HTTP_ENV = {"PackerHTTPAddr": "PACKER_HTTP_ADDR", "PackerHTTPIP": "PACKER_HTTP_IP", "PackerHTTPPort": "PACKER_HTTP_PORT"}

_TOO_MANY = (
    "You may only specify one of the following options: Command, Inline, Script or Scripts. "
    "Please consolidate these options in your config."
)


@dataclass
class ShellLocalConfig:
    """Run scripts on the machine running kiln."""

    inline: list[str] | None = setting(default=None, doc="Commands, written to one temporary script and run in one shell.")
    script: str = setting(default="", doc="Path of a local script to run.")
    scripts: list[str] = setting(default_factory=list, doc="Paths of local scripts to run, in order.")
    command: str = setting(default="", doc="Deprecated: one command; use inline.")
    environment_vars: list[str] = setting(default_factory=list, doc="KEY=value pairs set for the scripts.")
    env: dict[str, str] = setting(default_factory=dict, doc="Environment variables; override environment_vars.")
    env_var_format: str = setting(default="", doc="How {{.Vars}} renders one variable (default \"%s='%s' \").")
    execute_command: list[str] = setting(default_factory=list, doc='Command that runs each script (default ["/bin/sh", "-c", "{{.Vars}} {{.Script}}"]).')
    inline_shebang: str = setting(default="", doc='Shebang of the inline script (default "/bin/sh -e").')
    only_on: list[str] = setting(default_factory=list, doc="Run only on these operating systems (Go names: linux, darwin, ...).")
    valid_exit_codes: list[int] = setting(default_factory=list, doc="Exit codes that mean success (default [0]).")
    tempfile_extension: str = setting(default="", doc="Extension of the inline script's temporary file.")
    use_linux_pathing: bool = setting(default=False, doc="Windows Subsystem for Linux: turn script paths into /mnt/<drive>/ paths.")


def validate(config: ShellLocalConfig) -> None:
    """Packer's ``shell_local.Validate``: fill defaults in place; raise ConfigError with attribute paths."""
    diags = Diagnostics()
    if not config.inline_shebang:
        config.inline_shebang = DEFAULT_INLINE_SHEBANG
    if not config.execute_command:
        config.execute_command = list(DEFAULT_EXECUTE_COMMAND)

    if not config.command and not config.inline and not config.scripts and not config.script:
        diags.error("Command, Inline, Script and Scripts options cannot all be empty.",
                    "Set inline, script or scripts.", ["inline"])
    if config.command:
        if config.inline or config.scripts or config.script:
            diags.error(_TOO_MANY, path=["command"])
        else:
            config.inline = [config.command]
    if config.script:
        if config.scripts or config.inline:
            diags.error(_TOO_MANY, path=["script"])
        else:
            config.scripts = [config.script]
    if config.scripts and config.inline is not None and not diags.has_errors:
        diags.error(_TOO_MANY, path=["scripts"])

    for i, path in enumerate(config.scripts):
        try:
            os.stat(path)
        except OSError as exc:
            where: list[str | int] = ["script"] if config.script else ["scripts", i]
            diags.error(f"Bad script '{path}': stat {path}: {_go_errno(exc)}", "The script must exist on this machine.", where)

    for i, name in enumerate(config.only_on):
        if name not in SUPPORTED_OS:
            diags.error(f"Invalid OS specified in only_on: '{name}'",
                        f"Supported OS names: {', '.join(SUPPORTED_OS)}", ["only_on", i])

    if config.use_linux_pathing:
        for i, path in enumerate(config.scripts):
            converted = convert_to_linux_path(os.path.abspath(path))
            if converted is None:
                diags.error(
                    "There was an error splitting your absolute path; expected to find a drive following the "
                    f"format ':/' but did not: absolute path: {os.path.abspath(path)}",
                    "use_linux_pathing is for Windows paths run under the Windows Subsystem for Linux.",
                    ["scripts", i],
                )
            else:
                config.scripts[i] = converted
        if config.inline:
            diags.error("Packer is unable to use the Command and Inline features with the Windows Linux Subsystem. "
                        "Please use the Script or Scripts options instead", path=["inline"])

    if not config.env_var_format:
        config.env_var_format = DEFAULT_ENV_VAR_FORMAT
    config.tempfile_extension = config.tempfile_extension.removeprefix(".")

    for i, kv in enumerate(config.environment_vars):
        key, sep, _ = kv.partition("=")
        if not sep or not key:
            diags.error(f"Environment variable not in format 'key=value': {kv}", path=["environment_vars", i])
    diags.raise_if_errors()


def convert_to_linux_path(win_abs_path: str) -> str | None:
    """``C:/path/to/file`` → ``/mnt/c/path/to/file``; None when the path has no drive."""
    path = win_abs_path.replace("\\", "/")
    drive, sep, rest = path.partition(":/")
    if not sep:
        return None
    return f"/mnt/{drive.lower()}/{rest}"


def _go_errno(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def go_os() -> str:
    """This machine's OS under Go's ``runtime.GOOS`` name (what only_on compares with)."""
    for prefix, name in (("linux", "linux"), ("darwin", "darwin"), ("freebsd", "freebsd"),
                         ("openbsd", "openbsd"), ("sunos", "solaris"), ("win32", "windows")):
        if sys.platform.startswith(prefix):
            return name
    return sys.platform


def go_sprintf(fmt: str, *args: str) -> str:
    """Go's ``fmt.Sprintf`` for the ``%s`` and ``%%`` verbs that env_var_format uses."""
    out: list[str] = []
    values = iter(args)
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            verb = fmt[i + 1]
            if verb == "%":
                out.append("%")
            elif verb in "sqv":
                value = next(values, None)
                out.append("%!" + verb + "(MISSING)" if value is None else value)
            else:
                out.append(ch + verb)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def flattened_env_vars(config: ShellLocalConfig, info: BuildInfo, data: Mapping[str, Any]) -> str:
    """The ``{{.Vars}}`` string: every variable, sorted by name, in ``env_var_format``."""
    env: dict[str, str] = {"PACKER_BUILD_NAME": info.build_name, "PACKER_BUILDER_TYPE": info.builder_type}
    for key, name in _HTTP_ENV.items():
        value = data.get(key)
        if value is not None and value != _NOT_IMPLEMENTED[key]:
            env[name] = str(value)
    for kv in config.environment_vars:
        key, _, value = render(kv, data, info).partition("=")
        env[key] = value.replace("'", "'\"'\"'")
    for key, value in config.env.items():
        env[key] = value.replace("'", "'\"'\"'")
    return "".join(go_sprintf(config.env_var_format, key, env[key]) for key in sorted(env))


def _inline_script(config: ShellLocalConfig, info: BuildInfo, data: Mapping[str, Any]) -> str:
    text = (f"#!{config.inline_shebang}\n" if config.inline_shebang else "") + "".join(
        render(command, data, info) + "\n" for command in config.inline or [])
    with SPAWN_LOCK:  # no other thread forks while the script is open for writing (ETXTBSY)
        fd, path = tempfile.mkstemp(prefix="packer-shell")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    os.chmod(path, 0o700)
    if config.tempfile_extension:
        renamed = f"{path}.{config.tempfile_extension}"
        os.rename(path, renamed)
        path = renamed
    return path


def run(ctx: Context, config: ShellLocalConfig, generated_data: Mapping[str, Any] | None) -> None:
    """Packer's ``shell_local.Run``: run every script; raise BuildError on a bad exit code."""
    ui, info = ctx.ui, ctx.info
    data: dict[str, Any] = dict(generated_data or {})
    if config.only_on and go_os() not in config.only_on:
        ui.say("Skipping shell-local due to runtime OS")
        return
    scripts = list(config.scripts)
    temp: str | None = None
    if not scripts and config.inline is not None:
        temp = _inline_script(config, info, data)
        scripts = [temp]
    try:
        variables = flattened_env_vars(config, info, data)
        environ = dict(os.environ)
        if info.run_uuid:
            environ.setdefault("PACKER_RUN_UUID", info.run_uuid)
        for script in scripts:
            abs_script = os.path.abspath(script)
            call_data = {**data, "Vars": variables, "Script": abs_script, "Command": abs_script}
            argv = [render(part, call_data, info) for part in config.execute_command]
            ui.say(f"Running local shell script: {script}")
            failed = f"Error executing script: {abs_script}\n\nPlease see output above for more information."
            try:
                code = run_streaming(argv, ui, ctx.cancel_event, env=environ)
            except Cancelled:
                raise Cancelled(failed) from None  # Packer's words when a timeout or Ctrl-C stops the script
            except OSError as exc:
                raise BuildError(f"{failed} ({exc})") from exc
            check_exit_code(code, config.valid_exit_codes)
    finally:
        if temp is not None:
            try:
                os.remove(temp)
            except OSError:
                pass


def check_exit_code(code: int, valid: list[int]) -> None:
    allowed = valid or [0]
    if code not in allowed:
        listed = " ".join(str(c) for c in allowed)
        # Packer 1.6.6's exact wording, missing space included
        raise BuildError(f"Script exited with non-zero exit status: {code}.Allowed exit codes are: [{listed}]")
