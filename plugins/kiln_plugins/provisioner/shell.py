"""The ``shell`` provisioner: upload scripts to the machine and run them through its communicator.

As Packer's: each script (``inline`` becomes one temporary script with ``inline_shebang``) is uploaded to
``remote_path`` and run with ``execute_command`` (default ``chmod +x {{.Path}}; {{.Vars}} {{.Path}}``),
where ``{{.Vars}}`` is the sorted environment. Upload and start are retried until ``start_retry_timeout``
(the machine may be rebooting); ``expect_disconnect`` accepts a dropped connection. Output is shown
line by line: stdout as ``    name: line``, stderr as ``==> name: line`` (as Packer 1.6.6 does).
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    CMD_DISCONNECT,
    BuildError,
    BuildInfo,
    Communicator,
    Diagnostics,
    ProvisionContext,
    Provisioner,
    RemoteCommandError,
    format_duration,
    parse_duration,
    render,
    retry,
    run_with_ui,
    setting,
    stream_from_chunks,
)

from kiln_plugins.shell_local_common import go_sprintf

DEFAULT_EXECUTE_COMMAND = "chmod +x {{.Path}}; {{.Vars}} {{.Path}}"
ENV_FILE_EXECUTE_COMMAND = "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}"
DEFAULT_ENV_VAR_FORMAT = "%s='%s' "
ENV_FILE_VAR_FORMAT = "export %s='%s'\n"
_HTTP = {"PackerHTTPAddr": "PACKER_HTTP_ADDR", "PackerHTTPIP": "PACKER_HTTP_IP", "PackerHTTPPort": "PACKER_HTTP_PORT"}
_DISCONNECTED = (
    "Script disconnected unexpectedly. If you expected your script to disconnect, i.e. from a restart, you can "
    'try adding `"expect_disconnect": true` or `"valid_exit_codes": [0, 2300218]` to the shell provisioner '
    "parameters."
)


@dataclass
class ShellConfig:
    """Run shell scripts on the machine being built."""

    inline: list[str] | None = setting(default=None, doc="Commands, run as one script in one shell.")
    script: str = setting(default="", doc="Path of a local script to upload and run.")
    scripts: list[str] = setting(default_factory=list, doc="Paths of local scripts to upload and run, in order.")
    environment_vars: list[str] = setting(default_factory=list, doc="KEY=value pairs set for the scripts.")
    env: dict[str, str] = setting(default_factory=dict, doc="Environment variables; override environment_vars.")
    env_var_format: str = setting(default="", doc="How {{.Vars}} renders one variable (default \"%s='%s' \").")
    execute_command: str = setting(default="", doc=f"Command that runs a script (default {DEFAULT_EXECUTE_COMMAND!r}).")
    inline_shebang: str = setting(default="/bin/sh -e", doc="Shebang of the inline script.")
    remote_folder: str = setting(default="/tmp", doc="Remote folder the scripts are uploaded to.")
    remote_file: str = setting(default="", doc="Remote file name of the script (default script_NNNN.sh).")
    remote_path: str = setting(default="", doc="Full remote path (default remote_folder/remote_file).")
    expect_disconnect: bool = setting(default=False, doc="A dropped connection (reboot) is not an error.")
    valid_exit_codes: list[int] = setting(default_factory=list, doc="Exit codes that mean success (default [0]).")
    skip_clean: bool = setting(default=False, doc="Leave the uploaded scripts on the machine.")
    binary: bool = setting(default=False, doc="Upload scripts as they are (no CRLF to LF conversion).")
    use_env_var_file: bool = setting(default=False, doc="Pass the environment in an uploaded file.")
    start_retry_timeout: str = setting(default="5m", doc="How long to retry uploading and starting a script.")
    pause_after: str = setting(default="", doc="Wait this long after the scripts ran.")


def validate(config: ShellConfig) -> None:
    """Packer's shell Prepare: fill defaults in place, raise ConfigError with attribute paths."""
    diags = Diagnostics()
    given = [n for n, v in (("inline", config.inline is not None), ("script", bool(config.script)),
                            ("scripts", bool(config.scripts))) if v]
    if len(given) > 1:
        diags.error("Only one of inline, script, or scripts can be specified.", path=[given[1]])
    if not given:
        diags.error("Either a script file or inline script must be specified.", "Set inline, script or scripts.",
                    ["inline"])
    if config.script:
        config.scripts = [config.script]
    for i, path in enumerate(config.scripts):
        if not os.path.isfile(path):
            where: list[str | int] = ["script"] if config.script else ["scripts", i]
            reason = "is a directory" if os.path.isdir(path) else f"stat {path}: no such file or directory"
            diags.error(f"Bad script '{path}': {reason}", "The script must exist on the machine running kiln.", where)
    for i, kv in enumerate(config.environment_vars):
        key, sep, _ = kv.partition("=")
        if not sep or not key:
            diags.error(f"Environment variable not in format 'key=value': {kv}", path=["environment_vars", i])
    for name in ("start_retry_timeout", "pause_after"):
        value = getattr(config, name)
        if value:
            try:
                parse_duration(value)
            except ValueError as exc:
                diags.error(f"Failed parsing {name}: {exc}", path=[name])
    diags.raise_if_errors()
    if not config.execute_command:
        config.execute_command = ENV_FILE_EXECUTE_COMMAND if config.use_env_var_file else DEFAULT_EXECUTE_COMMAND
    if not config.env_var_format:
        config.env_var_format = ENV_FILE_VAR_FORMAT if config.use_env_var_file else DEFAULT_ENV_VAR_FORMAT
    if not config.inline_shebang:
        config.inline_shebang = "/bin/sh -e"
    if not config.remote_file:
        config.remote_file = f"script_{random.randrange(9999)}.sh"
    if not config.remote_path:
        config.remote_path = f"{config.remote_folder.rstrip('/') or ''}/{config.remote_file}"


