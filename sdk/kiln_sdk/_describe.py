"""What ``PLUGIN describe`` tells about each component beyond its name: its description and the
schema of its config (and, for a data source, of its output), derived from the dataclasses.

``kiln-sdk docs`` renders these into each component's Markdown reference; the core may read them
without starting the plugin again.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Any

from kiln_sdk.config import schema_of

KIND_KEYS = {"builder": "builders", "provisioner": "provisioners", "post-processor": "post_processors",
             "datasource": "datasources"}


def load_component(ref: str | type) -> type:
    """The component class ``ref`` names (a class, or ``"module:Class"``)."""
    if isinstance(ref, type):
        return ref
    module, _, attr = ref.partition(":")
    value = getattr(importlib.import_module(module), attr)
    if not isinstance(value, type):
        raise TypeError(f"{ref} is not a class")
    return value


def component_doc(cls: type) -> str:
    """A component's description: its ``description`` attribute, else its class docstring."""
    text = getattr(cls, "description", "") or ""
    if not text and cls.__doc__ and cls.__dict__.get("__doc__"):
        text = inspect.cleandoc(cls.__doc__)
    return str(text).strip()


def describe_component(ref: str | type) -> dict[str, Any]:
    """``{"description", "config"[, "output"]}`` of one component; ``{"error"}`` if it cannot load."""
    try:
        cls = load_component(ref)
        entry: dict[str, Any] = {"description": component_doc(cls)}
        config = getattr(cls, "Config", None)
        entry["config"] = schema_of(config).to_json() if isinstance(config, type) else None
        output = getattr(cls, "Output", None)
        if isinstance(output, type):
            entry["output"] = schema_of(output).to_json()
        return entry
    except Exception as exc:  # noqa: BLE001 - one broken component must not hide the others
        return {"error": f"{type(exc).__name__}: {exc}"}


def describe_components(components: Mapping[str, Mapping[str, str | type]]) -> dict[str, dict[str, Any]]:
    """Per kind key (``builders``, ...), each component's entry (see :func:`describe_component`)."""
    return {
        key: {name: describe_component(ref) for name, ref in sorted(components.get(kind, {}).items())}
        for kind, key in KIND_KEYS.items()
    }
