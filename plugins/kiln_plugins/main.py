"""The bundled plugin executable: every component kiln ships, served like any third-party plugin.

Components are named as strings and imported only when started, so starting one is as fast as a
plugin holding a single component.
"""

from __future__ import annotations

from kiln_sdk import serve

VERSION = "0.1.0"

COMPONENTS: dict[str, dict[str, str | type]] = {
    "builder": {
        "null": "kiln_plugins.builder.null:NullBuilder",
        "file": "kiln_plugins.builder.file:FileBuilder",
    },
    "provisioner": {
        "shell": "kiln_plugins.provisioner.shell:ShellProvisioner",
        "file": "kiln_plugins.provisioner.file:FileProvisioner",
        "shell-local": "kiln_plugins.provisioner.shell_local:ShellLocalProvisioner",
        "breakpoint": "kiln_plugins.provisioner.breakpoint:BreakpointProvisioner",
    },
    "post-processor": {
        "manifest": "kiln_plugins.post_processor.manifest:ManifestPostProcessor",
        "checksum": "kiln_plugins.post_processor.checksum:ChecksumPostProcessor",
        "compress": "kiln_plugins.post_processor.compress:CompressPostProcessor",
        "shell-local": "kiln_plugins.post_processor.shell_local:ShellLocalPostProcessor",
        "artifice": "kiln_plugins.post_processor.artifice:ArtificePostProcessor",
    },
    "datasource": {},
}


def main() -> None:
    serve(COMPONENTS, version=VERSION)


if __name__ == "__main__":
    main()
