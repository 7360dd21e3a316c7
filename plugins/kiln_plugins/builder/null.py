"""The ``null`` builder: no machine; it connects a communicator to an existing host (or none) and runs
the build's provisioners (Packer's builder/null)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiln_sdk.artifact import Artifact
from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import BuildContext, Builder, BuildInfo
from kiln_sdk.config import setting
from kiln_sdk.diagnostics import Diagnostics

BUILDER_ID = "fnoeding.null"
COMMUNICATOR_TYPES = ("none", "ssh", "winrm")

# Packer's commonsteps constants for builders that serve no HTTP directory
HTTP_NOT_IMPLEMENTED = {
    "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
}


@dataclass
class NullConfig:
    """Runs provisioners on an existing machine, or none."""

    communicator: str = setting(default="ssh", doc='How provisioners reach the machine: "none" or "ssh".')


def null_artifact() -> Artifact:
    return Artifact(
        builder_id=BUILDER_ID, id="Null", files=[],
        string="Did not export anything. This is the null builder",
        state={"generated_data": {"ID": "Null"}},
    )


class NullBuilder(Builder[NullConfig]):
    Config = NullConfig
    description = "Runs provisioners without creating a machine."

    def __init__(self) -> None:
        self.config = NullConfig()
        self.info = BuildInfo()

    def prepare(self, config: NullConfig, info: BuildInfo) -> list[str]:
        diags = Diagnostics()
        if config.communicator not in COMMUNICATOR_TYPES:
            diags.error(f"Communicator type {config.communicator} is invalid",
                        'Use communicator = "none" or "ssh".', ["communicator"])
        elif config.communicator != "none":
            diags.error(
                f'The null builder cannot use communicator "{config.communicator}" in this version of kiln',
                'Set communicator = "none" to run local provisioners only.', ["communicator"],
            )
        diags.raise_if_errors()
        self.config, self.info = config, info
        return []

    def _hook_data(self) -> dict[str, Any]:
        """Packer's PopulateProvisionHookData for the null builder."""
        return {"ID": "Null", "PackerRunUUID": self.info.run_uuid, **HTTP_NOT_IMPLEMENTED,
                "ConnType": self.config.communicator}

    def _connect(self, ctx: BuildContext) -> Communicator | None:
        return None  # communicator "none"

    def run(self, ctx: BuildContext) -> Artifact | None:
        communicator = self._connect(ctx)
        try:
            ctx.check_cancelled()
            if ctx.hook is not None:
                ctx.hook.provision(communicator, self._hook_data())
        finally:
            if communicator is not None:
                communicator.close()
        return null_artifact()
