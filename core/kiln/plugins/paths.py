"""Where kiln keeps plugins, caches and configuration (Packer's rules, kiln's names).

``KILN_PLUGIN_PATH`` (colon-separated; the first entry is where installs go), else Packer's
``PACKER_PLUGIN_PATH``, else ``$XDG_CONFIG_HOME/kiln/plugins`` (``~/.config/kiln/plugins``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PREFIX = "kiln-plugin-"  # a plugin executable's name: kiln-plugin-NAME


def user_config_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "~"), ".config")
    return Path(base).expanduser() / "kiln"


def user_cache_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME", "~"), ".cache")
    return Path(base).expanduser() / "kiln"


def plugin_dirs(env: Mapping[str, str]) -> list[Path]:
    """KILN_PLUGIN_PATH, else PACKER_PLUGIN_PATH (colon-separated), else the user config dir's ``plugins``."""
    for var in ("KILN_PLUGIN_PATH", "PACKER_PLUGIN_PATH"):
        dirs = [Path(p).expanduser() for p in env.get(var, "").split(os.pathsep) if p]
        if dirs:
            return dirs
    return [user_config_dir(env) / "plugins"]
