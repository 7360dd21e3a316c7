"""``kiln hcl2_upgrade [-output-file=F] [-with-annotations] TEMPLATE``: a JSON template as HCL2.

Newer Packer's conversion (see docs/hcl2_upgrade.md for where it differs from Packer 1.6.6). The
output file (default: ``TEMPLATE.pkr.hcl``) is written atomically, and only when the template parsed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence

from kiln.cli.common import VAR_FLAGS, UsageError, VerbUi, parse_or_usage, template_vars
from kiln.cli.flags import Flag

USAGE = """
Usage: kiln hcl2_upgrade [options] TEMPLATE

  Will transform your JSON template into an HCL2 configuration.

Options:

  -output-file=path    Set output file name. By default this will be the
                       TEMPLATE name with ".pkr.hcl" appended to it. To be a
                       valid Packer HCL template, it must have the suffix
                       ".pkr.hcl"
  -with-annotations    Add helper annotation comments to the file to help new
                       HCL2 users understand the template format.
"""

FLAGS = [Flag("output-file", "string", ""), Flag("with-annotations", "bool", False),
         Flag("only", "csv"), Flag("except", "csv"), *VAR_FLAGS]


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    ui = VerbUi(machine_readable)
    _say, _error = ui.say, ui.error
    try:
        parsed = parse_or_usage(argv, FLAGS)
        if len(parsed.args) != 1:
            raise UsageError("")
    except UsageError as exc:
        _say(USAGE.strip())
        if str(exc):  # Go's flag package writes this itself, never machine-readable
            sys.stdout.write(str(exc) + "\n")
        return 1
    path = parsed.args[0]
    output = parsed["output-file"] or path + ".pkr.hcl"

    from kiln.hcl2_upgrade import ConversionError, upgrade
    from kiln.template.legacy.jsonvalue import JSONSyntaxError
    from kiln.template.legacy.raw import LegacyError
    from kiln.template.legacy.root import parse_raw

    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except OSError as exc:
        what = "read" if isinstance(exc, IsADirectoryError) else "open"
        _error(f"Failed to parse template: {what} {path}: {(exc.strerror or str(exc)).lower()}")
        _error(f"{path}: not converted; {output} was not written")
        return 1
    try:
        raw = parse_raw(text, path)
    except LegacyError as exc:
        _error(f"Failed to parse template: {exc.packer_text}")
        where = exc.msgs[0][1] if exc.msgs else None
        at = f"{where.filename}:{where.start.line}:{where.start.column}" if where is not None else path
        _error(f"{at}: not converted; {output} was not written")
        return 1
    except JSONSyntaxError as exc:  # parse_raw turns these into LegacyError; kept for safety
        _error(f"Failed to parse template: {exc}")
        return 1
    init_error = _initialization_error(path, parsed)
    if init_error:
        _error(f"Ignoring following initialization error: {init_error}")
    try:
        result = upgrade(raw, text, with_annotations=bool(parsed["with-annotations"]))
    except ConversionError as exc:
        _error(f"{path}: cannot convert: {exc}")
        _error(f"{path}: not converted; {output} was not written")
        return 1
    for err in result.errors:
        _error(err)
    try:
        _write_atomic(output, result.text)
    except OSError as exc:
        _error(f"Failed to create output file: {_os_error(exc, output)}")
        return 1
    code = 1 if result.errors else 0
    _say(f"Successfully created {output}. Exit {code}")
    return code


def _initialization_error(path: str, parsed: object) -> str:
    """What Packer's core.Initialize reports (required variables, bad only/except, ...), or ""."""
    from kiln.cli.flags import Parsed
    from kiln.template.legacy.loader import LegacyTemplateError, load_legacy

    assert isinstance(parsed, Parsed)
    try:
        load_legacy(path, parsed["var-file"] or (), template_vars(parsed))
    except LegacyTemplateError as exc:
        return exc.packer_text if exc.stage != "parse" else ""
    except (OSError, UsageError):
        return ""
    return ""


def _os_error(exc: OSError, path: str) -> str:
    return f"open {path}: {(exc.strerror or str(exc)).lower()}"


def _write_atomic(path: str, text: str) -> None:
    """The whole file or nothing: a temporary file next to it, renamed over it."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, 0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kiln-hcl2_upgrade-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
