"""The ``file`` provisioner: copy files and directories to (or from) the machine being built.

Packer 1.6.6's results (its default scp transfer), checked against it:
- Upload of a directory ``source`` with a trailing slash: its *contents* land in ``destination``.
  Without one: ``destination/name`` when ``destination`` is an existing remote directory, else
  ``destination`` itself becomes the copy (as ``scp -r`` does).
- A file uploaded to a ``destination`` ending in ``/`` keeps its name.
- Download: a ``source`` ending in ``/`` is a remote directory, copied as ``destination/name``; a file
  downloaded to a ``destination`` ending in ``/`` keeps its name.
Directories stream as one tar over one channel.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    BuildError,
    BuildInfo,
    CancellableReader,
    CancellableWriter,
    Communicator,
    Diagnostics,
    ProvisionContext,
    Provisioner,
    RemoteCommandError,
    cancellable_chunks,
    extract_tar_chunks,
    has_glob,
    render,
    setting,
    shell_path,
    tar_local_dir,
)


@dataclass
class FileConfig:
    """Upload files or directories to the machine, or download them from it."""

    source: str = setting(default="", doc="Local path to upload (or remote path to download).")
    sources: list[str] = setting(default_factory=list, doc="Several sources; destination must end with /.")
    content: str = setting(default="", doc="Text to write to destination instead of a source file.")
    destination: str = setting(default="", doc="Where the file or directory goes.")
    direction: str = setting(default="upload", doc='"upload" (default) or "download".')
    generated: bool = setting(default=False, doc="The source is created during the build: skip the check.")


def validate(config: FileConfig) -> None:
    """Packer's file Prepare; raises ConfigError with attribute paths."""
    diags = Diagnostics()
    if config.direction not in ("upload", "download"):
        diags.error("Direction must be one of: download, upload.", f'got "{config.direction}"', ["direction"])
    if config.content and (config.source or config.sources):
        diags.error("Cannot specify both source(s) and content.", path=["content"])
    if config.content and config.direction == "download":
        diags.error("content can only be used with direction = \"upload\".", path=["content"])
    if config.source:
        config.sources = [*config.sources, config.source]  # as Packer: source joins sources
    if not config.sources and not config.content:
        diags.error("Source must be specified.", "Set source, sources or content.", ["source"])
    if not config.destination:
        diags.error("Destination must be specified.", path=["destination"])
    if config.direction == "upload" and not config.generated:
        for i, src in enumerate(config.sources):
            if not os.path.exists(src):
                where: list[str | int] = ["source"] if i == len(config.sources) - 1 and config.source else ["sources", i]
                diags.error(f"Bad source '{src}': stat {src}: no such file or directory",
                            "The source must exist on the machine running kiln (or set generated = true).", where)
    diags.raise_if_errors()


class FileProvisioner(Provisioner[FileConfig]):
    Config = FileConfig
    description = "Uploads files and directories to the machine being built, or downloads them."

    def __init__(self) -> None:
        self.config = FileConfig()
        self.info = BuildInfo()

    def prepare(self, config: FileConfig, info: BuildInfo) -> list[str]:
        validate(config)
        self.config, self.info = config, info
        return []

    def provision(self, ctx: ProvisionContext) -> None:
        comm = ctx.communicator
        if comm is None:
            raise BuildError('the file provisioner needs a communicator, but this build has communicator = "none"')
        cfg = self.config
        data = dict(ctx.generated_data)
        dst = self._render(cfg.destination, data, "destination")
        try:
            if cfg.content:
                self._upload_content(ctx, comm, dst)
            for src in cfg.sources:
                ctx.check_cancelled()
                src = self._render(src, data, "source")
                if cfg.direction == "download":
                    self._download(ctx, comm, src, dst)
                else:
                    self._upload(ctx, comm, src, dst)
        except (RemoteCommandError, OSError) as exc:
            raise BuildError(str(exc)) from exc

    def _render(self, text: str, data: dict[str, Any], what: str) -> str:
        """Packer renders source and destination with the build's data (e.g. ``{{.ID}}``) at provision time."""
        try:
            return render(text, data, self.info)
        except BuildError as exc:
            raise BuildError(f"Error interpolating {what}: {exc}") from exc

    def _upload_content(self, ctx: ProvisionContext, comm: Communicator, dst: str) -> None:
        data = self.config.content.encode()
        with tempfile.TemporaryFile() as fh:
            fh.write(data)
            fh.seek(0)
            ctx.ui.say(f"Uploading content => {dst}")
            comm.upload(dst, fh, size=len(data))  # type: ignore[arg-type]

    def _upload(self, ctx: ProvisionContext, comm: Communicator, src: str, dst: str) -> None:
        ctx.ui.say(f"Uploading {src} => {dst}")
        if not os.path.exists(src):
            raise FileNotFoundError(f"Bad source '{src}': stat {src}: no such file or directory (it was not generated)")
        if os.path.isdir(src):
            if not src.endswith("/") and not self._remote_dir_exists(ctx, comm, dst):
                src += "/"  # scp -r semantics: a missing destination becomes the copy
            with tar_local_dir(src) as stream:  # Communicator.upload_dir, interruptible
                comm.upload_tar(dst, CancellableReader(stream, ctx.cancel_event))  # type: ignore[arg-type]
            return
        if dst.endswith("/"):
            dst = dst + os.path.basename(src)
        with open(src, "rb") as fh:
            try:
                comm.upload(dst, CancellableReader(fh, ctx.cancel_event),  # type: ignore[arg-type]
                            mode=os.stat(src).st_mode & 0o777, size=os.path.getsize(src))
            except (RemoteCommandError, OSError) as exc:
                ctx.ui.error(f"Upload failed: {exc}")  # Packer reports failed files (not directories) so
                raise

    @staticmethod
    def _remote_dir_exists(ctx: ProvisionContext, comm: Communicator, path: str) -> bool:
        return comm.run(f"test -d {shell_path(path)}", cancel=ctx.cancel_event) == 0

    def _download(self, ctx: ProvisionContext, comm: Communicator, src: str, dst: str) -> None:
        ctx.ui.say(f"Downloading {src} => {dst}")
        directory = dst
        if not dst.endswith("/"):
            directory = os.path.dirname(dst)
        elif not src.endswith("/") and not has_glob(src):  # (Packer only exempts globs ending in "*")
            dst = os.path.join(dst, os.path.basename(src))
        if directory:
            os.makedirs(directory, exist_ok=True)
        if src.endswith("/") or has_glob(src):
            # the directory (or every match) itself, as Packer's scp does (download_dir, interruptible)
            extract_tar_chunks(cancellable_chunks(comm.download_tar(src.rstrip("/") or "/"), ctx.cancel_event), dst)
            return
        partial = f"{dst}.kiln-partial"
        try:
            with open(partial, "wb") as fh:
                try:
                    comm.download(src, CancellableWriter(fh, ctx.cancel_event))  # type: ignore[arg-type]
                except (RemoteCommandError, OSError) as exc:
                    ctx.ui.error(f"Download failed: {exc}")
                    raise
            os.replace(partial, dst)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
