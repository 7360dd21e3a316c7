"""``serve()``: the main function of a plugin executable holding one or more components.

    from kiln_sdk import serve

    def main() -> None:
        serve({"builder": {"my-builder": "my_plugin.builder:MyBuilder"}}, version="1.0.0")

Verbs: ``PLUGIN describe`` prints a JSON description; ``PLUGIN serve`` (run by the core, with the
handshake cookie in the environment) serves every component over gRPC until the core closes the
plugin's stdin: the core starts each plugin executable once per run and asks it for as many component
instances as the run needs. Components are given as classes or ``"module:Class"`` strings, imported
when first used, so a plugin holding many components starts as fast as one holding a single one.
``PLUGIN cleanup`` is run by ``kiln cleanup``: it reads cleanup-journal entries (JSON lines) on stdin and
calls each component class's ``cleanup_resource`` hook (see ``kiln_sdk.journal``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kiln_sdk._wire.handshake import APP_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, handshake_for
from kiln_sdk._wire.sockets import private_socket_dir
from kiln_sdk.children import kill_all_children

KINDS = ("builder", "provisioner", "post-processor", "datasource")
ComponentRef = str | type
Registry = Mapping[str, Mapping[str, ComponentRef]]
MAX_WORKERS = 2048
"""gRPC handler threads (made on demand): each running Run/Provision/PostProcess holds one."""


def describe(components: Registry, version: str, source: str | None = None) -> dict[str, Any]:
    description: dict[str, Any] = {
        "version": version,
        "protocol_version": APP_PROTOCOL_VERSION,
        "builders": sorted(components.get("builder", {})),
        "provisioners": sorted(components.get("provisioner", {})),
        "post_processors": sorted(components.get("post-processor", {})),
        "datasources": sorted(components.get("datasource", {})),
    }
    if source:
        description["source"] = source  # the plugin source address it satisfies (github.com/hashicorp/amazon)
    # each component's description and config (and data source output) schema: kiln-sdk docs reads them
    from kiln_sdk._describe import describe_components

    description["components"] = describe_components(components)
    return description


def serve(
    components: Registry, *, version: str, source: str | None = None, argv: Sequence[str] | None = None
) -> None:
    """Run the plugin executable's verb and exit.

    ``source`` is the plugin source address this executable satisfies (``github.com/hashicorp/amazon``),
    so that templates requiring it in ``required_plugins`` find it.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["describe"]:
        print(json.dumps(describe(components, version, source)))
        sys.exit(0)
    if args == ["serve"]:
        sys.exit(_serve(components, version, source or ""))
    if args == ["cleanup"]:
        from kiln_sdk.journal import cleanup_verb

        def load(kind: str, name: str) -> type:
            if name not in components.get(kind, {}):
                raise RuntimeError(f"this plugin has no {kind} {name!r}")
            return _load(components[kind][name])

        sys.exit(cleanup_verb(load))
    print(
        f"usage: {os.path.basename(sys.argv[0])} describe | serve | cleanup\n"
        "This is a kiln plugin: kiln starts it when a template uses one of its components.",
        file=sys.stderr,
    )
    sys.exit(1)


def _cookie_ok() -> bool:
    if os.environ.get(MAGIC_COOKIE_KEY) == MAGIC_COOKIE_VALUE:
        return True
    print(
        "This binary is a plugin. These are not meant to be executed directly.\n"
        "Please execute the program that consumes these plugins (kiln), which will load any plugins automatically.",
        file=sys.stderr,
    )
    return False


def _serve(components: Registry, version: str, source: str) -> int:
    if not _cookie_ok():
        return 1
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s [%(name)s] %(message)s")
    from kiln_sdk.journal import set_command

    set_command(_own_command())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the core cancels over RPC; Ctrl-C is its to handle
    directory = private_socket_dir("kiln-plugin-", "plugin.sock")  # 0700, short enough for sun_path
    try:
        _serve_all(components, version, source, os.path.join(directory, "plugin.sock"), directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def _load(ref: ComponentRef) -> type:
    if isinstance(ref, type):
        return ref
    import importlib

    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def _own_command() -> list[str]:
    """The command that started this plugin executable, without its verb (``serve``): what
    ``kiln cleanup`` runs, with the verb ``cleanup``, to reach this plugin again."""
    verb_args = len(sys.argv) - 1
    command = list(sys.orig_argv[: len(sys.orig_argv) - verb_args]) if verb_args else list(sys.orig_argv)
    if command and sys.orig_argv[0] != sys.argv[0]:  # run by an interpreter: name it by its full path
        command[0] = sys.executable
    elif command:
        command[0] = os.path.abspath(command[0]) if os.sep in command[0] else (shutil.which(command[0]) or command[0])
    return command


def _serve_all(components: Registry, version: str, source: str, socket_path: str, directory: str) -> None:
    import grpc

    from kiln_sdk._wire import channels, servicers

    served = servicers.Served(f"unix:{socket_path}", components, version, source,
                              capabilities=_capabilities())
    server = grpc.server(ThreadPoolExecutor(max_workers=MAX_WORKERS), options=channels.OPTIONS)
    servicers.add_all(server, served)
    server.add_insecure_port(served.address)
    server.start()
    stop = _stop_on_sigterm(directory)
    sys.stdout.write(handshake_for(socket_path).line() + "\n")
    sys.stdout.flush()
    try:  # what components print after the handshake reaches the core's log line by line
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    try:
        while not stop:
            if not os.read(sys.stdin.fileno(), 65536):  # the core closed our stdin: it is done with us
                break
    except (OSError, ValueError):
        pass
    # the core is done with us (or gone: killed, its stdin end closed by the kernel): nothing this
    # process started may outlive it, a shell-local script's own children included. No call is in flight
    # that anyone waits for, so exit at once: a component whose command was just killed must not start
    # half its cleanups (what a killed run left is in the cleanup journal, for `kiln cleanup`)
    kill_all_children()
    server.stop(grace=None)
    shutil.rmtree(directory, ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # a handler stuck in a component must not keep the process alive: the core is done with it
    os._exit(0)


def _capabilities() -> tuple[str, ...]:
    """The capabilities this process announces. ``KILN_SDK_CAPABILITIES`` (comma-separated) replaces
    them: it lets the SDK's own tests act as a plugin built against an older minor."""
    from kiln_sdk._wire.handshake import CAPABILITIES

    configured = os.environ.get("KILN_SDK_CAPABILITIES")
    if configured is None:
        return CAPABILITIES
    return tuple(c for c in configured.split(",") if c)


def _stop_on_sigterm(directory: str) -> list[bool]:
    """SIGTERM (the core's stop after its grace, or the core's death: PR_SET_PDEATHSIG): kill every child
    process group, remove the socket folder and exit now — a handler stuck in a component must not keep
    this process (or what it started) alive."""
    flag: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        flag.append(True)
        kill_all_children()
        shutil.rmtree(directory, ignore_errors=True)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, handler)
    return flag
