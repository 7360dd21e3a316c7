"""docker-import, docker-tag, docker-save and docker-push (Packer's docker post-processors)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from kiln_sdk import (
    Artifact,
    BuildError,
    BuildInfo,
    Context,
    Diagnostics,
    PostProcessor,
    PostProcessResult,
    interpolate_config,
    setting,
)

from kiln_plugin_docker.artifact import import_artifact, tags_of
from kiln_plugin_docker.config import check_changes
from kiln_plugin_docker.driver import Driver

BUILDER_ID_DOCKER = "packer.docker"
BUILDER_ID_IMPORT = "packer.post-processor.docker-import"
BUILDER_ID_TAG = "packer.post-processor.docker-tag"
BUILDER_ID_SAVE = "packer.post-processor.docker-save"
BUILDER_ID_ARTIFICE = "packer.post-processor.artifice"


# -- docker-import ------------------------------------------------------------------------------------


@dataclass
class ImportConfig:
    """Imports an exported container tar (docker builder with export_path, or artifice) as an image."""

    repository: str = setting(default="", doc="The repository of the imported image.")
    tag: str = setting(default="", doc="The tag of the imported image.")
    changes: list[str] = setting(default_factory=list, doc="Dockerfile instructions applied on import.")
    platform: str = setting(default="", doc="The platform of the imported image (--platform).")


class ImportPostProcessor(PostProcessor[ImportConfig]):
    Config = ImportConfig
    description = "Imports an exported container file system as a docker image."

    def __init__(self) -> None:
        self.config = ImportConfig()

    def configure(self, config: ImportConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        diags = Diagnostics()
        check_changes(config.changes, diags)
        diags.raise_if_errors()
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        if artifact.builder_id not in (BUILDER_ID_DOCKER, BUILDER_ID_ARTIFICE):
            raise BuildError(
                f"Unknown artifact type: {artifact.builder_id}\nCan only import from Docker builder and Artifice "
                "post-processor artifacts. If you are getting this error after having run the docker builder, it "
                "may be because you set commit: true in your Docker builder, so the image is already imported. ")
        if not artifact.files or not artifact.files[0]:
            raise BuildError("Error importing container: the artifact has no file to import "
                             "(a docker build with discard = true exports nothing)")
        repo = self.config.repository + (f":{self.config.tag}" if self.config.tag else "")
        driver = Driver(ui=ctx.ui, cancel=ctx.cancel_event)
        ctx.ui.message(f"Importing image: {artifact.id}")
        ctx.ui.message(f"Repository: {repo}")
        try:
            with open(artifact.files[0], "rb") as fh:
                image_id = driver.import_tar(fh, self.config.changes, repo, self.config.platform)
        except OSError as exc:
            raise BuildError(f"Error importing container: {exc}") from exc
        ctx.ui.message(f"Imported ID: {image_id}")
        return PostProcessResult(import_artifact(repo, BUILDER_ID_IMPORT, driver), keep=False)


# -- docker-tag ---------------------------------------------------------------------------------------


@dataclass
class TagConfig:
    """Tags the image a docker build committed (or docker-import imported)."""

    repository: str = setting(default="", doc="The repository to tag into.")
    tags: list[str] = setting(default_factory=list, doc="The tags (repository:tag each).")
    tag: list[str] = setting(default_factory=list, doc="Deprecated: use tags.")
    force: bool = setting(default=False, doc="Ignored, as in Packer (docker tag -f went away in Docker 1.12).")


class TagPostProcessor(PostProcessor[TagConfig]):
    Config = TagConfig
    description = "Tags a docker image."

    def __init__(self) -> None:
        self.config = TagConfig()
        self.deprecated_tag = False

    def configure(self, config: TagConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        self.deprecated_tag = bool(config.tag)
        config.tags = [*config.tags, *config.tag]
        if not config.repository:
            raise_error = Diagnostics()
            raise_error.error("repository must be set", "Set repository to the image name to tag, e.g. "
                              '"example/app".', ["repository"])
            raise_error.raise_if_errors()
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        if self.deprecated_tag:
            ctx.ui.say('Deprecation warning: "tag" option has been replaced with "tags". In future versions of '
                       "Packer, this configuration may not work. Please call `packer fix` on your template to "
                       "update.")
        if artifact.builder_id not in (BUILDER_ID_TAG, BUILDER_ID_IMPORT):
            raise BuildError(f"Unknown artifact type: {artifact.builder_id}\n"
                             "Can only tag from Docker builder artifacts.")
        driver = Driver(ui=ctx.ui, cancel=ctx.cancel_event)
        repo = self.config.repository
        last = repo
        tagged: list[str] = []
        for name in [f"{repo}:{t}" for t in self.config.tags] or [repo]:
            ctx.ui.message(f"Tagging image: {artifact.id}")
            ctx.ui.message(f"Repository: {name}")
            driver.tag(artifact.id, name)
            if self.config.tags:
                tagged.append(name)
            last = name
        return PostProcessResult(import_artifact(last, BUILDER_ID_TAG, driver, tags=tagged),
                                 keep=True, force_override=True)


# -- docker-save --------------------------------------------------------------------------------------


@dataclass
class SaveConfig:
    """Saves the image to a tar file (docker save)."""

    path: str = setting(default="", doc="Where to write the image's tar (required).")


class SavePostProcessor(PostProcessor[SaveConfig]):
    Config = SaveConfig
    description = "Saves a docker image to a tar file."

    def __init__(self) -> None:
        self.config = SaveConfig()

    def configure(self, config: SaveConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        if not config.path:
            diags = Diagnostics()
            diags.error("path must be set", "Set path to the tar file to write.", ["path"])
            diags.raise_if_errors()
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        if artifact.builder_id not in (BUILDER_ID_IMPORT, BUILDER_ID_TAG):
            raise BuildError(f"Unknown artifact type: {artifact.builder_id}\nCan only save Docker builder artifacts.")
        path = self.config.path
        partial = f"{path}.kiln-partial"
        driver = Driver(ui=ctx.ui, cancel=ctx.cancel_event)
        try:
            fh = open(partial, "wb")
        except OSError as exc:
            raise BuildError(f"Error creating output file: {exc}") from exc
        ctx.ui.message(f"Saving image: {artifact.id}")
        try:
            with fh:
                driver.save(artifact.id, fh)  # type: ignore[arg-type]
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        ctx.ui.message(f"Saved to: {path}")
        return PostProcessResult(artifact, keep=True)


# -- docker-push --------------------------------------------------------------------------------------


@dataclass
class PushConfig:
    """Pushes the image (and its tags) to a registry."""

    login: bool = setting(default=False, doc="Log in to the registry first.")
    login_server: str = setting(default="", doc="The registry to log in to.")
    login_username: str = setting(default="", doc="The registry user.")
    login_password: str = setting(default="", sensitive=True, doc="The registry password.")
    ecr_login: bool = setting(default=False, doc="Log in to Amazon ECR (not implemented by kiln yet).")
    aws_access_key: str = setting(default="", sensitive=True, doc="For ecr_login.")
    aws_secret_key: str = setting(default="", sensitive=True, doc="For ecr_login.")
    aws_token: str = setting(default="", sensitive=True, doc="For ecr_login.")
    aws_profile: str = setting(default="", doc="For ecr_login.")
    platform: str = setting(default="", doc="The platform to push (--platform).")


class PushPostProcessor(PostProcessor[PushConfig]):
    Config = PushConfig
    description = "Pushes a docker image to a registry."

    def __init__(self) -> None:
        self.config = PushConfig()

    def configure(self, config: PushConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        diags = Diagnostics()
        if config.ecr_login and not config.login_server:
            diags.error("ECR login requires login server to be provided.", path=["login_server"])
        elif config.ecr_login:
            diags.error("ecr_login is not implemented by kiln's docker plugin yet",
                        "Log in with login = true and login_server/login_username/login_password.", ["ecr_login"])
        diags.raise_if_errors()
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        if artifact.builder_id not in (BUILDER_ID_IMPORT, BUILDER_ID_TAG):
            raise BuildError(f"Unknown artifact type: {artifact.builder_id}\n"
                             "Can only import from docker-import and docker-tag artifacts.")
        cfg = self.config
        driver = Driver(ui=ctx.ui, cancel=ctx.cancel_event, secrets=[cfg.login_password])
        if cfg.login:
            ctx.ui.message("Logging in...")
            try:
                driver.login(cfg.login_server, cfg.login_username, cfg.login_password)
            except BuildError as exc:
                raise BuildError(f"Error logging in to Docker: {exc}") from exc
        tags = tags_of(artifact)
        names = [artifact.id, *tags]
        try:
            for name in names:
                ctx.ui.message(f"Pushing: {name}")
                driver.push(name, cfg.platform)
        finally:
            if cfg.login:
                ctx.ui.message("Logging out...")
                try:
                    driver.logout(cfg.login_server)
                except BuildError as exc:
                    ctx.ui.error(f"Error logging out: {exc}")
        return PostProcessResult(import_artifact(names[0], BUILDER_ID_IMPORT, driver, tags=tags), keep=True)
