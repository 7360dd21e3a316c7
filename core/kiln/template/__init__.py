"""Templates: load HCL2, HCL-JSON and legacy JSON templates into one model of builds to run.

``load_template`` reads a file or a directory the way Packer does (``*.pkr.hcl``/``*.pkr.json`` files
or a directory of them are HCL2; any other file is a legacy JSON template) and returns a ``Template``
whose ``builds()`` the engine runs. Every problem found is raised at once in a ``TemplateError``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from kiln.hcl.diagnostics import HclDiagnostic
from kiln.template.diag import error
from kiln.template.files import is_hcl2_path
from kiln.template.hcl2 import HCL2Template, load_hcl2
from kiln.template.hcl2 import read_requirements as read_hcl2_requirements
from kiln.template.legacy import load_legacy
from kiln.template.locals import DataResolver
from kiln.template.model import (
    PACKER_COMPAT_VERSION,
    BuildSpec,
    ComponentSpec,
    Decoded,
    PostProcessorSpec,
    ProvisionerSpec,
    Template,
    TemplateError,
)


def load_template(
    path: str,
    *,
    var_files: Sequence[str] = (),
    vars: Sequence[tuple[str, str]] = (),
    env: Mapping[str, str] | None = None,
    syntax_only: bool = False,
    resolve_data: DataResolver | None = None,
    lenient: bool = False,
) -> Template:
    """Load the template at ``path`` (file or directory).

    ``vars`` are ``-var`` pairs in command-line order; ``env`` defaults to the process environment
    (``PKR_VAR_*``). ``resolve_data`` runs data sources (without it their values are unknown).
    ``lenient`` is the console's mode: unset variables are unknown and evaluation errors in locals and
    builds are not fatal, as in ``packer console``.
    """
    if not os.path.exists(path):
        raise TemplateError(_missing(path))
    if is_hcl2_path(path):
        return load_hcl2(path, var_files=var_files, vars=vars, env=env, syntax_only=syntax_only,
                         resolve_data=resolve_data, lenient=lenient)

    return load_legacy(path, var_files=var_files, vars=vars, env=env, syntax_only=syntax_only)


def _missing(path: str) -> list[HclDiagnostic]:
    stat = f"stat {path}: no such file or directory"
    if not is_hcl2_path(path):
        return [error(f'"{path}": {stat}', "Check the template path.")]
    return [error(f"Cannot tell wether {path} is a directory", stat),  # sic: Packer's wording
            error(f"Could not find any config file in {path}",
                  "A config file must be suffixed with `.pkr.hcl` or `.pkr.json`. A folder can be referenced.")]


def read_requirements(path: str, env: Mapping[str, str] | None = None) -> HCL2Template | None:
    """The template at ``path`` read as far as its ``packer`` blocks (``required_plugins``), before any
    plugin is needed; None for a legacy JSON template (it requires no plugin). TemplateError on errors."""
    if not os.path.exists(path):
        raise TemplateError(_missing(path))
    if not is_hcl2_path(path):
        return None
    return read_hcl2_requirements(path, env)


__all__ = [
    "PACKER_COMPAT_VERSION",
    "BuildSpec",
    "ComponentSpec",
    "DataResolver",
    "Decoded",
    "PostProcessorSpec",
    "ProvisionerSpec",
    "Template",
    "TemplateError",
    "load_template",
    "read_requirements",
]
