"""``kiln console [options] [TEMPLATE]``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from kiln.cli.common import VAR_FLAGS, UsageError, parse_or_usage, print_usage, template_vars
from kiln.cli.flags import Flag

USAGE = """
Usage: kiln console [options] [TEMPLATE]

  Creates a console for testing variable interpolation.
  If a template is provided, this command will load the template and any
  variables defined therein into its context to be referenced during
  interpolation.

Options:
  -config-type=hcl2      Use HCL2 mode when no template is given (Default: JSON mode).
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables.
"""


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    try:
        parsed = parse_or_usage(argv, [*VAR_FLAGS, Flag("config-type", "string", "")])
        if len(parsed.args) > 1:
            raise UsageError("")
        variables = template_vars(parsed)
    except UsageError as exc:
        return print_usage(USAGE, str(exc) or None)
    from kiln.console import run_console

    return run_console(parsed.args[0] if parsed.args else None, list(parsed["var-file"]), variables,
                       sys.stdin, sys.stdout, sys.stderr, config_type=parsed["config-type"])
