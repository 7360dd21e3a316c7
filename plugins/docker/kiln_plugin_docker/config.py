"""The docker builder's settings (Packer's docker Config) and their checks (its Prepare)."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from kiln_sdk import BuildInfo, Diagnostics, interpolate_config, setting

# Packer's messages
ERR_ARTIFACT_NOT_USED = "No instructions given for handling the artifact; expected commit, discard, or export_path"
ERR_ARTIFACT_CONFLICT = "Cannot specify more than one of commit, discard, and export_path"
ERR_EXPORT_NOT_FILE = "export_path must be a file, not a directory"
ERR_IMAGE_NOT_SPECIFIED = "Image must be specified"

DEFAULT_RUN_COMMAND = ["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
# the instructions `docker commit --change` and `docker import --change` accept
CHANGE_INSTRUCTIONS = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR")
COMMUNICATORS = ("docker", "none")


@dataclass
class DockerConfig:
    """Runs a container from an image, provisions it, then commits, exports or discards it."""

    image: str = setting(default="", doc="The base image for the container (required).")
    pull: bool | None = setting(default=None, doc="Pull the image before running it (default true).")
    commit: bool = setting(default=False, doc="Commit the container to an image when done.")
    discard: bool = setting(default=False, doc="Throw the container away when done.")
    export_path: str = setting(default="", doc="Export the container's file system to this tar file.")
    changes: list[str] = setting(default_factory=list, doc="Dockerfile instructions applied on commit.")
    message: str = setting(default="", doc="The commit message.")
    author: str = setting(default="", doc="The commit's author.")
    run_command: list[str] = setting(default_factory=list,
                                     doc='Arguments of `docker run` (Go template with {{.Image}}).')
    volumes: dict[str, str] = setting(default_factory=dict, doc="Host path -> container path bind mounts.")
    container_dir: str = setting(default="", doc="Where the shared temp dir is mounted (/packer-files).")
    privileged: bool = setting(default=False, doc="Run the container with --privileged.")
    cap_add: list[str] = setting(default_factory=list, doc="Linux capabilities to add.")
    cap_drop: list[str] = setting(default_factory=list, doc="Linux capabilities to drop.")
    device: list[str] = setting(default_factory=list, doc="Host devices to add (--device).")
    tmpfs: list[str] = setting(default_factory=list, doc="tmpfs mounts (--tmpfs).")
    exec_user: str = setting(default="", doc="The user provisioner commands run as (docker exec -u).")
    fix_upload_owner: bool = setting(default=True, doc="chown uploads to the container's user.")
    platform: str = setting(default="", doc="The platform to pull and run (--platform).")
    pty: bool = setting(default=False, doc="Give commands a pseudo-terminal (docker exec -t).")
    login: bool = setting(default=False, doc="Log in to a registry before pulling.")
    login_server: str = setting(default="", doc="The registry to log in to.")
    login_username: str = setting(default="", doc="The registry user.")
    login_password: str = setting(default="", sensitive=True, doc="The registry password.")
    ecr_login: bool = setting(default=False, doc="Log in to Amazon ECR (not implemented by kiln yet).")
    aws_access_key: str = setting(default="", sensitive=True, doc="For ecr_login.")
    aws_secret_key: str = setting(default="", sensitive=True, doc="For ecr_login.")
    aws_token: str = setting(default="", sensitive=True, doc="For ecr_login.")
    aws_profile: str = setting(default="", doc="For ecr_login.")
    windows_container: bool = setting(default=False, doc="A Windows container (refused on Linux hosts).")
    communicator: str = setting(default="docker", doc='"docker" (default) or "none".')


_CHANGE_RE = re.compile(r"^\s*([A-Za-z]+)(\s+\S.*)?$", re.S)


def check_change(line: str) -> str | None:
    """Why ``line`` is not a valid ``--change`` instruction, or None."""
    match = _CHANGE_RE.match(line)
    if not match:
        return "it is not an instruction followed by its arguments"
    word = match.group(1).upper()
    if word not in CHANGE_INSTRUCTIONS:
        return f'"{match.group(1)}" is not an instruction docker applies on commit or import'
    if not match.group(2):
        return f"{word} needs arguments"
    return None


def check_changes(changes: list[str], diags: Diagnostics, path: str = "changes") -> None:
    for i, line in enumerate(changes):
        why = check_change(line)
        if why:
            diags.error(f"Invalid change {line!r}: {why}",
                        "Each change is one Dockerfile instruction: " + ", ".join(CHANGE_INSTRUCTIONS) + ".",
                        [path, i])


def prepare(config: DockerConfig, info: BuildInfo) -> list[str]:
    """Packer's Config.Prepare: interpolate, default, validate (raise ConfigError); return warnings."""
    interpolate_config(config, info, exclude=("run_command",))
    diags = Diagnostics()
    if not config.run_command:
        config.run_command = list(DEFAULT_RUN_COMMAND)
    if config.pull is None:
        config.pull = True
    if not config.container_dir:
        config.container_dir = "/packer-files"
    if config.communicator not in COMMUNICATORS:
        diags.error(f'communicator "{config.communicator}" is not supported by kiln\'s docker builder',
                    'Use "docker" (the default: docker exec and docker cp) or "none".', ["communicator"])
    if config.windows_container and not sys.platform.startswith("win"):
        diags.error("windows_container is not supported on this host",
                    "Windows containers need a Windows Docker host; kiln runs on Linux here. "
                    "Remove windows_container (or set it to false).", ["windows_container"])
    if not config.image:
        diags.error(ERR_IMAGE_NOT_SPECIFIED, "Set image to the base image, e.g. \"debian:bookworm\".", ["image"])
    used = [name for name, on in (("commit", config.commit), ("discard", config.discard),
                                  ("export_path", bool(config.export_path))) if on]
    if len(used) > 1:
        diags.error(ERR_ARTIFACT_CONFLICT, f"Both {used[0]} and {used[1]} are set; keep exactly one.", [used[1]])
    elif not used:
        diags.error(ERR_ARTIFACT_NOT_USED, "Set commit = true, discard = true or export_path.")
    if config.export_path:
        if os.path.isdir(config.export_path):
            diags.error(ERR_EXPORT_NOT_FILE, f"{config.export_path} is a directory.", ["export_path"])
        else:
            parent = os.path.dirname(os.path.abspath(config.export_path))
            if not os.path.isdir(parent):
                diags.error(f"export_path's directory does not exist: {parent}",
                            "Create the directory first, or export somewhere that exists.", ["export_path"])
    check_changes(config.changes, diags)
    if config.ecr_login:
        diags.error("ecr_login is not implemented by kiln's docker plugin yet",
                    "Log in with login = true and login_server/login_username/login_password "
                    "(e.g. the output of `aws ecr get-login-password`).", ["ecr_login"])
    if config.login and not config.login_server and not config.login_username:
        diags.warning("login is set without login_server or login_username",
                      "docker login will use its defaults (Docker Hub and a stored credential).", ["login"])
    diags.raise_if_errors()
    return [d.summary for d in diags.items if d.severity == "warning"]
