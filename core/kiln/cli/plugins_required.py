"""``kiln plugins required PATH``: what a template requires, and the installs that match (Packer's output:
``NAME SOURCE "CONSTRAINTS" [PATH...]``, newest install first, the one a build picks without a lock file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

USAGE = """
Usage: kiln plugins required <path>

  This command will list every kiln plugin required by a config, in
  packer.required_plugins blocks. All installed plugin executables matching the
  required version constraint will be listed, newest first: without a lock file
  the first is the one kiln picks during a build. A requirement that a plugin
  bundled with kiln satisfies ends with "bundled".

  Ex: kiln plugins required require.pkr.hcl
  Ex: kiln plugins required path/to/folder/
"""

NO_REQUIREMENTS = """
No plugins requirement found, make sure you reference a kiln config
containing a packer.required_plugins block. See
https://www.packer.io/docs/templates/hcl_templates/blocks/packer
for more info.
"""


def run(argv: Sequence[str]) -> int:
    from kiln.cli.common import print_usage, render_template_error
    from kiln.plugins.installed import list_installs
    from kiln.plugins.paths import plugin_dirs
    from kiln.plugins.resolve import bundled_plugins
    from kiln.template import TemplateError, read_requirements

    if len(argv) != 1 or argv[0].startswith("-"):
        return print_usage(USAGE, None)
    try:
        template = read_requirements(argv[0], dict(os.environ))
    except TemplateError as exc:
        sys.stdout.write(render_template_error(exc))
        return 1
    reqs = template.required_plugins if template is not None else {}
    dirs = plugin_dirs(os.environ)
    bundled = bundled_plugins() if reqs else {}
    for name, req in reqs.items():
        line = f'{name} {req.source} "{req.version}"'
        matching = [i for i in list_installs(dirs, req.source).installs if req.constraints.allows(i.version)]
        for inst in reversed(matching):
            line += f" {inst.executable}"
        b = bundled.get(req.source)
        if b is not None and b.satisfies(req):
            line += " bundled"
        sys.stdout.write(line + "\n")
    if not reqs:
        sys.stdout.write(NO_REQUIREMENTS)
    return 0
