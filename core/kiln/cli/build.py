"""``kiln build [options] TEMPLATE``."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from kiln import log
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

_log = log.get("cli")

USAGE = """
Usage: kiln build [options] TEMPLATE

  Will execute multiple builds in parallel as defined in the template.
  The various artifacts created by the template will be outputted.

Options:

  -color=false                  Disable color output. (Default: color)
  -debug                        Debug mode enabled for builds.
  -except=foo,bar,baz           Run all builds and post-processors other than these.
  -only=foo,bar,baz             Build only the specified builds.
  -force                        Force a build to continue if artifacts exist, deletes existing artifacts.
  -machine-readable             Produce machine-readable output.
  -on-error=[cleanup|abort|ask|run-cleanup-provisioner] If the build fails do: clean up (default), abort, ask, or run-cleanup-provisioner.
  -parallel-builds=1            Number of builds to run in parallel. 1 disables parallelization. 0 means no limit (Default: 0)
  -timestamp-ui                 Enable prefixing of each ui output with an RFC3339 timestamp.
  -var 'key=value'              Variable for templates, can be used multiple times.
  -var-file=path                JSON or HCL2 file containing user variables.
"""

FLAGS = [
    Flag("color", "bool", True), Flag("debug", "bool", False), Flag("except", "csv"), Flag("only", "csv"),
    Flag("force", "bool", False), Flag("machine-readable", "bool", False), Flag("on-error", "string", "cleanup"),
    Flag("parallel-builds", "int", 0), Flag("parallel", "bool", True), Flag("timestamp-ui", "bool", False),
    *VAR_FLAGS,
]


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    from kiln.engine.options import ON_ERROR_CHOICES, BuildOptions

    try:
        parsed = parse_or_usage(argv, FLAGS)
        if len(parsed.args) != 1:
            raise UsageError("")
        if parsed["on-error"] not in ON_ERROR_CHOICES:
            raise UsageError(f"-on-error has to be one of: {', '.join(ON_ERROR_CHOICES)}")
    except UsageError as exc:
        return print_usage(USAGE, str(exc) or None)
    warn_if_legacy_json(parsed.args[0])
    from kiln.plugins.standby import start_standby

    standby = start_standby()  # first: they load while the core loads the template
    parallel = parsed["parallel-builds"]
    if not parsed["parallel"]:  # Packer's deprecated -parallel=false
        parallel = 1
    options = BuildOptions(
        force=parsed["force"], debug=parsed["debug"], on_error=parsed["on-error"], parallel_builds=parallel,
        only=tuple(parsed["only"]), except_=tuple(parsed["except"]),
    )
    from kiln.engine.session import run_build
    from kiln.plugins.discovery import DiscoveryError
    from kiln.template import TemplateError
    from kiln.ui import make_ui

    ui = make_ui(machine_readable=machine_readable or parsed["machine-readable"], color=parsed["color"],
                 timestamp=parsed["timestamp-ui"])
    started = time.monotonic()
    try:
        host = plugin_host(standby, parsed.args[0])
    except DiscoveryError as exc:
        ui.error(f"Error: {exc}")
        return 1
    except PluginsNotReady as exc:
        sys.stdout.write(str(exc))
        return 1
    _log.debug("timing: plugins discovered in %.3fs", time.monotonic() - started)
    with host:
        try:
            template = load(parsed.args[0], parsed, host=host)
        except TemplateError as exc:
            sys.stdout.write(render_template_error(exc))
            return 1
        show_warnings(template)
        ui.add_sensitive(*template.sensitive_values)
        _log.debug("timing: template loaded in %.3fs", time.monotonic() - started)
        return run_build(template, options, ui, host)
