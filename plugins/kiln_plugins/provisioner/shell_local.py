"""The ``shell-local`` provisioner: run scripts on the machine running kiln, during the build."""

from __future__ import annotations

from kiln_sdk import BuildInfo, ProvisionContext, Provisioner, interpolate_config

from kiln_plugins.shell_local_common import ShellLocalConfig, run, validate


class ShellLocalProvisioner(Provisioner[ShellLocalConfig]):
    Config = ShellLocalConfig
    description = "Runs shell scripts on the machine running kiln."

    def __init__(self) -> None:
        self.config = ShellLocalConfig()

    def prepare(self, config: ShellLocalConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info, exclude=("execute_command",))
        validate(config)
        self.config = config
        return []

    def provision(self, ctx: ProvisionContext) -> None:
        run(ctx, self.config, ctx.generated_data)
