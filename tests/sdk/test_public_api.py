"""The SDK's public surface is deliberate: this test changes only when the API does."""

from __future__ import annotations

import subprocess
import sys

import kiln_sdk


def test_public_names_are_pinned() -> None:
    assert kiln_sdk.__all__ == sorted(kiln_sdk.__all__)
    assert kiln_sdk.__all__ == [
        "Action", "Artifact", "BuildContext", "BuildError", "BuildInfo", "Builder", "Cancelled", "Communicator",
        "ConfigError", "Context", "Datasource", "Diagnostic", "Diagnostics", "Hook", "PostProcessResult",
        "PostProcessor", "ProvisionContext", "Provisioner", "RecordingUi", "StateBag", "StateKey", "Step",
        "StepRunner", "Ui", "interpolate_config", "packer_funcs", "render", "schema_of", "serve", "setting",
    ]
    for name in kiln_sdk.__all__:
        assert getattr(kiln_sdk, name) is not None


def test_importing_the_sdk_does_not_import_grpc_or_paramiko() -> None:
    code = "import sys, kiln_sdk; print(sorted(m for m in ('grpc', 'paramiko') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
