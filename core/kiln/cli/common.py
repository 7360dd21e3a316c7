"""What the verbs share: loading a template from the command line, usage errors, UI options."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kiln.cli.flags import Flag, FlagError, Parsed, parse, parse_var

if TYPE_CHECKING:
    from kiln_sdk.host import PluginProcess

    from kiln.plugins.discovery import Distributions
    from kiln.plugins.host import PluginHost
    from kiln.template.model import Template, TemplateError

VAR_FLAGS = [Flag("var", "list"), Flag("var-file", "list")]


class UsageError(Exception):
    """Print the message, then the verb's usage; exit 1."""


class VerbUi:
    """Packer's UI for the authoring verbs (fix, hcl2_upgrade): plain lines on stdout (Packer writes its
    errors there too), or ``ui,say``/``ui,error`` machine-readable lines."""

    def __init__(self, machine_readable: bool) -> None:
        self.machine_readable = machine_readable

    def _write(self, kind: str, msg: str) -> None:
        if self.machine_readable:
            import time

            from kiln.ui.machine import format_line

            sys.stdout.write(format_line(int(time.time()), "", "ui", [kind, msg]) + "\n")
        else:
            sys.stdout.write(msg + "\n")

    def say(self, msg: str) -> None:
        self._write("say", msg)

    def error(self, msg: str) -> None:
        self._write("error", msg)


def parse_or_usage(argv: Sequence[str], flags: Sequence[Flag]) -> Parsed:
    """The parsed flags; a mistake (``-var=x`` included) is a ``UsageError``."""
    try:
        parsed = parse(argv, flags)
    except FlagError as exc:
        raise UsageError(str(exc)) from None
    if "var" in parsed.values:
        template_vars(parsed)
    return parsed


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


def load(path: str, parsed: Parsed, syntax_only: bool = False, host: PluginHost | None = None) -> Template:
    """The template at ``path``, its data sources run through ``host``'s plugins (unknown without a
    host). TemplateError carries every problem found."""
    from kiln.template import load_template

    resolve = None
    if host is not None:  # only then: the data sources' module imports the plugin layer (gRPC)
        from kiln.engine.datasources import DataSources

        absolute = os.path.abspath(path)
        resolve = DataSources(host, absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
    return load_template(path, var_files=list(parsed["var-file"]), vars=template_vars(parsed),
                         env=dict(os.environ), syntax_only=syntax_only, resolve_data=resolve)


class PluginsNotReady(Exception):
    """A template's required plugins are not all there (or not the locked ones): the text to print."""


def plugin_host(standby: Sequence[PluginProcess] = (), template_path: str | None = None) -> PluginHost:
    """Every plugin this run can use, and the processes it will start (stop them with ``with``). With a
    template: the plugins its ``required_plugins`` select (PluginsNotReady when some are missing)."""
    from kiln_sdk.host import sweep_stale_socket_dirs

    from kiln import log
    from kiln.plugins.discovery import discover
    from kiln.plugins.host import PluginHost

    for path in sweep_stale_socket_dirs():  # left by runs killed with SIGKILL
        log.get("plugins").debug("removed the stale socket folder %s", path)
    required, dists = _required_plugins(template_path) if template_path is not None else ({}, None)
    return PluginHost(discover(required=required, dists=dists), standby=standby)


def _required_plugins(path: str) -> tuple[dict[str, Path | str], Distributions | None]:
    """Which plugin satisfies each requirement of the template at ``path`` (docs/registry.md), and the
    bundled distributions when they had to be listed for it (discovery reuses them)."""
    from kiln.template import TemplateError, read_requirements

    env = dict(os.environ)
    try:
        template = read_requirements(path, env)
    except TemplateError:
        return {}, None  # loading the template reports its errors, with every other one
    if template is None or not template.required_plugins:
        return {}, None
    from kiln.plugins import lockfile
    from kiln.plugins.discovery import distributions
    from kiln.plugins.resolve import bundled_plugins, required_choices, resolve

    directory = lockfile.lock_dir(path)
    try:
        lock = lockfile.read(directory)
    except lockfile.LockFileError as exc:
        raise PluginsNotReady(exc.render()) from None
    dists = distributions(env)
    resolution = resolve(template.required_plugins, env, lock, bundled_plugins(env, dists),
                         directory / lockfile.FILENAME)
    if not resolution.ok:
        raise PluginsNotReady(template.render(resolution.diagnostics()))
    return required_choices(resolution), dists


def render_template_error(exc: TemplateError) -> str:
    """Packer's text for a template that did not load (legacy JSON errors have their own form)."""
    from kiln.template.legacy import LegacyTemplateError

    if isinstance(exc, LegacyTemplateError):
        return exc.packer_message() + "\n"  # Packer's Ui.Error ends the message with a newline
    return exc.render()


def show_warnings(template: Template) -> None:
    if template.warnings:
        sys.stdout.write(template.render(template.warnings))
