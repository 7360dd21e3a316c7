"""What the verbs share: loading a template from the command line, usage errors, UI options."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from kiln.cli.flags import Flag, FlagError, Parsed, parse, parse_var

if TYPE_CHECKING:
    from kiln.template.model import Template, TemplateError

VAR_FLAGS = [Flag("var", "list"), Flag("var-file", "list")]


class UsageError(Exception):
    """Print the message, then the verb's usage; exit 1."""


def parse_or_usage(argv: Sequence[str], flags: Sequence[Flag]) -> Parsed:
    try:
        return parse(argv, flags)
    except FlagError as exc:
        raise UsageError(str(exc)) from None


def template_vars(parsed: Parsed) -> list[tuple[str, str]]:
    try:
        return [parse_var(value) for name, value in parsed.ordered if name == "var"]
    except FlagError as exc:
        raise UsageError(str(exc)) from None


def print_usage(usage: str, message: str | None, stream: TextIO | None = None) -> int:
    stream = stream or sys.stdout  # Packer writes usage and errors to stdout
    stream.write(usage.strip("\n") + "\n")
    if message:
        stream.write(message + "\n")
    return 1


def load(path: str, parsed: Parsed, syntax_only: bool = False) -> Template:
    """The template at ``path``; TemplateError carries every problem found."""
    from kiln.template import load_template

    return load_template(path, var_files=list(parsed["var-file"]), vars=template_vars(parsed),
                         env=dict(os.environ), syntax_only=syntax_only)


def render_template_error(exc: TemplateError) -> str:
    """Packer's text for a template that did not load (legacy JSON errors have their own form)."""
    from kiln.hcl.diagnostics import render
    from kiln.template.legacy import LegacyTemplateError

    if isinstance(exc, LegacyTemplateError):
        return exc.packer_message() + "\n"  # Packer's Ui.Error ends the message with a newline
    return render(exc.diagnostics, exc.sources.get)


def show_warnings(template: Template) -> None:
    if template.warnings:
        sys.stdout.write(template.render(template.warnings))
