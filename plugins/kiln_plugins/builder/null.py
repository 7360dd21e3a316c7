"""The ``null`` builder: no machine of its own. It connects a communicator to an existing host (SSH), or
none, and runs the build's provisioners through it (Packer's builder/null)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    ERROR,
    HOOK_DATA,
    Artifact,
    BuildContext,
    Builder,
    BuildError,
    BuildInfo,
    Communicator,
    CommunicatorConfig,
    ConfigError,
    Context,
    Diagnostics,
    StateBag,
    StepConnect,
    StepProvision,
    StepRunner,
    interpolate_config,
)

BUILDER_ID = "fnoeding.null"

# Packer's commonsteps constants for builders that serve no HTTP directory
HTTP_NOT_IMPLEMENTED = {
    "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
}
_SEE_DOCS = "please reference your communicator documentation"


@dataclass
class NullConfig(CommunicatorConfig):
    """Runs provisioners on an existing machine (communicator "ssh"), or on none ("none")."""


def null_artifact() -> Artifact:
    return Artifact(
        builder_id=BUILDER_ID, id="Null", files=[],
        string="Did not export anything. This is the null builder",
        state={"generated_data": {"ID": "Null"}},
    )


def check_null_ssh(config: NullConfig) -> None:
    """The null builder's own checks on top of the communicator's (Packer's null Config.Prepare)."""
    diags = Diagnostics()
    if not config.ssh_host:
        diags.error(f"a Host must be specified, {_SEE_DOCS}", "Set ssh_host to the machine's address.", ["ssh_host"])
    if not config.ssh_agent_auth and not config.ssh_password and not config.ssh_private_key_file:
        diags.error(f"one authentication method must be specified, {_SEE_DOCS}",
                    "Set ssh_password, ssh_private_key_file or ssh_agent_auth.")
    methods = [n for n in ("ssh_agent_auth", "ssh_password", "ssh_private_key_file") if getattr(config, n)]
    if len(methods) > 1:
        diags.error("only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified",
                    f"Both {methods[0]} and {methods[1]} are set.", [methods[1]])
    diags.raise_if_errors()


class NullBuilder(Builder[NullConfig]):
    Config = NullConfig
    description = "Runs provisioners without creating a machine."

    def __init__(self) -> None:
        self.config = NullConfig()
        self.info = BuildInfo()

    def prepare(self, config: NullConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        problems = []
        try:
            config.validate_communicator(require_host=False)
        except ConfigError as exc:
            problems.extend(exc.diagnostics)
        if config.communicator == "ssh":
            try:
                check_null_ssh(config)
            except ConfigError as exc:
                problems.extend(exc.diagnostics)
        if problems:
            raise ConfigError(problems)
        self.config, self.info = config, info
        return []

    def _hook_data(self) -> dict[str, Any]:
        """Packer's PopulateProvisionHookData for the null builder."""
        data: dict[str, Any] = {"ID": "Null", "PackerRunUUID": self.info.run_uuid, **HTTP_NOT_IMPLEMENTED,
                                "ConnType": self.config.communicator}
        if self.config.communicator == "ssh":
            data.update(Host=self.config.ssh_host, Port=self.config.ssh_port, User=self.config.ssh_username,
                        Password=self.config.ssh_password, SSHPublicKey="", SSHPrivateKey="",
                        SSHPrivateKeyFile=self.config.ssh_private_key_file,
                        SSHAgentAuth=self.config.ssh_agent_auth, WinRMPassword="")
        return data

    def _connect(self, ctx: Context, state: StateBag) -> Communicator | None:
        if self.config.communicator == "none":
            return None
        ctx.ui.say(f"Using {self.config.communicator} communicator to connect: {self.config.ssh_host}")
        try:
            return self.config.open_communicator(host=self.config.ssh_host, cancel=ctx.cancel_event,
                                                 say=ctx.ui.say)
        except BuildError:
            raise
        except Exception as exc:  # connection refused, authentication failed, timeout...
            ctx.check_cancelled()
            raise BuildError(f"Error waiting for SSH: {exc}") from exc

    def run(self, ctx: BuildContext) -> Artifact | None:
        state = StateBag()
        state.put(HOOK_DATA, self._hook_data())
        StepRunner([StepConnect(self._connect), StepProvision()]).run(ctx, state)  # Packer's two steps
        if ERROR in state:
            error = state.get(ERROR)
            raise error if isinstance(error, BuildError) else BuildError(str(error))
        ctx.check_cancelled()
        return null_artifact()
