"""The docker plugin's artifacts (Packer's ImportArtifact and ExportArtifact)."""

from __future__ import annotations

import os
from typing import Any

from kiln_sdk import Artifact

from kiln_plugin_docker.driver import Driver


def import_string(image: str, tags: list[str]) -> str:
    if tags:
        return f"Imported Docker image: {image} with tags {' '.join(tags)}"
    return f"Imported Docker image: {image}"


def import_artifact(image: str, builder_id: str, driver: Driver, generated: dict[str, Any] | None = None,
                    tags: list[str] | None = None) -> Artifact:
    """An image in the docker daemon; destroying it removes the image (docker rmi)."""
    state: dict[str, Any] = {}
    if generated is not None:
        state["generated_data"] = generated
    if tags is not None:
        state["docker_tags"] = list(tags)
    return Artifact(builder_id=builder_id, id=image, files=[], string=import_string(image, tags or []),
                    state=state, destroy_fn=lambda: driver.delete_image(image))


def export_artifact(path: str, builder_id: str, generated: dict[str, Any]) -> Artifact:
    """A tar of the container's file system (or, for discard, nothing: Packer's empty export artifact)."""

    def destroy() -> None:
        if path and os.path.exists(path):
            os.remove(path)

    return Artifact(builder_id=builder_id, id="Container", files=[path],
                    string=f"Exported Docker file: {path}", state={"generated_data": generated},
                    destroy_fn=destroy)


def tags_of(artifact: Artifact) -> list[str]:
    tags = artifact.state.get("docker_tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
