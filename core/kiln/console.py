"""``kiln console``: evaluate expressions against a template, as ``packer console`` (1.6.6) does.

HCL2 mode (a directory, ``*.pkr.hcl`` or ``*.pkr.json``) evaluates HCL expressions with the template's
variables, locals and functions; JSON mode (no template, or a legacy JSON template) renders Go
templates (``{{user `x`}}``). Piped input evaluates every line and prints the last result; a terminal
gets an interactive prompt with line editing.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TextIO

from kiln_sdk.gotemplate import TemplateError as GoTemplateError
from kiln_sdk.gotemplate import render as go_render

from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.render import render, wrap
from kiln.hcl.values import DYNAMIC, unknown
from kiln.template import load_template
from kiln.template.files import is_hcl2_path
from kiln.template.hcl2 import HCL2Template, load_without_config
from kiln.template.hclapi import eval_expr, format_value, parse_expression
from kiln.template.inspection import variables_text
from kiln.template.legacy import LegacyTemplate, LegacyTemplateError
from kiln.template.legacy.funcs import FuncContext, template_context
from kiln.template.legacy.raw import LegacyError
from kiln.template.legacy.variables import command_line_variables
from kiln.template.model import Template, TemplateError
from kiln.template.scope import Scope, obj

INPUT_NAME = "<console-input>"

HCL2_HELP = """Packer console HCL2 Mode.
The Packer console allows you to experiment with Packer interpolations.
You may access variables and functions in the Packer config you called the
console with.

Type in the interpolation to test and hit <enter> to see the result.

"upper(var.foo.id)" would evaluate to the ID of "foo" and uppercase is, if it
exists in your config file.

"variables" will dump all available variables and their values.

To exit the console, type "exit" and hit <enter>, or use Control-C.

/!\\ It is not possible to use go templating interpolation like "{{timestamp}}"
with in HCL2 mode."""

JSON_HELP = """Packer console JSON Mode.
The Packer console allows you to experiment with Packer interpolations.
You may access variables in the Packer config you called the console with.

Type in the interpolation to test and hit <enter> to see the result.

"variables" will dump all available variables and their values.

"{{timestamp}}" will output the timestamp, for example "1559855090".

To exit the console, type "exit" and hit <enter>, or use Control-C.

