"""The ``file`` builder: write ``content``, or copy ``source``, to ``target`` (Packer's builder/file).

Provisioners run against a mock communicator that accepts everything and does nothing, as in Packer.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from kiln_sdk import (
    Artifact,
    BuildContext,
    Builder,
    BuildError,
    BuildInfo,
    Diagnostics,
    interpolate_config,
    setting,
)

from kiln_plugins.builder.mock_communicator import MockCommunicator

BUILDER_ID = "packer.file"


@dataclass
class FileConfig:
    """Creates an artifact from a file: fast, needs no machine, handy for tests."""

    source: str = setting(default="", doc="Local file to copy to target.")
    target: str = setting(default="", doc="The file to write (its directories are created).")
    content: str = setting(default="", doc="Text to write to target.")


def file_artifact(path: str) -> Artifact:
    def destroy() -> None:
        os.remove(path)

    return Artifact(
        builder_id=BUILDER_ID, id="File", files=[path], string=f"Stored file: {path}",
        state={"par.artifact.metadata": {"ImageID": path, "ProviderName": "File"}},
        destroy_fn=destroy,
    )


class FileBuilder(Builder[FileConfig]):
    Config = FileConfig
    description = "Creates an artifact from a file."

    def __init__(self) -> None:
        self.config = FileConfig()

    def prepare(self, config: FileConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        diags = Diagnostics()
        warnings: list[str] = []
        if not config.target:
            diags.error("target required", "Set target to the path of the file to create.", ["target"])
        if not config.content and not config.source:
            warnings.append("Both source file and contents are blank; target will have no content")
        if config.content and config.source:
            diags.error("Cannot specify source file AND content", "Remove either source or content.", ["source"])
        diags.raise_if_errors()
        self.config = config
        return warnings

    def run(self, ctx: BuildContext) -> Artifact | None:
        target = self.config.target
        directory = os.path.dirname(target)
        try:
            if directory:
                os.makedirs(directory, mode=0o755, exist_ok=True)
            if self.config.source:
                self._copy(ctx, self.config.source, target)
            else:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                    f.write(self.config.content)
        except OSError as exc:
            raise BuildError(_go_path_error(exc)) from exc
        if ctx.hook is not None:
            ctx.hook.provision(MockCommunicator(), {})
        return file_artifact(target)

    @staticmethod
    def _copy(ctx: BuildContext, source: str, target: str) -> None:
        with open(source, "rb") as src, open(target, "wb") as dst:
            ctx.ui.say(f"Copying {source} to {target}")
            shutil.copyfileobj(src, dst)
            copied = dst.tell()
        ctx.ui.say(f"Copied {copied} bytes")


def _go_path_error(exc: OSError) -> str:
    """Go's ``*PathError`` text: ``open nosuch.txt: no such file or directory``."""
    reason = exc.strerror or str(exc)
    reason = reason[:1].lower() + reason[1:]
    op = "mkdir" if isinstance(exc, FileExistsError) else "open"
    return f"{op} {exc.filename}: {reason}" if exc.filename else reason
