"""Packer's legacy template functions (``{{user `x`}}``, ``{{isotime}}``, ``{{build `ID`}}``...).

``FuncContext`` is Packer's ``interpolate.Context``: which user variables are known, whether ``env``
is allowed (only in the ``variables`` section), the build's name and type, the template's path and,
at provision time, the builder's generated data.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kiln_sdk.gotemplate import Context, FuncError, Unresolved
from kiln_sdk.gotime import RFC3339, go_format

from kiln.template.legacy.secret_funcs import secret_funcs
from kiln.template.model import PACKER_COMPAT_VERSION

INIT_TIME = datetime.now(UTC)
"""Packer's ``InitTime``: one instant per run, behind ``timestamp`` and ``isotime``."""

PLACEHOLDER_MSG = "To set this dynamically in the Packer template, you must use the `build` function"


BASIC_BUILD_KEYS = frozenset({"ID", "Host", "Port", "User", "Password", "ConnType", "PackerRunUUID",
                              "PackerHTTPAddr", "SSHPublicKey", "SSHPrivateKey", "WinRMPassword"})
"""The generated data every build has (Packer's BasicPlaceholderData); a builder may add more."""


def placeholder(key: str) -> str:
    """What ``{{build `KEY`}}`` renders to before the build runs (Packer's BasicPlaceholderData)."""
    return f"Build_{key}. {PLACEHOLDER_MSG}"


@dataclass
class FuncContext:
    user_variables: Mapping[str, str] | None = None
    enable_env: bool = False  # the variables section: env allowed, unset user variables are errors
    build_name: str = ""
    build_type: str = ""
    template_path: str = ""
    generated: Mapping[str, str] | None = None  # None: before the build, `build` gives placeholders
    defer_build: bool = False  # leave `{{build ...}}` as written (for a later render)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    init_time: datetime = field(default_factory=lambda: INIT_TIME)


def time_ordered_uuid(now: float | None = None) -> str:
    """Packer's uuid.TimeOrderedUUID: the Unix time, then random bytes, as 8-4-4-4-12 hex."""
    unix = int(now if now is not None else time.time()) & 0xFFFFFFFF
    b = secrets.token_bytes(12)
    return f"{unix:08x}-{b[0:2].hex()}-{b[2:4].hex()}-{b[4:6].hex()}-{b[6:8].hex()}{b[8:].hex()}"


_CLEAN = re.compile(r"[^a-z0-9]")


def clean_resource_name(name: str) -> str:
    """Lower-case, every character other than ``a-z0-9`` becomes ``-`` (the googlecompute builder's rule).

    In Packer 1.6.6 this function exists only inside the builders that define it (amazon, azure,
    googlecompute..., each with its own rule); kiln offers it in every component.
    """
    return _CLEAN.sub("-", name.lower())


def packer_funcs(fc: FuncContext) -> dict[str, Callable[..., Any]]:
    """The function map of one interpolation context."""

    def user(k: str) -> str:
        if fc.user_variables is None:
            return fc.env.get(k, "")
        if k not in fc.user_variables:
            if fc.enable_env:
                raise FuncError(f"Error: variable not set: {k}")
            return ""
        return fc.user_variables[k]

    def env(k: str) -> str:
        if not fc.enable_env:
            raise FuncError("env vars are not allowed here")
        return fc.env.get(k, "")

    def isotime(*layout: str) -> str:
        if len(layout) > 1:
            raise FuncError("too many values, 1 needed: " + ", ".join(layout))
        return go_format(fc.init_time, layout[0] if layout else RFC3339)

    def build_name() -> str:
        if not fc.build_name:
            raise FuncError("build_name not available")
        return fc.build_name

    def build_type() -> str:
        if not fc.build_type:
            raise FuncError("build_type not available")
        return fc.build_type

    def template_dir() -> str:
        if not fc.template_path:
            raise FuncError("template path not available")
        return os.path.dirname(os.path.abspath(fc.template_path))

    def split(k: str, s: str, i: int) -> str:
        parts = k.split(s) if s else list(k)
        if i >= len(parts) or i < 0:
            raise FuncError(f"the substring {i} was unavailable using the separator value, {s}, "
                            f"only {len(parts)} values were found")
        return parts[i]

    def replace(old: str, new: str, n: int, src: str) -> str:
        return src.replace(old, new, n if n >= 0 else -1)

    def build(key: str) -> str:
        if fc.defer_build:
            raise Unresolved(key)
        if fc.generated is None:
            # Before the build Packer knows the basic keys and the builder's own; kiln cannot see the
            # builder's list here, so any key gets a placeholder and a wrong one fails at provision time.
            return placeholder(key)
        if key in fc.generated:
            return fc.generated[key]
        if key in BASIC_BUILD_KEYS:
            return "<no value>"  # Packer: the key is there, with no value (e.g. Host without a communicator)
        raise FuncError(f"loaded data, but couldnt find {key} in it.")

    def replace_all(old: str, new: str, src: str) -> str:
        return src.replace(old, new)

    def upper(s: str) -> str:
        return s.upper()

    def lower(s: str) -> str:
        return s.lower()

    def clean(name: str) -> str:
        return clean_resource_name(name)

    def strftime(layout: str) -> str:
        return fc.init_time.strftime(layout)

    def sed(expression: str, src: str) -> str:
        raise FuncError("template function `sed` is deprecated use `replace` or `replace_all` instead."
                        "Documentation: https://www.packer.io/docs/templates/engine")

    return {
        **secret_funcs(fc.env, fc.enable_env),
        "build": build,
        "build_name": build_name,
        "build_type": build_type,
        "clean_resource_name": clean,
        "env": env,
        "isotime": isotime,
        "lower": lower,
        "packer_version": lambda: PACKER_COMPAT_VERSION,
        "pwd": os.getcwd,
        "replace": replace,
        "replace_all": replace_all,
        "sed": sed,
        "split": split,
        "strftime": strftime,
        "template_dir": template_dir,
        "timestamp": lambda: str(int(fc.init_time.timestamp())),
        "upper": upper,
        "user": user,
        "uuid": time_ordered_uuid,
    }


def template_context(fc: FuncContext, *, keep_fields: bool = True) -> Context:
    """A gotemplate context for the core: Packer's functions; ``{{.Field}}`` left for the plugin."""
    return Context(data=None, funcs=packer_funcs(fc), missing_field="keep" if keep_fields else "no_value")