def flattened_env_vars(config: ShellConfig, info: BuildInfo, data: Mapping[str, Any]) -> str:
    """``{{.Vars}}``: PACKER_BUILD_NAME, PACKER_BUILDER_TYPE, PACKER_HTTP_*, environment_vars, env; sorted."""
    env = {"PACKER_BUILD_NAME": info.build_name, "PACKER_BUILDER_TYPE": info.builder_type}
    for key, name in _HTTP.items():
        value = data.get(key)
        if value is not None and not str(value).startswith("ERR_"):
            env[name] = str(value)
    for kv in config.environment_vars:
        key, _, value = render(kv, data, info).partition("=")
        env[key] = value.replace("'", "'\"'\"'")
    for key, value in config.env.items():
        env[key] = value.replace("'", "'\"'\"'")
    return "".join(go_sprintf(config.env_var_format, key, env[key]) for key in sorted(env))


def _unix_chunks(path: str) -> Iterator[bytes]:
    """The file with CRLF line endings turned into LF, streamed (Packer's UnixReader)."""
    carry = b""
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(256 * 1024), b""):
            data = carry + block
            carry = b"\r" if data.endswith(b"\r") else b""
            yield data[: len(data) - len(carry)].replace(b"\r\n", b"\n")
    yield carry


def _unix_size(path: str) -> int:
    return sum(len(chunk) for chunk in _unix_chunks(path))


