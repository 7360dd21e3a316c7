"""kiln's config file: where plugins are installed from, and which signing keys kiln trusts.

The file is HCL, ``$KILN_CONFIG_FILE`` or ``config.hcl`` in kiln's config folder (``~/.config/kiln``)::

    plugin_installation {                 # Terraform's CLI-config model: tried in this order
      filesystem_mirror {
        path    = "/srv/kiln-plugins"     # a folder in the registry layout (relative: to this file)
        include = ["example.com/*/*"]     # sources this method serves (default: all)
        exclude = []                      # sources it never serves
      }
      network_mirror {
        url     = "https://plugins.example.com/"   # http(s):// or file://
      }
      direct {}                           # the public kiln registry: there is none yet
    }

    trusted_key "example.com/example" {   # releases of this namespace must be signed by this key
      public_key = "ed25519:bRsT..."
    }

``KILN_PLUGIN_MIRROR=URL`` is the one-variable shortcut: every source from that mirror (it replaces the
``plugin_installation`` block; the trusted keys still apply). Without either, the only method is ``direct``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from kiln_sdk import registry

from kiln.hcl import syntax as syn
from kiln.plugins.discovery import user_config_dir

FILENAME = "config.hcl"
KINDS = ("filesystem_mirror", "network_mirror", "direct")
MIRROR_VARIABLE = "KILN_PLUGIN_MIRROR"


class ConfigFileError(Exception):
    """A mistake in the config file; the message starts with ``file:line:col``."""


@dataclass(frozen=True)
class Method:
    """One installation method: where it reads (a registry-layout URL; none for ``direct``), and which
    sources it serves."""

    kind: str
    url: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    where: str = ""  # for messages: "config.hcl:3:3" or "KILN_PLUGIN_MIRROR"

    def serves(self, source: str) -> bool:
        if self.include and not any(_match(p, source) for p in self.include):
            return False
        return not any(_match(p, source) for p in self.exclude)

    def __str__(self) -> str:
        return f"{self.kind} {self.url}".rstrip() + (f" ({self.where})" if self.where else "")


@dataclass
class CliConfig:
    path: Path | None  # the file read, None when there is none
    location: Path | None = None  # where kiln looks for it (for messages)
    methods: list[Method] = field(default_factory=list)
    trusted_keys: dict[str, list[str]] = field(default_factory=dict)  # "HOST/NAMESPACE" -> keys

    def methods_for(self, source: str) -> list[Method]:
        return [m for m in self.methods if m.serves(source)]

    def keys_for(self, source: registry.Source) -> list[str]:
        return self.trusted_keys.get(source.namespace_path, [])


def _match(pattern: str, source: str) -> bool:
    """Terraform's patterns: ``HOST/NAMESPACE/NAME``, where a segment may be ``*`` (or contain ``*``)."""
    want, got = pattern.split("/"), source.split("/")
    if len(want) != len(got):
        return False
    return all(re.fullmatch(re.escape(w).replace(r"\*", "[^/]*"), g) for w, g in zip(want, got, strict=True))


def config_path(env: Mapping[str, str]) -> Path:
    configured = env.get("KILN_CONFIG_FILE")
    return Path(configured).expanduser() if configured else user_config_dir(env) / FILENAME


def file_url(path: Path) -> str:
    return "file://" + quote(str(path.resolve())) + "/"


def mirror_url(text: str, where: str) -> str:
    """A mirror's base URL, ending in ``/``; ConfigFileError for a scheme kiln cannot read."""
    scheme = urlsplit(text).scheme
    if scheme not in ("http", "https", "file"):
        raise ConfigFileError(f"{where}: {text!r} is not an http://, https:// or file:// URL")
    return text if text.endswith("/") else text + "/"


def load(env: Mapping[str, str] | None = None) -> CliConfig:
    env = os.environ if env is None else env
    path = config_path(env)
    config = CliConfig(path if path.is_file() else None, path)
    if config.path is not None:
        _read(config.path, config)
    elif env.get("KILN_CONFIG_FILE"):
        raise ConfigFileError(f"{path}: KILN_CONFIG_FILE names a file that does not exist")
    shortcut = env.get(MIRROR_VARIABLE)
    if shortcut:
        config.methods = [Method("network_mirror", mirror_url(shortcut, MIRROR_VARIABLE), where=MIRROR_VARIABLE)]
    elif not config.methods:
        config.methods = [Method("direct", "", where="the default")]
    return config


def _at(r: syn.Range) -> str:
    return f"{r.filename}:{r.start.line}:{r.start.column}"


def _read(path: Path, config: CliConfig) -> None:
    from kiln.template.hclapi import parse_file

    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"{path}: cannot read kiln's config file: {exc}") from None
    body, diags = parse_file(text, str(path))
    if body is None or diags:
        raise ConfigFileError("\n".join(str(d) for d in diags) or f"{path}: not an HCL file")
    if body.attributes:
        a = body.attributes[0]
        raise ConfigFileError(f"{_at(a.name_range)}: unsupported argument {a.name!r}: kiln's config file has the "
                              "blocks plugin_installation and trusted_key")
    for block in body.blocks:
        if block.type == "plugin_installation":
            _no_labels(block)
            if config.methods:
                raise ConfigFileError(f"{_at(block.type_range)}: duplicate plugin_installation block: write one")
            config.methods = [_method(b, path) for b in _only_blocks(block, KINDS)]
        elif block.type == "trusted_key":
            config.trusted_keys.setdefault(_namespace(block), []).append(_trusted_key(block))
        else:
            raise ConfigFileError(f"{_at(block.type_range)}: unsupported block type {block.type!r}: kiln's config "
                                  "file has the blocks plugin_installation and trusted_key")


