"""``kiln validate [options] TEMPLATE``: load, evaluate and prepare every component; run nothing."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from kiln.cli.common import (
    VAR_FLAGS,
    PluginsNotReady,
    UsageError,
    load,
    parse_or_usage,
    plugin_host,
    print_usage,
    render_template_error,
    show_warnings,
)
from kiln.cli.flags import Flag
from kiln.cli.legacy import warn_if_legacy_json

USAGE = """
Usage: kiln validate [options] TEMPLATE

  Checks the template is valid by parsing the template and also
  checking the configuration with the various builders, provisioners, etc.

  If it is not valid, the errors will be shown and the command will exit
  with a non-zero exit status. If it is valid, it will exit with a zero
  exit status.

Options:

  -syntax-only           Only check syntax. Do not verify config of the template.
  -except=foo,bar,baz    Validate all builds other than these.
  -only=foo,bar,baz      Validate only these builds.
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables.
"""

FLAGS = [Flag("syntax-only", "bool", False), Flag("except", "csv"), Flag("only", "csv"),
         Flag("machine-readable", "bool", False), *VAR_FLAGS]


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    try:
        parsed = parse_or_usage(argv, FLAGS)
        if len(parsed.args) != 1:
            raise UsageError("")
    except UsageError as exc:
        return print_usage(USAGE, str(exc) or None)
    warn_if_legacy_json(parsed.args[0])
    if parsed["syntax-only"]:  # no plugin, so neither discovery nor gRPC is imported
        return _syntax_only(parsed)
    from kiln.plugins.standby import start_standby

    standby = start_standby()  # they load while the template loads
    from kiln.engine.options import BuildOptions
    from kiln.engine.session import validate_builds
    from kiln.plugins.discovery import DiscoveryError
    from kiln.template import TemplateError

    try:
        host = plugin_host(standby, parsed.args[0])
    except DiscoveryError as exc:
        sys.stdout.write(f"Error: {exc}\n")
        return 1
    except PluginsNotReady as exc:
        sys.stdout.write(str(exc))
        return 1
    with host:
        try:
            template = load(parsed.args[0], parsed, syntax_only=False, host=host)
        except TemplateError as exc:
            sys.stdout.write(render_template_error(exc))
            return 1
        show_warnings(template)
        options = BuildOptions(only=tuple(parsed["only"]), except_=tuple(parsed["except"]))
        return validate_builds(template, options, host)


def _syntax_only(parsed: Any) -> int:
    from kiln.template import TemplateError

    try:
        template = load(parsed.args[0], parsed, syntax_only=True, host=None)
    except TemplateError as exc:
        sys.stdout.write(render_template_error(exc))
        return 1
    show_warnings(template)
    print("Syntax-only check passed. Everything looks okay.")
    return 0
