"""The ``artifice`` post-processor: replace the artifact with the files named in ``files`` (globs).

The input artifact is kept unless the template says ``keep_input_artifact = false``.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from kiln_sdk import (
    Artifact,
    BuildError,
    BuildInfo,
    ConfigError,
    Context,
    PostProcessor,
    PostProcessResult,
    interpolate_config,
    setting,
)

from kiln_plugins.post_processor.files_artifact import files_artifact

BUILDER_ID = "packer.post-processor.artifice"


@dataclass
class ArtificeConfig:
    """Makes an artifact of arbitrary files (e.g. ones a provisioner downloaded)."""

    files: list[str] = setting(default_factory=list, doc="Files (glob patterns) of the new artifact.")
    # keep_input_artifact is read by the core for every post-processor; artifice keeps its input by
    # default (PostProcessResult.keep) and lets the template's keep_input_artifact = false override it.


class ArtificePostProcessor(PostProcessor[ArtificeConfig]):
    Config = ArtificeConfig
    description = "Replaces the artifact with the given files."

    def __init__(self) -> None:
        self.config = ArtificeConfig()

    def configure(self, config: ArtificeConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        if not config.files:
            raise ConfigError("No files specified in artifice configuration", path=["files"])
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        if artifact.files:
            ctx.ui.say(f"Discarding files from artifact: {', '.join(artifact.files)}")
        files: list[str] = []
        for pattern in self.config.files:
            # Go's filepath.Glob: sorted, dotfiles included, a name that matches nothing gives nothing
            matches = sorted(glob.glob(pattern, include_hidden=True))
            for path in matches:
                try:
                    os.stat(path)
                except OSError as exc:
                    raise BuildError(f"stat {path}: {(exc.strerror or str(exc)).lower()}") from exc
                files.append(path)
        ctx.ui.say(f"Using these artifact files: {', '.join(files)}")
        return PostProcessResult(files_artifact(BUILDER_ID, files), keep=True, force_override=False)
