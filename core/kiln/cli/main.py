"""``kiln``: dispatch to a verb. Each verb's module is imported only when that verb runs."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

USAGE = """Usage: kiln [--version] [--help] <command> [<args>]

Available commands are:
    build           build image(s) from template
    cleanup         remove cloud resources that killed builds left behind
    console         creates a console for testing variable interpolation
    fix             fixes templates from old versions of packer
    fmt             Rewrites HCL2 config files to canonical format
    hcl2_upgrade    transform a JSON template into an HCL2 configuration
    init            Install missing plugins or upgrade plugins
    inspect         see components of a template
    plugins         Interact with kiln plugins and catalog
    validate        check that a template is valid
    version         Prints the kiln version
"""

VERBS = {  # one a line: verbs are added by several branches
    "build": "kiln.cli.build",
    "cleanup": "kiln.cli.cleanup",
    "console": "kiln.cli.console",
    "fix": "kiln.cli.fix",
    "fmt": "kiln.cli.fmt",
    "hcl2_upgrade": "kiln.cli.hcl2_upgrade",
    "init": "kiln.cli.init",
    "inspect": "kiln.cli.inspect",
    "plugins": "kiln.cli.plugins",
    "validate": "kiln.cli.validate",
    "version": "kiln.cli.version",
}
_GLOBAL_FLAGS = {"-machine-readable", "--machine-readable"}
_HELP_FLAGS = ("-h", "-help", "--help")


def _asks_help(args: Sequence[str]) -> bool:
    for arg in args:
        if arg == "--":
            return False
        if arg in _HELP_FLAGS:
            return True
    return False


def run(argv: Sequence[str]) -> int:
    args = list(argv)
    machine_readable = False
    while args and args[0] in _GLOBAL_FLAGS:
        machine_readable = True
        args.pop(0)
    if not args or (args[0] in _HELP_FLAGS and len(args) == 1):
        sys.stdout.write(USAGE)
        return 127 if not args else 0
    if args[0] in ("-v", "-version", "--version"):  # Packer prints the bare version number here
        from kiln.version import __version__

        sys.stdout.write(f"{__version__}\n")
        return 0
    if len(args) > 1 and args[0] in _HELP_FLAGS:  # ``kiln -h build``: the verb's help
        args = [args[1], args[0], *args[2:]]
    verb, rest = args[0], args[1:]
    module = VERBS.get(verb)
    if module is None:
        sys.stdout.write(USAGE)
        return 127
    if _asks_help(rest):  # as Packer's CLI: -h/-help/--help anywhere before ``--`` prints the help, exit 0
        mod = importlib.import_module(module)
        help_for = getattr(mod, "help_for", None)  # a verb with subcommands: the subcommand's help
        text = help_for(rest) if help_for is not None else getattr(mod, "USAGE", None)
        if text is not None:
            sys.stdout.write(text.strip("\n") + "\n")
            return 0
    from kiln import log

    log.setup()
    return int(importlib.import_module(module).run(rest, machine_readable=machine_readable))


def main(exit_now: bool = False) -> None:
    """The ``kiln`` command. Everything it prints goes through the secret mask; an unexpected error
    prints one line, leaves its traceback in ``kiln-crash.log`` and exits 1 (never a traceback).
    ``exit_now``: end with :func:`_exit_now` (the real program only; tests call ``main()`` in-process)."""
    from kiln.secrets import MaskedStream

    sys.stdout = MaskedStream(sys.stdout)  # type: ignore[assignment]
    sys.stderr = MaskedStream(sys.stderr)  # type: ignore[assignment]
    argv = sys.argv[1:]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    try:
        code = run(argv)
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # the reader went away (``kiln ... | head``): nothing more to say
        _silence_stdout()
        code = 1
    except (RecursionError, MemoryError) as exc:  # input too deep or too large for this process
        code = _too_big(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported as one
        from kiln.crash import report_crash

        code = report_crash(exc, argv, sys.stdout)  # type: ignore[arg-type]
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _silence_stdout()
        except (OSError, ValueError):
            pass
    if exit_now:
        _exit_now(code)
    sys.exit(code)


RECURSION_LIMIT = 6000
"""Python frames kiln may nest: enough for the parser's nesting limit (exprparser.MAX_NESTING) and
the evaluation of what it admits, with the main thread's 8 MB stack far from full."""


def _too_big(exc: BaseException) -> int:
    """An input nested too deeply (RecursionError) or too large (MemoryError) for kiln: an error, not a crash."""
    what = ("nests too deeply (more levels than kiln's stack holds)" if isinstance(exc, RecursionError)
            else "is too large for the memory kiln has")
    try:
        sys.stdout.write(f"Error: the input {what}.\n\nSimplify the template or the value (split deep "
                         "expressions into locals, use smaller collections); nothing was built.\n")
    except (OSError, ValueError):
        pass
    return 1


def entry() -> None:
    """The ``kiln`` program (console script and ``python -m kiln``): :func:`main`, then :func:`_exit_now`."""
    main(exit_now=True)


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown, which frees every module and object one by one:
    about 35 ms of CPU after a build, several times that in wall time on a loaded machine, for nothing
    (bench/bench_perf.py). What teardown does that matters is done first: the atexit handlers (the plugin
    host's last kill, temporary folders' finalizers) and the log's flush. With a non-daemon thread still
    running, the normal exit waits for it as before."""
    import atexit
    import logging
    import os
    import threading

    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.current_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _silence_stdout() -> None:
    """After a broken pipe: later writes (and the interpreter's last flush) go nowhere, quietly."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        pass
