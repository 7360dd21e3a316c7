"""``kiln fmt [-check] [-diff] [-write=false] [-recursive] PATH | -``: Packer's canonical HCL2 layout.

Packer 1.6.6's verb (its file list, output, diagnostics and exit codes: 1 for errors, 3 for ``-check``
when a file needs formatting), with what newer Packer added: ``-recursive``, ``-`` (stdin to stdout),
and parse errors that say where (``file:line,col``) instead of 1.6.6's bare "failed to parse HCL".
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator, Sequence

from kiln.cli.common import UsageError, parse_or_usage
from kiln.cli.flags import Flag, FlagError

USAGE = """
Usage: kiln fmt [options] [TEMPLATE]

  Rewrites all Packer configuration files to a canonical format. Both
  configuration files (.pkr.hcl) and variable files (.pkrvars.hcl) are updated.
  JSON files (.json) are not modified.

  If TEMPLATE is "." the current directory will be used.
  If TEMPLATE is "-" then content will be read from STDIN.

  The given content must be in Packer's HCL2 configuration language; JSON is
  not supported.

Options:
  -check        Check if the input is formatted. Exit status will be 0 if all
                 input is properly formatted and non-zero otherwise.

  -diff         Display diffs of formatting change

  -write=false  Don't write to source files
                (always disabled if using -check)

  -recursive     Also process files in subdirectories. By default, only the
                 given directory (or current directory) is processed.
"""

# Packer's fmt also accepts (and ignores) the flags every HCL2 verb shares.
FLAGS = [Flag("check", "bool", False), Flag("diff", "bool", False), Flag("write", "bool", True),
         Flag("recursive", "bool", False), Flag("only", "csv"), Flag("except", "csv"), Flag("var", "list"),
         Flag("var-file", "list"), Flag("config-type", "string", "")]
_CONFIG_TYPES = ("json", "hcl2")


def _ui(kind: str, text: str, machine_readable: bool) -> None:
    """Packer's UI for what does not go straight to stdout (usage, errors): a plain text (Ui.Error and
    Ui.Say end it with a newline), or one ``ui,say``/``ui,error`` machine-readable line."""
    if machine_readable:
        import time

        from kiln.ui.machine import format_line

        sys.stdout.write(format_line(int(time.time()), "", "ui", [kind, text]) + "\n")
    else:
        sys.stdout.write(text + "\n")


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    try:
        parsed = parse_or_usage(argv, FLAGS)
        config_type = parsed["config-type"]
        if config_type and config_type not in _CONFIG_TYPES:
            raise UsageError(str(FlagError(f'invalid value "{config_type}" for flag -config-type: '
                                           f"{config_type} does not belong to configType values")))
        if len(parsed.args) != 1:
            raise UsageError("")
    except UsageError as exc:
        _ui("say", USAGE.strip(), machine_readable)
        if str(exc):  # Packer's flag error comes from another writer, unsynchronised: kiln prints it last
            _ui("error", str(exc), machine_readable)
        return 1
    from kiln.fmt.files import Formatter
    from kiln.hcl.render import render

    write = parsed["write"] and not parsed["check"]
    formatter = Formatter(sys.stdout, write=write, show_diff=parsed["diff"], recursive=parsed["recursive"])
    path = parsed.args[0]
    with _tuned_interpreter():
        if path == "-":
            formatter.format_stdin(sys.stdin.buffer.read())
        else:
            formatter.format_path(path)
    if formatter.diagnostics:
        _ui("error", render(formatter.diagnostics, lambda _: None), machine_readable)
        return 1
    return 3 if parsed["check"] and formatter.changed_bytes else 0


@contextlib.contextmanager
def _tuned_interpreter() -> Iterator[None]:
    """Parsing allocates many small objects and leaves no cycles behind (refcounting frees each file's
    tree): the cyclic collector only costs time here, more than half of the parser's (bench_fmt). And
    kiln's parser recurses once per bracket level (a dozen frames each): room for deep templates."""
    collecting, limit = gc.isenabled(), sys.getrecursionlimit()
    gc.disable()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
        if collecting:
            gc.enable()
