"""The bundled plugin's process, started before kiln knows it needs it.

Starting a Python plugin process costs about as much as kiln's own start (the interpreter, gRPC).
``kiln build`` and ``kiln validate`` spawn the bundled plugin's process (``PLUGIN serve``) first thing,
so it loads while the core loads and evaluates the template; the plugin host then uses it as the
run's one process of the bundled plugin. Unused, it exits when kiln closes its stdin.
``KILN_PLUGIN_STANDBY=0`` disables it (bench/bench_build.py measures what it saves).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kiln_sdk.host import PluginProcess, PluginStartError

DEFAULT_STANDBY = 1


def start_standby(env: Mapping[str, str] | None = None) -> list[PluginProcess]:
    env = os.environ if env is None else env
    try:
        count = int(env.get("KILN_PLUGIN_STANDBY", DEFAULT_STANDBY))
    except ValueError:
        count = DEFAULT_STANDBY
    if count <= 0:
        return []
    from kiln.plugins.discovery import BUNDLED_COMMAND

    try:  # discovery checks that the bundled plugin is there; the plugin host reports it when a template needs it
        return [PluginProcess(BUNDLED_COMMAND, label="bundled plugin", env=env).spawn()]
    except PluginStartError:
        return []