def _no_labels(block: syn.Block) -> None:
    if block.labels:
        raise ConfigFileError(f"{_at(block.label_ranges[0])}: a {block.type} block has no labels")


def _only_blocks(block: syn.Block, kinds: tuple[str, ...]) -> tuple[syn.Block, ...]:
    if block.body.attributes:
        a = block.body.attributes[0]
        raise ConfigFileError(f"{_at(a.name_range)}: unsupported argument {a.name!r} in {block.type}: it holds the "
                              f"blocks {', '.join(kinds)}")
    for b in block.body.blocks:
        if b.type not in kinds:
            raise ConfigFileError(f"{_at(b.type_range)}: unsupported block type {b.type!r} in {block.type}: use "
                                  f"{', '.join(kinds)}")
    return block.body.blocks


def _value(attr: syn.Attribute) -> object:
    from kiln.hcl.values import Value
    from kiln.template.hclapi import eval_expr

    value, diags = eval_expr(attr.expr, None)
    if diags:
        raise ConfigFileError("\n".join(str(d) for d in diags))

    def plain(v: Value) -> object:
        if isinstance(v.v, list):
            return [plain(e) for e in v.v]
        return v.v

    return plain(value)


def _attrs(block: syn.Block, allowed: dict[str, str]) -> dict[str, object]:
    """The block's arguments, each checked against its kind (``string`` or ``list``)."""
    if block.body.blocks:
        b = block.body.blocks[0]
        raise ConfigFileError(f"{_at(b.type_range)}: unsupported block type {b.type!r} in {block.type}")
    out: dict[str, object] = {}
    for attr in block.body.attributes:
        kind = allowed.get(attr.name)
        if kind is None:
            raise ConfigFileError(f"{_at(attr.name_range)}: unsupported argument {attr.name!r} in {block.type}; "
                                  f"it takes {', '.join(sorted(allowed)) or 'no arguments'}")
        value = _value(attr)
        ok = isinstance(value, str) if kind == "string" else (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
        if not ok:
            raise ConfigFileError(f"{_at(attr.expr.range)}: {attr.name} must be a "
                                  f"{'string' if kind == 'string' else 'list of strings'}")
        out[attr.name] = value
    return out


def _patterns(block: syn.Block, attrs: dict[str, object], name: str) -> tuple[str, ...]:
    value = attrs.get(name, [])
    patterns = tuple(str(p) for p in value) if isinstance(value, list) else ()
    for p in patterns:
        if len(p.split("/")) != 3 or not all(p.split("/")):
            attr = block.body.attribute(name)
            where = _at(attr.expr.range) if attr else _at(block.type_range)
            raise ConfigFileError(f"{where}: {p!r} is not a source pattern: write HOST/NAMESPACE/NAME, where a "
                                  "part may be * (example.com/*/*)")
    return patterns


def _method(block: syn.Block, path: Path) -> Method:
    where = _at(block.type_range)
    _no_labels(block)
    if block.type == "direct":
        attrs = _attrs(block, {"include": "list", "exclude": "list"})
        url = ""
    elif block.type == "filesystem_mirror":
        attrs = _attrs(block, {"path": "string", "include": "list", "exclude": "list"})
        if "path" not in attrs:
            raise ConfigFileError(f"{where}: filesystem_mirror needs path, the folder of the mirror")
        folder = Path(str(attrs["path"])).expanduser()
        url = file_url(folder if folder.is_absolute() else path.parent / folder)
    else:
        attrs = _attrs(block, {"url": "string", "include": "list", "exclude": "list"})
        if "url" not in attrs:
            raise ConfigFileError(f"{where}: network_mirror needs url, the mirror's base URL")
        url = mirror_url(str(attrs["url"]), where)
    return Method(block.type, url, _patterns(block, attrs, "include"), _patterns(block, attrs, "exclude"), where)


def _namespace(block: syn.Block) -> str:
    if len(block.labels) != 1 or len(block.labels[0].split("/")) != 2:
        where = _at(block.label_ranges[0]) if block.labels else _at(block.type_range)
        raise ConfigFileError(f'{where}: a trusted_key block has one label, the namespace: trusted_key '
                              '"example.com/example" { public_key = "ed25519:..." }')
    return block.labels[0]


def _trusted_key(block: syn.Block) -> str:
    attrs = _attrs(block, {"public_key": "string"})
    if "public_key" not in attrs:
        raise ConfigFileError(f"{_at(block.type_range)}: trusted_key needs public_key = \"ed25519:...\"")
    try:
        return registry.check_public_key(str(attrs["public_key"]))
    except ValueError as exc:
        attr = block.body.attribute("public_key")
        raise ConfigFileError(f"{_at(attr.expr.range) if attr else _at(block.type_range)}: {exc}") from None
