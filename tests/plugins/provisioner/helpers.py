"""Running the shell and file provisioners in-process against a real sshd."""

from __future__ import annotations

from typing import Any

from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import BuildInfo, ProvisionContext, Provisioner
from kiln_sdk.config import decode
from kiln_sdk.ui import RecordingUi

INFO = BuildInfo(build_name="alpha", builder_type="null")


def provision(prov: Provisioner[Any], settings: dict[str, Any], comm: Communicator | None,
              data: dict[str, Any] | None = None) -> RecordingUi:
    """Decode ``settings`` like the core does, prepare, provision; return the Ui that recorded it all."""
    prov.prepare(decode(prov.Config, settings), INFO)
    ui = RecordingUi()
    prov.provision(ProvisionContext(ui=ui, info=INFO, communicator=comm, generated_data=data or {}))
    return ui
