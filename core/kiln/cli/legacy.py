"""The notice ``kiln validate`` and ``kiln build`` print when the template is a legacy JSON template.

Packer's own words for it sit in its source as a comment (``command/meta.go``, "Legacy JSON Configuration
Will Be Used", never enabled up to 1.14); a pull request that would have printed it (hashicorp/packer#11560)
was closed. kiln prints those words and the command that converts the template. It goes to stderr, so
stdout (and ``-machine-readable`` data) stays what Packer prints.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import TextIO

# kiln.template.files' rule, written out: importing the template package here would load the template
# front ends before build and validate start their bundled plugin (tests/core/test_early_plugin_start.py)
_HCL2_SUFFIXES = (".pkr.hcl", ".pkr.json")


def notice(path: str) -> str:
    """The notice for the legacy JSON template at ``path``."""
    return ("Legacy JSON Configuration Will Be Used.\n"
            "The template will be parsed in the legacy configuration style. This style\n"
            "will continue to work but users are encouraged to move to the new style.\n"
            f"Convert it with: kiln hcl2_upgrade {shlex.quote(path)}\n"
            "See: https://packer.io/guides/hcl\n\n")


def warn_if_legacy_json(path: str, stream: TextIO | None = None) -> bool:
    """Print the notice when ``path`` is a file that is read as a legacy JSON template (any file that is
    not ``*.pkr.hcl`` / ``*.pkr.json``, as Packer decides). Whether it was printed."""
    if os.path.isdir(path) or path.endswith(_HCL2_SUFFIXES) or not os.path.isfile(path):
        return False
    (stream or sys.stderr).write(notice(path))
    return True
