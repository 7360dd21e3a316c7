"""The artifact of plain files that artifice and checksum return: destroying it deletes the files."""

from __future__ import annotations

import os
import shutil

from kiln_sdk import Artifact


def files_artifact(builder_id: str, files: list[str]) -> Artifact:
    """An artifact of ``files`` (Packer's ``Created artifact from files: ...``); destroy deletes them."""

    def destroy() -> None:
        for f in files:
            if os.path.isdir(f) and not os.path.islink(f):
                shutil.rmtree(f)
            elif os.path.lexists(f):
                os.remove(f)

    return Artifact(builder_id=builder_id, id="", files=list(files),
                    string=f"Created artifact from files: {', '.join(files)}", destroy_fn=destroy)
