"""``kiln hcl2_upgrade``: a legacy JSON template converted to HCL2, as newer Packer converts it.

``upgrade(raw, text)`` returns the HCL2 text and the errors Packer reports without stopping
(unknown builder types, a bad ``source_ami_filter``). See docs/hcl2_upgrade.md.
"""

from __future__ import annotations

from kiln.hcl2_upgrade.convert import ConversionError, Result, upgrade

__all__ = ["ConversionError", "Result", "upgrade"]
