"""``kiln inspect [-machine-readable] [-var k=v] [-var-file=f] TEMPLATE``: the components a template defines.

Legacy JSON templates get Packer 1.6.6's report (``kiln.template.legacy.inspection``); HCL2 templates
the report of Packer 1.7 and later (``kiln.template.inspection``). Like Packer, inspect only loads the
template: no plugin starts, no component is prepared, unset variables are ``<unknown>``, and errors in
locals and builds do not stop it; a file that does not parse does (exit 1).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

from kiln.cli.common import VAR_FLAGS, UsageError, parse_or_usage, print_usage, template_vars
from kiln.cli.flags import Flag, Parsed
from kiln.template import TemplateError, load_template
from kiln.template.files import is_hcl2_path
from kiln.template.hcl2 import HCL2Template
from kiln.template.inspection import HEADER, builds_text, outline_builds, variables_text
from kiln.template.legacy import LegacyTemplate, LegacyTemplateError, load_legacy
from kiln.template.legacy.inspection import inspect_records
from kiln.template.legacy.raw import LegacyError
from kiln.template.legacy.variables import command_line_variables
from kiln.template.model import Template
from kiln.ui.machine import format_line

USAGE = """
Usage: kiln inspect TEMPLATE

  Inspects a template, parsing and outputting the components a template
  defines. This does not validate the contents of a template (other than
  basic syntax by necessity).

Options:

  -machine-readable  Machine-readable output
"""

FLAGS = [Flag("machine-readable", "bool", False), *VAR_FLAGS]

Record = tuple[str, tuple[str, ...]]  # ("say", (msg,)), ("error", (msg,)) or a machine-readable type and its data


class _Ui:
    """Packer's UI for this verb: ``say``/``error`` as plain text (both on stdout, as Packer 1.6.6 does),
    and machine-readable types (``template-variable``, ...) only with ``-machine-readable``."""

    def __init__(self, machine_readable: bool) -> None:
        self.machine_readable = machine_readable

    def write(self, records: Sequence[Record]) -> None:
        if self.machine_readable:
            now = int(time.time())
            lines = [format_line(now, "", "ui" if kind in ("say", "error") else kind,
                                 [kind, *data] if kind in ("say", "error") else list(data))
                     for kind, data in records]
            sys.stdout.write("".join(line + "\n" for line in lines))
            return
        sys.stdout.write("".join(data[0] + "\n" for kind, data in records if kind in ("say", "error")))


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    try:
        parsed = parse_or_usage(argv, FLAGS)
        if len(parsed.args) != 1:
            raise UsageError("")
    except UsageError as exc:
        return print_usage(USAGE, str(exc) or None)
    records = report(parsed.args[0], parsed)
    _Ui(machine_readable or parsed["machine-readable"]).write(records)
    return 1 if any(kind == "error" for kind, _ in records) else 0


def report(path: str, parsed: Parsed) -> list[Record]:
    """Everything inspect says about the template at ``path``; an ``error`` record when it did not load."""
    records: list[Record]
    if not os.path.exists(path) and not is_hcl2_path(path):  # Packer's words, alone
        return [("error", (f'"{path}": stat {path}: no such file or directory',))]
    try:
        if is_hcl2_path(path):
            template = load_template(path, var_files=list(parsed["var-file"]), vars=template_vars(parsed),
                                     env=dict(os.environ), lenient=True)
            records = _hcl2(template)
        else:
            records = _json(_load_json(path, parsed))
    except LegacyTemplateError as exc:
        records = [("error", (exc.packer_message(),))]
    except TemplateError as exc:
        # Packer's Ui.Error adds a newline to the diagnostics' text, which already ends with one
        records = [("error", (exc.render(),))]
    return records


def _load_json(path: str, parsed: Parsed) -> LegacyTemplate:
    """A legacy JSON template as Packer's inspect reads it: the template parsed, the ``-var-file``
    files read; nothing interpolated and no variable required."""
    template = load_legacy(path, syntax_only=True)
    try:
        command_line_variables(list(parsed["var-file"]), template_vars(parsed))
    except LegacyError as err:
        raise LegacyTemplateError(err, "flags", template.sources) from None
    return template


def _json(template: LegacyTemplate) -> list[Record]:
    return [(kind, tuple(data)) for kind, data in inspect_records(template.raw)]


def _hcl2(template: Template) -> list[Record]:
    assert isinstance(template, HCL2Template)
    records: list[Record] = []
    # Packer prints the warnings of loading; those of decoding builds are validate's and build's business
    warnings = [w for w in template.warnings if not any(w is b for b in template.build_warnings)]
    if warnings:
        records.append(("say", (template.render(warnings),)))
    records += [("say", (HEADER,)), ("say", (variables_text(template.scope, template.sensitive_values),)),
                ("say", (builds_text(outline_builds(template.build_blocks, template.scope)),))]
    return records
