"""``kiln fix [-validate=true|false] TEMPLATE``: Packer 1.6.6's fixers over a legacy JSON template."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from kiln.cli.common import UsageError, VerbUi, parse_or_usage
from kiln.cli.flags import Flag
from kiln.fix import FIXERS, FixError, ParseError, decode_template, encode, fix_template

_HEAD = """
Usage: kiln fix [options] TEMPLATE

  Reads the JSON template and attempts to fix known backwards
  incompatibilities. The fixed template will be outputted to standard out.

  If the template cannot be fixed due to an error, the command will exit
  with a non-zero exit status. Error messages will appear on standard error.

Fixes that are run (in order):

"""
USAGE = (_HEAD + "".join(f"  {name:<27s}{synopsis}\n" for name, synopsis, _ in FIXERS) + """
Options:

  -validate=true      If true (default), validates the fixed template.
""")

FLAGS = [Flag("validate", "bool", True)]

_AFTER = "\n\nThis is usually caused by an error in the input template.\nPlease fix the error and try again."


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    ui = VerbUi(machine_readable)
    if any(a in ("-h", "-help", "--help") for a in argv):
        ui.say(USAGE.strip())
        return 0
    try:
        parsed = parse_or_usage(argv, FLAGS)
        if len(parsed.args) != 1:
            raise UsageError("")
    except UsageError as exc:
        ui.say(USAGE.strip())
        if str(exc):
            sys.stdout.write(str(exc) + "\n")
        return 1
    path = parsed.args[0]
    try:
        with open(path, "rb") as f:
            data = f.read()
    except IsADirectoryError:
        ui.error(f"Error parsing template: read {path}: is a directory")
        return 1
    except OSError as exc:
        ui.error(f"Error opening template: open {path}: {(exc.strerror or str(exc)).lower()}")
        return 1
    try:
        tpl = decode_template(data.decode("utf-8", errors="replace"))
    except ParseError as exc:
        ui.error(f"Error parsing template: {exc}")
        return 1
    try:
        fixed = fix_template(tpl)
    except FixError as exc:
        ui.error(f"Error fixing: {exc}")
        return 1
    result = encode(fixed)
    ui.say(result)
    if not parsed["validate"]:
        return 0
    from kiln.template.legacy.jsonvalue import JSONSyntaxError, parse_json
    from kiln.template.legacy.loader import _validate
    from kiln.template.legacy.raw import LegacyError, multierror
    from kiln.template.legacy.root import parse_raw

    try:
        parse_json(result, path)
        raw = parse_raw(result, path)
    except JSONSyntaxError as exc:  # Packer parses a string, not a file: no position report
        ui.error(f"Error! Fixed template fails to parse: {exc.message}{_AFTER}")
        return 1
    except LegacyError as exc:
        ui.error(f"Error! Fixed template fails to parse: {exc.packer_text}{_AFTER}")
        return 1
    errs = _validate(raw)
    if errs:
        ui.error(f"Error! Fixed template failed to validate: {multierror([m for m, _ in errs])}{_AFTER}")
        return 1
    return 0
