"""The ``compress`` post-processor: archive and/or compress the artifact's files (Packer's rules).

The format comes from the last two extensions of ``output`` (or of ``output.format``): ``.tar``,
``.zip``; ``.gz`` gzip, ``.bgzf`` blocked gzip, ``.xz``; ``.tar.<compression>`` both. Anything else
(``.tgz``, ``.bz2``, no extension) means Packer's default, a gzip-compressed tar. Without an archive
format the artifact must be exactly one file. ``.lz4`` is refused: Python's standard library has no lz4.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    Artifact,
    BuildError,
    BuildInfo,
    ConfigError,
    Context,
    Diagnostic,
    PostProcessor,
    PostProcessResult,
    interpolate_config,
    render,
    setting,
)

from kiln_plugins.post_processor.archive import ArchiveError, copy_into, write_tar, write_zip
from kiln_plugins.post_processor.compression import cores, make_writer

BUILDER_ID = "packer.post-processor.compress"
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}"
_EXTENSION = re.compile(r"\.([a-z0-9]+)")
_ALGORITHMS = {"gz": "pgzip", "lz4": "lz4", "bgzf": "bgzf", "xz": "xz"}


@dataclass
class CompressConfig:
    """Compresses the artifact's files into one archive."""

    output: str = setting(default="", doc=f"Archive path template (default {DEFAULT_OUTPUT}).")
    format: str = setting(default="", doc="Extension(s) deciding the format when output has none, e.g. tar.gz.")
    compression_level: int = setting(default=0, doc="1 (fastest) to 9 (smallest); 0 or -1 mean 6.")


@dataclass
class Plan:
    archive: str = ""  # "", "tar" or "zip"
    algorithm: str = ""  # "", "pgzip", "bgzf", "xz", "lz4"
    level: int = -1


def detect_format(output: str, fmt: str) -> Plan:
    """Packer's detectFromFilename."""
    name = f"{output}.{fmt}" if fmt else output
    found = _EXTENSION.findall(name)
    if not found:
        return Plan("tar", "pgzip")
    last = found[-1]
    next_to_last = found[-2] if len(found) > 1 else ""
    plan = Plan()
    if next_to_last == "tar":
        plan.archive = "tar"
    if last in ("zip", "tar"):
        plan.archive = last
        return plan
    if last in _ALGORITHMS:
        plan.algorithm = _ALGORITHMS[last]
        return plan
    plan.algorithm, plan.archive = "pgzip", "tar"
    return plan


def compress_artifact(path: str) -> Artifact:
    def destroy() -> None:
        os.remove(path)

    return Artifact(builder_id=BUILDER_ID, id="", files=[path],
                    string=f"compressed artifacts in: {path}", destroy_fn=destroy)


class CompressPostProcessor(PostProcessor[CompressConfig]):
    Config = CompressConfig
    description = "Archives and compresses the artifact's files."

    def __init__(self) -> None:
        self.config = CompressConfig()
        self.info = BuildInfo()
        self.plan = Plan()

    def configure(self, config: CompressConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info, exclude=("output",))
        if not config.output:
            config.output = DEFAULT_OUTPUT
        plan = detect_format(config.output, config.format)
        level = min(config.compression_level, 9)
        plan.level = -1 if level in (0, -1) else level
        where = ["format"] if config.format else ["output"]
        if plan.algorithm == "lz4":
            raise ConfigError([Diagnostic(
                "lz4 compression is not available in kiln",
                "Python's standard library has no lz4; use .gz, .bgzf, .xz, .tar or .zip.", tuple(where))])
        if plan.algorithm in ("pgzip", "bgzf") and plan.level < -2:
            raise ConfigError("Invalid compression level. Expected an integer from -1 to 9.",
                              path=["compression_level"])
        self.config, self.info, self.plan = config, info, plan
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        generated = artifact.state.get("generated_data")
        data: dict[str, Any] = dict(generated) if isinstance(generated, dict) else {}
        data.update(BuildName=self.info.build_name, BuilderType=self.info.builder_type)
        try:
            target = render(self.config.output, data, self.info)
        except BuildError as exc:
            raise BuildError(f"Error interpolating output value: {exc}") from exc
        plan, ui = self.plan, ctx.ui
        files = list(artifact.files)
        if not plan.archive and len(files) != 1:
            raise BuildError(f"Can only have 1 input file when not using tar/zip. Found {len(files)} files: "
                             f"[{' '.join(files)}]")
        directory = os.path.dirname(target)
        try:
            os.makedirs(directory or ".", mode=0o755, exist_ok=True)
        except OSError as exc:
            raise BuildError(f"Unable to create dir for archive {target}: {exc}") from exc
        try:
            out = open(target, "wb")
        except OSError as exc:
            raise BuildError(f"Unable to create archive {target}: {exc}") from exc
        compression = plan.algorithm or "no compression"
        with out:
            if plan.algorithm in ("pgzip", "bgzf"):
                ui.say(f"Using {plan.algorithm} compression with {cores()} cores for {target}")
            elif plan.algorithm == "xz":
                ui.say(f"Using xz compression with 1 core for {target} (library does not support MT)")
            writer = make_writer(plan.algorithm, out, plan.level)
            try:
                if plan.archive == "tar":
                    ui.say(f"Tarring {target} with {compression}")
                    write_tar(files, writer)
                elif plan.archive == "zip":
                    ui.say(f"Zipping {target}")
                    write_zip(files, out)
                else:
                    ui.say(f"Archiving {files[0]} with {compression}")
                    copy_into(files[0], writer)
                writer.close()
            except ArchiveError as exc:
                writer.abort()
                kind = {"tar": "Error creating tar: ", "zip": "Error creating zip: "}.get(plan.archive, "")
                raise BuildError(f"{kind}{exc}") from exc
        ui.say(f"Archive {target} completed")
        return PostProcessResult(compress_artifact(target), keep=False, force_override=False)
