"""Legacy JSON templates (``{"builders": [...]}``), loaded as Packer 1.6.6 does.

Modules: ``loader`` (``load_legacy``, ``LegacyTemplate``), ``jsonvalue`` (the JSON reader with
positions), ``raw`` (the raw template and its validation), ``variables`` (user variables and
``-var-file``), ``root`` (the root object), ``decode`` / ``component`` (component configuration),
``funcs`` / ``secret_funcs`` (template functions), ``inspection`` (``packer inspect``).
"""

from kiln.template.legacy.loader import (
    LegacyTemplate,
    LegacyTemplateError,
    LegacyVariable,
    is_legacy_json,
    load_legacy,
)

__all__ = ["LegacyTemplate", "LegacyTemplateError", "LegacyVariable", "is_legacy_json", "load_legacy"]
