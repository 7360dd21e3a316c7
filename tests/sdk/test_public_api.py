"""The SDK's public surface is deliberate: this test changes only when the API does."""

from __future__ import annotations

import subprocess
import sys

import kiln_sdk

PUBLIC = [
    "Action", "Artifact", "Attribute", "Block", "BuildContext", "BuildError", "BuildInfo", "Builder",
    "CANCELLED", "CMD_DISCONNECT", "COMMUNICATOR", "CancellableReader", "CancellableWriter", "Cancelled",
    "Communicator", "CommunicatorConfig", "ConfigError", "ConnectionLost", "Context", "Datasource",
    "Diagnostic", "Diagnostics", "DurationError", "ERROR", "HALTED", "HOOK_DATA", "Hook", "Journal", "JournalEntry", "KeyPair",
    "LocalCommunicator", "OutputHandler", "PostProcessResult", "PostProcessor", "ProvisionContext",
    "Provisioner", "RecordingUi", "RemoteCommandError", "SSHCommunicator", "SSHConfig", "Schema", "Severity",
    "StateBag", "StateKey", "Step", "StepConnect", "StepProvision", "StepRunner", "Ui", "UiError",
    "cancellable_chunks", "extract_tar_chunks", "format_duration", "generate_key_pair", "has_glob",
    "interpolate_config", "journal", "kill_all_children", "kill_process_group", "load_private_key", "packer_funcs", "parse_duration", "render", "retry",
    "run_with_ui", "schema_of", "serve", "setting", "shell_path", "start_process", "stream_from_chunks", "tar_local_dir",
]


def test_public_names_are_pinned() -> None:
    assert kiln_sdk.__all__ == sorted(kiln_sdk.__all__)
    assert kiln_sdk.__all__ == PUBLIC
    for name in kiln_sdk.__all__:
        assert getattr(kiln_sdk, name) is not None


def test_importing_the_sdk_does_not_import_grpc_or_paramiko() -> None:
    code = "import sys, kiln_sdk; print(sorted(m for m in ('grpc', 'paramiko') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_names_are_the_real_objects_even_after_their_module_is_imported() -> None:
    # Importing the submodule kiln_sdk.serve first must not turn kiln_sdk.serve into that module.
    code = (
        "import kiln_sdk.serve, kiln_sdk.communicator.ssh\n"
        "from kiln_sdk import serve, SSHCommunicator, generate_key_pair\n"
        "import kiln_sdk\n"
        "print(callable(serve), serve is kiln_sdk.serve, isinstance(SSHCommunicator, type),\n"
        "      callable(generate_key_pair))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True", "True"]


def test_dir_lists_every_public_name() -> None:
    assert set(kiln_sdk.__all__) <= set(dir(kiln_sdk))