class ShellProvisioner(Provisioner[ShellConfig]):
    Config = ShellConfig
    description = "Uploads and runs shell scripts on the machine being built."

    def __init__(self) -> None:
        self.config = ShellConfig()
        self.info = BuildInfo()

    def prepare(self, config: ShellConfig, info: BuildInfo) -> list[str]:
        validate(config)
        self.config, self.info = config, info
        return []

    def provision(self, ctx: ProvisionContext) -> None:
        comm = ctx.communicator
        if comm is None:
            raise BuildError('the shell provisioner needs a communicator, but this build has communicator = "none"')
        cfg = self.config
        data: dict[str, Any] = dict(ctx.generated_data)
        variables = flattened_env_vars(cfg, self.info, data)
        timeout = parse_duration(cfg.start_retry_timeout) if cfg.start_retry_timeout else 0.0
        temp = self._inline_script(data) if cfg.inline is not None else None
        scripts = [temp] if temp else list(cfg.scripts)
        env_file = ""
        try:
            if cfg.use_env_var_file:
                env_file = f"{cfg.remote_folder.rstrip('/')}/varfile_{random.randrange(9999)}.sh"
                payload = variables.encode()
                retry(timeout, lambda: comm.upload(env_file, stream_from_chunks([payload]), mode=0o600,
                                                   size=len(payload)), ctx.cancel_event)
            for path in scripts:
                ctx.check_cancelled()
                self._run_script(ctx, comm, path, {**data, "Vars": variables, "Path": cfg.remote_path,
                                                   "EnvVarFile": env_file}, timeout)
            if env_file and not cfg.skip_clean:
                self._remove(ctx, comm, env_file, timeout)
        finally:
            if temp:
                os.remove(temp)
        if cfg.pause_after:
            pause = parse_duration(cfg.pause_after)
            ctx.ui.say(f"Pausing {format_duration(pause)} after this provisioner...")
            if ctx.cancel_event.wait(pause):
                ctx.check_cancelled()

    def _inline_script(self, data: dict[str, Any]) -> str:
        """The inline commands as one script; each is rendered with the build's data, as Packer does."""
        fd, path = tempfile.mkstemp(prefix="packer-shell")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(f"#!{self.config.inline_shebang}\n")
                for command in self.config.inline or []:
                    try:
                        fh.write(render(command, data, self.info) + "\n")
                    except BuildError as exc:
                        raise BuildError(f"Error interpolating Inline: {exc}") from exc
        except BaseException:
            os.remove(path)
            raise
        return path

    def _run_script(self, ctx: ProvisionContext, comm: Communicator, path: str, data: dict[str, Any],
                    timeout: float) -> None:
        cfg = self.config
        ctx.ui.say(f"Provisioning with shell script: {path}")
        command = render(cfg.execute_command, data, self.info)
        remote = cfg.remote_path

        def attempt() -> int:
            if cfg.binary:
                with open(path, "rb") as fh:
                    comm.upload(remote, fh, mode=0o755, size=os.path.getsize(path))
            else:
                comm.upload(remote, stream_from_chunks(_unix_chunks(path)), mode=0o755, size=_unix_size(path))
            chmod = run_with_ui(comm, f"chmod 0755 {remote}", ctx.ui, ctx.cancel_event)
            if chmod == CMD_DISCONNECT:
                raise BuildError(f"Error chmodding script file to 0755 in remote machine: {_DISCONNECTED}")
            return run_with_ui(comm, command, ctx.ui, ctx.cancel_event)

        try:
            status = retry(timeout, attempt, ctx.cancel_event)
        except BuildError:
            raise  # Cancelled included
        except OSError as exc:
            raise BuildError(f"Error uploading script: {exc}") from exc
        except RemoteCommandError as exc:
            raise BuildError(f"Error running script {path} on the remote machine: {exc}") from exc
        if status == CMD_DISCONNECT:
            if not cfg.expect_disconnect:
                raise BuildError(_DISCONNECTED)
        elif status not in (cfg.valid_exit_codes or [0]):
            allowed = " ".join(str(c) for c in (cfg.valid_exit_codes or [0]))
            raise BuildError(f"Script exited with non-zero exit status: {status}.Allowed exit codes are: [{allowed}]")
        if not cfg.skip_clean:
            self._remove(ctx, comm, remote, timeout)

    def _remove(self, ctx: ProvisionContext, comm: Communicator, remote: str, timeout: float) -> None:
        def attempt() -> None:
            status = run_with_ui(comm, f"rm -f {remote}", ctx.ui, ctx.cancel_event)
            if status == CMD_DISCONNECT:
                raise ConnectionError(f"disconnected while removing {remote}")
            if status != 0:
                raise BuildError(f"Error removing temporary script at {remote}: exit status {status}")

        try:
            retry(timeout, attempt, ctx.cancel_event)
        except (OSError, RuntimeError) as exc:
            raise BuildError(f"Error removing temporary script at {remote}: {exc}") from exc