/!\\ If you would like to start console in hcl2 mode without a config you can
use the --config-type=hcl2 option."""


@dataclass
class Result:
    text: str
    error: bool = False  # ``text`` is an error message; the exit status becomes 1 (HCL2 mode)
    exit: bool = False


class Session(Protocol):
    def handle(self, line: str) -> Result: ...


class HclSession:
    def __init__(self, scope: Scope, local_names: Sequence[str] = (), secrets: Sequence[str] = ()) -> None:
        self.scope = scope
        self.local_names = list(local_names)
        self.secrets = list(secrets)  # masked in ``variables`` as Packer's output filter masks them

    def handle(self, line: str) -> Result:
        if line == "":
            return Result("")
        if line == "exit":
            return Result("", exit=True)
        if line == "help":
            return Result(HCL2_HELP)
        if line == "variables":
            return Result(self.variables())
        expr, diags = parse_expression(line, INPUT_NAME)
        if not diags:
            ctx = self.scope.context({"source": unknown(DYNAMIC), "build": obj({})})
            value, diags = eval_expr(expr, ctx)
        if diags:
            return Result(self._errors(diags), error=True)
        return Result(format_value(value))

    def variables(self) -> str:
        return variables_text(self.scope, self.secrets)

    @staticmethod
    def _errors(diags: list[HclDiagnostic]) -> str:
        return render(diags, lambda _name: None)


class JsonSession:
    """Go-template evaluation with Packer's functions and the template's user variables."""

    def __init__(self, user_variables: dict[str, str], sensitive: Sequence[str],
                 funcs: FuncContext | None = None) -> None:
        self.user_variables = user_variables
        self.sensitive = set(sensitive)
        funcs = funcs or FuncContext(user_variables=user_variables)
        self.context = template_context(funcs, keep_fields=False)

    def handle(self, line: str) -> Result:
        if line == "exit":
            return Result("", exit=True)
        if line == "help":
            return Result(JSON_HELP)
        if line == "variables":
            lines = [f"{k}: {'<sensitive>' if k in self.sensitive else v}," for k, v in
                     sorted(self.user_variables.items())]
            return Result("\n" + "".join(x + "\n" for x in lines))
        try:
            text = go_render(line, self.context)
        except GoTemplateError as err:
            return Result(f"???????: Interpolation error\n\n{wrap(str(err), 80)}\n\n\n")
        for secret in self.sensitive:
            value = self.user_variables.get(secret, "")
            if value:
                text = text.replace(value, "<sensitive>")
        return Result(text)


def run_piped(session: Session, stdin: TextIO, stdout: TextIO) -> int:
    """Input from a pipe: every line is evaluated, errors are printed as they come, and the last
    result is printed at the end; the status is 1 when any line failed."""
    status = 0
    last = ""
    for raw in stdin:
        result = session.handle(raw.strip())
        if result.error:
            stdout.write(result.text + "\n")
            status = 1
            last = ""
            continue
        last = result.text
    stdout.write(last + "\n")
    stdout.flush()
    return status


def run_interactive(session: Session, stdin: TextIO, stdout: TextIO) -> int:
    """A terminal (prompt and line editing) or a file: every result is printed; ``exit`` ends."""
    tty = stdin.isatty()
    if tty:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:  # pragma: no cover - platforms without readline
            pass
    while True:
        try:
            line = input("> ") if tty else stdin.readline()
        except (EOFError, KeyboardInterrupt):
            stdout.write("\n")
            return 0
        if not tty and line == "":
            return 0
        result = session.handle(line.strip())
        if result.exit:
            return 0
        stdout.write(result.text + ("\n\n" if result.error else "\n"))
        stdout.flush()


def _is_pipe(stream: TextIO) -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return True  # an in-memory stream: read it as piped input


def make_session(
    template_path: str | None, var_files: Sequence[str], vars: Sequence[tuple[str, str]], config_type: str = ""
) -> tuple[Session, str]:
    """Load the template (HCL2 leniently, as the console does); the session and the warnings to print.
    Without a template the console is in JSON mode, unless ``config_type`` is ``"hcl2"``."""

    if template_path is None:
        if config_type == "hcl2":  # -var/-var-file name undeclared variables: Packer's errors and warnings
            bare = load_without_config(var_files=var_files, vars=vars, env=dict(os.environ))
            warnings = bare.render(bare.warnings) + "\n" if bare.warnings else ""
            return HclSession(bare.scope), warnings  # path.root is empty, as in Packer
        return JsonSession(user_variables(var_files, vars), []), ""
    template = load_template(template_path, var_files=var_files, vars=vars, env=dict(os.environ),
                             lenient=True)
    warnings = template.render(template.warnings) + "\n" if template.warnings else ""
    if is_hcl2_path(template_path):
        assert isinstance(template, HCL2Template)
        return HclSession(template.scope, secrets=template.sensitive_values), warnings
    return _legacy_session(template), warnings


def user_variables(var_files: Sequence[str], vars: Sequence[tuple[str, str]]) -> dict[str, str]:
    """JSON mode without a template: ``-var`` and ``-var-file`` set user variables, as in Packer."""
    try:
        return command_line_variables(var_files, vars)[0]
    except LegacyError as err:
        raise LegacyTemplateError(err, "flags", {}) from None


def _legacy_session(template: Template) -> Session:
    assert isinstance(template, LegacyTemplate)
    return JsonSession(template.user_variables, list(template.raw.sensitive_variables), template.funcs)


def run_console(
    template_path: str | None,
    var_files: Sequence[str],
    vars: Sequence[tuple[str, str]],
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    config_type: str = "",
) -> int:
    """The whole ``kiln console`` verb after flag parsing. Returns the exit status. As in Packer, errors
    are printed on ``stdout`` (``stderr`` is unused); ``config_type="hcl2"`` is ``-config-type=hcl2``."""
    try:
        session, warnings = make_session(template_path, var_files, vars, config_type)
    except TemplateError as err:
        if isinstance(err, LegacyTemplateError):
            stdout.write(err.packer_message() + "\n")
        else:
            stdout.write(err.render() + "\n")
        return 1
    stdout.write(warnings)
    if _is_pipe(stdin):
        return run_piped(session, stdin, stdout)
    return run_interactive(session, stdin, stdout)
