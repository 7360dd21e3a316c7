"""Bundled plugin processes started before kiln knows what it needs.

Starting a Python plugin process costs about as much as kiln's own start (the interpreter, gRPC).
``kiln build`` and ``kiln validate`` start a few standby processes of the bundled plugin first thing,
so they load while the core loads and evaluates the template; the plugin host then assigns them
components (``PLUGIN standby`` reads one ``KIND NAME`` line) before starting any new process.
Unused ones exit when kiln closes their stdin. ``KILN_PLUGIN_STANDBY`` sets how many (0 disables).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kiln_sdk._wire.process import PluginProcess, PluginStartError

DEFAULT_STANDBY = 2


def start_standby(env: Mapping[str, str] | None = None) -> list[PluginProcess]:
    env = os.environ if env is None else env
    try:
        count = int(env.get("KILN_PLUGIN_STANDBY", DEFAULT_STANDBY))
    except ValueError:
        count = DEFAULT_STANDBY
    if count <= 0:
        return []
    from kiln.plugins.discovery import DiscoveryError, bundled

    try:
        command = bundled().command
        return [PluginProcess.standby(command, env) for _ in range(count)]
    except (DiscoveryError, PluginStartError):
        return []  # the plugin host reports a missing bundled plugin when a template needs one
