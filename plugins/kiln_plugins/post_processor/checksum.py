"""The ``checksum`` post-processor: write ``<hash>\\t<file name>`` lines for each artifact file.

Like Packer it appends to an existing checksum file, and the new artifact holds the input files plus
every checksum file it created.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    Artifact,
    BuildError,
    BuildInfo,
    Context,
    Diagnostics,
    PostProcessor,
    PostProcessResult,
    interpolate_config,
    render,
    setting,
)

from kiln_plugins.post_processor.files_artifact import files_artifact

BUILDER_ID = "packer.post-processor.checksum"
DEFAULT_OUTPUT = "packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum"
CHECKSUM_TYPES = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
_CHUNK = 1 << 20


@dataclass
class ChecksumConfig:
    """Computes checksums of the artifact's files."""

    checksum_types: list[str] | None = setting(default=None, doc="Any of md5, sha1, sha224, sha256, sha384, sha512 (default [md5]).")
    output: str = setting(default="", doc=f"Checksum file path template (default {DEFAULT_OUTPUT}).")


def file_digests(path: str, checksum_types: list[str]) -> dict[str, str]:
    """Every requested digest of ``path``, reading it once."""
    hashes = {kind: hashlib.new(kind) for kind in checksum_types}
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            for h in hashes.values():
                h.update(chunk)
    return {kind: h.hexdigest() for kind, h in hashes.items()}


class ChecksumPostProcessor(PostProcessor[ChecksumConfig]):
    Config = ChecksumConfig
    description = "Writes checksum files for the artifact's files."

    def __init__(self) -> None:
        self.config = ChecksumConfig()
        self.info = BuildInfo()

    def configure(self, config: ChecksumConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info, exclude=("output",))
        if config.checksum_types is None:
            config.checksum_types = ["md5"]
        diags = Diagnostics()
        for i, kind in enumerate(config.checksum_types):
            if kind not in CHECKSUM_TYPES:
                diags.error(f"Unrecognized checksum type: {kind}", f"Use one of {', '.join(CHECKSUM_TYPES)}.",
                            ["checksum_types", i])
        if not config.output:
            config.output = DEFAULT_OUTPUT
        diags.raise_if_errors()
        self.config, self.info = config, info
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        generated = artifact.state.get("generated_data")
        data: dict[str, Any] = dict(generated) if isinstance(generated, dict) else {}
        data.update(BuildName=self.info.build_name, BuilderType=self.info.builder_type)
        files = list(artifact.files)
        types = self.config.checksum_types or []
        digests: dict[str, dict[str, str]] = {}
        for kind in types:
            data["ChecksumType"] = kind
            for art in artifact.files:
                ctx.check_cancelled()
                target = render(self.config.output, data, self.info)
                if not os.path.exists(target):
                    files.append(target)
                if art not in digests:
                    digests[art] = self._digests(art, types)
                self._append(target, art, digests[art][kind])
        # keep and force_override: never delete the very artifact we checksum
        return PostProcessResult(files_artifact(BUILDER_ID, files), keep=True, force_override=True)

    @staticmethod
    def _digests(art: str, types: list[str]) -> dict[str, str]:
        try:
            return file_digests(art, types)
        except OSError as exc:
            raise BuildError(f"unable to open file {art}: open {art}: {(exc.strerror or '').lower()}") from exc

    @staticmethod
    def _append(target: str, art: str, digest: str) -> None:
        directory = os.path.dirname(target)
        try:
            os.makedirs(directory or ".", mode=0o755, exist_ok=True)
        except OSError as exc:
            raise BuildError(f"unable to create dir: mkdir {directory}: {exc.strerror}") from exc
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise BuildError(f"unable to create file {target}: open {target}: {(exc.strerror or '').lower()}") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"{digest}\t{os.path.basename(art)}\n")
