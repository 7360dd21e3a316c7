"""``serve()``: the main function of a plugin executable holding one or more components.

    from kiln_sdk.serve import serve

    def main() -> None:
        serve({"builder": {"my-builder": "my_plugin.builder:MyBuilder"}}, version="1.0.0")

Verbs: ``PLUGIN describe`` prints a JSON description; ``PLUGIN start KIND NAME`` (run by the core,
with the handshake cookie in the environment) serves that one component over gRPC until the core
closes the plugin's stdin. ``PLUGIN standby`` loads the runtime (gRPC, the wire layer) and waits for
one line ``KIND NAME`` on stdin, then serves that component exactly as ``start`` does: the core starts
standby processes while it reads the template, so its plugins are ready when it needs them. Components are given as classes or ``"module:Class"`` strings, imported
only when started, so a plugin holding many components starts as fast as one holding a single one.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kiln_sdk._wire.handshake import APP_PROTOCOL_VERSION, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, handshake_for

KINDS = ("builder", "provisioner", "post-processor", "datasource")
ComponentRef = str | type
Registry = Mapping[str, Mapping[str, ComponentRef]]


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
    return description


def _load(ref: ComponentRef) -> type:
    if isinstance(ref, type):
        return ref
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


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
    if len(args) == 3 and args[0] == "start":
        sys.exit(_start(components, args[1], args[2]))
    if args == ["standby"]:
        sys.exit(_standby(components))
    print(
        f"usage: {os.path.basename(sys.argv[0])} describe | start KIND NAME | standby\n"
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


def _standby(components: Registry) -> int:
    if not _cookie_ok():
        return 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import grpc  # noqa: F401 - the expensive imports happen now, while the core reads its template

    from kiln_sdk._wire import communicator, servicers  # noqa: F401

    line = sys.stdin.buffer.readline()  # unbuffered enough: the core writes exactly one line, then waits
    if not line.strip():
        return 0  # the core did not need this process
    kind, _, name = line.decode().strip().partition(" ")
    return _start(components, kind, name)


def _start(components: Registry, kind: str, name: str) -> int:
    if not _cookie_ok():
        return 1
    if kind not in KINDS or name not in components.get(kind, {}):
        known = ", ".join(f"{k} {n}" for k in KINDS for n in sorted(components.get(k, {})))
        print(f"unknown component {kind} {name!r}; this plugin has: {known}", file=sys.stderr)
        return 1
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s [%(name)s] %(message)s")
    component = _load(components[kind][name])()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the core cancels over RPC; Ctrl-C is its to handle
    directory = tempfile.mkdtemp(prefix="kiln-plugin-")  # mode 0700
    try:
        _serve_component(kind, component, os.path.join(directory, "plugin.sock"), directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def _serve_component(kind: str, component: Any, socket_path: str, directory: str) -> None:
    import grpc

    from kiln_sdk._wire import channels, servicers
    from kiln_sdk._wire.communicator import CommunicatorServicer
    from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc

    served = servicers.Served(f"unix:{socket_path}")
    server = grpc.server(ThreadPoolExecutor(max_workers=32), options=channels.OPTIONS)
    if kind == "builder":
        rpc.add_BuilderServicer_to_server(servicers.BuilderServicer(component, served), server)
    elif kind == "provisioner":
        rpc.add_ProvisionerServicer_to_server(servicers.ProvisionerServicer(component, served), server)
    elif kind == "post-processor":
        rpc.add_PostProcessorServicer_to_server(servicers.PostProcessorServicer(component, served), server)
    else:
        rpc.add_DatasourceServicer_to_server(servicers.DatasourceServicer(component, served), server)
    rpc.add_ArtifactServicer_to_server(servicers.ArtifactServicer(served), server)
    # builders hand their communicator to provisioners in other processes: serve it from here
    rpc.add_CommunicatorServicer_to_server(CommunicatorServicer(served.registry), server)
    server.add_insecure_port(served.address)
    server.start()
    stop = _stop_on_sigterm()
    sys.stdout.write(handshake_for(socket_path).line() + "\n")
    sys.stdout.flush()
    try:
        while not stop:
            if not os.read(sys.stdin.fileno(), 65536):  # the core closed our stdin: it is done with us
                break
    except (OSError, ValueError):
        pass
    server.stop(grace=2).wait()
    channels.close_all()
    shutil.rmtree(directory, ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # a handler stuck in a component must not keep the process alive: the core is done with it
    os._exit(0)


def _stop_on_sigterm() -> list[bool]:
    flag: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        flag.append(True)
        try:
            sys.stdin.close()
        except Exception:  # noqa: BLE001
            pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handler)
    return flag
