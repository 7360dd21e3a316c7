"""The ``shell-local`` post-processor: run scripts on the machine running kiln, once per artifact.

It always keeps its input artifact and passes it on unchanged (use ``artifice`` to replace it).
"""

from __future__ import annotations

from kiln_sdk import Artifact, BuildInfo, Context, PostProcessor, PostProcessResult, interpolate_config

from kiln_plugins.shell_local_common import ShellLocalConfig, run, validate


class ShellLocalPostProcessor(PostProcessor[ShellLocalConfig]):
    Config = ShellLocalConfig
    description = "Runs shell scripts on the machine running kiln, once per artifact."

    def __init__(self) -> None:
        self.config = ShellLocalConfig()

    def configure(self, config: ShellLocalConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info, exclude=("execute_command",))
        if len(config.execute_command) == 1:
            # Packer's backwards compatibility: a lone command string once ran under "sh -c".
            config.execute_command = ["sh", "-c", *config.execute_command]
        validate(config)
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        generated = artifact.state.get("generated_data")
        run(ctx, self.config, generated if isinstance(generated, dict) else None)
        return PostProcessResult(artifact, keep=True, force_override=True)
