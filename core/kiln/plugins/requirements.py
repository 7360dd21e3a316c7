"""What a template requires: ``packer { required_plugins { NAME = { source, version } } }``.

Decoded with Packer's (>= 1.7) rules and messages: every entry must be an object with a ``version``
constraint (HashiCorp syntax, ``kiln.plugins.constraints``) and a ``source`` ``HOST/NAMESPACE/NAME``
(namespace and name are DNS-label-like: letters, digits and single dashes, normalised to lower case,
and the name may not start with ``packer-``); the string form ``NAME = ">= 1"`` is an error; a local
name may be declared once across all ``required_plugins`` blocks. Unlike Packer 1.7, which keeps the
host as written, kiln compares sources with the host lower-cased (IDNA-normalised), as Terraform does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiln.hcl.diagnostics import ERROR, HclDiagnostic
from kiln.hcl.syntax import Range
from kiln.hcl.values import ObjectType, Primitive, Value
from kiln.plugins.constraints import (
    Constraint,
    ConstraintError,
    Constraints,
    Version,
    newest_allowed,
    parse_constraints,
    parse_version,
)

if TYPE_CHECKING:
    from kiln.template.body import Blk

__all__ = ["Constraint", "ConstraintError", "Constraints", "Requirement", "SourceError", "Version",
           "decode_required_plugins", "newest_allowed", "parse_constraints", "parse_source", "parse_version"]

DOCS = "https://www.packer.io/docs/templates/hcl_templates/blocks/packer"
_LABEL = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")


@dataclass(frozen=True)
class Requirement:
    """One entry of ``required_plugins``."""

    name: str  # the local name (``amazon``)
    source: str  # normalised ``host/namespace/name``, host in lower case
    constraints: Constraints
    range: Range | None = None  # the entry's value in the template

    @property
    def version(self) -> str:
        """The constraints as written (go-version's String)."""
        return str(self.constraints)

    @property
    def plugin_name(self) -> str:
        return self.source.rsplit("/", 1)[-1]


class SourceError(ValueError):
    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail


def parse_part(given: str) -> str:
    """A namespace or name as Packer's ParsePluginPart: one DNS label, case-folded; ValueError if invalid."""
    if not given:
        raise ValueError("must have at least one character")
    if "." in given:
        raise ValueError("dots are not allowed")
    if "--" in given:
        raise ValueError("cannot use multiple consecutive dashes")
    normal = unicodedata.normalize("NFKC", given).lower()
    ascii_form = normal
    if not normal.isascii():
        try:
            ascii_form = normal.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_form = "-"
    if not _LABEL.match(ascii_form.removeprefix("xn--")):
        raise ValueError("must contain only letters, digits, and dashes, and may not use leading or trailing dashes")
    return normal


def parse_host(given: str) -> str:
    host, sep, port = given.partition(":")
    if sep and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(f"invalid port {port!r}")
    normal = []
    for label in host.split("."):
        if label.isascii():
            normal.append(parse_part(label) if not label.lower().startswith("xn--") else label.lower())
            continue
        try:
            normal.append(label.encode("idna").decode("idna"))
        except UnicodeError:
            raise ValueError(f"{label!r} is not a valid host name label") from None
    return ".".join(normal) + (f":{port}" if sep else "")


def parse_source(text: str) -> str:
    """``HOST/NAMESPACE/NAME`` normalised; raises SourceError with Packer's summary and detail."""
    parts = text.split("/")
    if len(parts) != 3 or any(p == "" for p in parts):
        raise SourceError("Invalid plugin source string",
                          'The "source" attribute must be in the format "hostname/namespace/name"')
    host, namespace, name = parts
    try:
        name = parse_part(name)
    except ValueError as err:
        raise SourceError("Invalid plugin type", f'Invalid plugin type "{parts[2]}" in source "{text}": {err}') from None
    try:
        namespace = parse_part(namespace)
    except ValueError as err:
        raise SourceError("Invalid plugin namespace",
                          f'Invalid plugin namespace "{parts[1]}" in source "{text}": {err}') from None
    try:
        host = parse_host(host)
    except ValueError as err:
        raise SourceError("Invalid plugin source hostname",
                          f'Invalid plugin source hostname "{parts[0]}" in source "{text}": {err}') from None
    source = f"{host}/{namespace}/{name}"
    if name.startswith("packer-"):
        suggested = name[len("packer-plugin-"):] if name.startswith("packer-plugin-") else ""
        try:
            if suggested:
                parse_part(suggested)
        except ValueError:
            suggested = ""
        if suggested:
            raise SourceError("Invalid plugin type", f'Plugin source "{source}" has a type with the prefix '
                              '"packer-plugin-", which isn\'t valid. Although that prefix is often used in the '
                              "names of version control repositories for Packer plugins, plugin source strings "
                              f'should not include it.\n\nDid you mean "{host}/{namespace}/{suggested}"?')
        raise SourceError("Invalid plugin type", f'Plugin source "{source}" has a type with the prefix "packer-", '
                          "which isn't allowed because it would be redundant to name a Packer plugin with that "
                          "prefix. If you are the author of this plugin, rename it to not include the prefix.")
    return source


def error(summary: str, detail: str, subject: Range | None, context: Range | None = None) -> HclDiagnostic:
    return HclDiagnostic(ERROR, summary, detail, subject, context)


def _range_text(r: Range) -> str:
    """hcl.Range's String: ``file:line,col-col`` (or ``file:line,col-line,col``)."""
    if r.start.line == r.end.line:
        return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.column}"
    return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.line},{r.end.column}"


def _check_local_name(name: str, where: Range, diags: list[HclDiagnostic]) -> None:
    try:
        normal = parse_part(name)
    except ValueError as err:
        diags.append(error("Invalid plugin local name", f"{name} is an invalid plugin local name: {err}", where))
        return
    if normal != name:
        diags.append(error("Invalid plugin local name", f'Plugin names must be normalized. Replace "{name}" with '
                           f'"{normal}" to fix this error.', where))


def _decode_entry(name: str, attr_range: Range, expr_range: Range, val: Value,
                  diags: list[HclDiagnostic]) -> Requirement | None:
    if isinstance(val.type, Primitive):
        shown = "version"
        if val.is_known and isinstance(val.v, str):
            try:
                shown = str(parse_constraints(val.v))
            except ConstraintError:
                pass
        diags.append(error("Invalid plugin requirement", f"'{name} = \"{shown}\"' plugin requirement calls are not "
                           "possible. You must define a whole block. For example:\n"
                           f"{name} = {{\n  source  = github.com/hashicorp/{name}\n  version = {shown}\n}}",
                           attr_range))
        return None
    if not isinstance(val.type, ObjectType) or not isinstance(val.v, dict):
        diags.append(error("Invalid required_plugins syntax", "required_plugins entries must be objects.", expr_range))
        return None
    fields = val.v
    if "version" not in fields:
        diags.append(error("No version constraint was set", "The version field must be specified as a string. Ex: "
                           f'`version = ">= 1.2.0, < 2.0.0". See {DOCS}#version-constraints for docs', expr_range))
        return None
    version = fields["version"]
    if not isinstance(version.type, Primitive) or version.type.name != "string" or not isinstance(version.v, str):
        diags.append(error("Invalid version constraint", "Version must be specified as a string. See "
                           f"{DOCS}#version-constraint-syntax for docs.", expr_range))
        return None
    try:
        constraints = parse_constraints(version.v)
    except ConstraintError as err:
        diags.append(error("Invalid version constraint", "This string does not use correct version constraint "
                           f"syntax. See {DOCS}#version-constraint-syntax for docs.\n{err}", expr_range))
        return None
    if "source" not in fields:
        diags.append(error("No source was set", "The source field must be specified as a string. Ex: "
                           f'`source = "coolcloud". See {DOCS}#specifying-plugin-requirements for docs', expr_range))
        return None
    source = fields["source"]
    if not isinstance(source.type, Primitive) or source.type.name != "string" or not isinstance(source.v, str):
        diags.append(error("Invalid source", 'Source must be specified as a string. For example: source = "coolcloud"',
                           expr_range))
        return None
    try:
        normal = parse_source(source.v)
    except SourceError as err:
        diags.append(error(err.summary, err.detail, expr_range))
        return None
    if set(fields) - {"version", "source"}:
        diags.append(error("Invalid required_plugins object",
                           'required_plugins objects can only contain "version" and "source" attributes.', expr_range))
    return Requirement(name, normal, constraints, expr_range)


def decode_required_plugins(blocks: list[Blk], diags: list[HclDiagnostic]) -> dict[str, Requirement]:
    """Every ``required_plugins`` block of every ``packer`` block, by local name; errors into ``diags``."""
    from kiln.template.hclapi import eval_expr  # not at the top: kiln.template imports this module
    found: dict[str, Requirement] = {}
    for blk in blocks:
        content = blk.body.content({})
        diags += content.diagnostics
        for name, attr in content.attributes.items():
            val, d = eval_expr(attr.expr, None)
            diags += d
            _check_local_name(name, attr.expr.range, diags)
            if d:
                continue
            req = _decode_entry(name, attr.range, attr.expr.range, val, diags)
            if req is None:
                continue
            seen = found.get(name)
            if seen is not None and seen.range is not None:
                diags.append(error(
                    f'Duplicate required_plugin."{name}" block',
                    f'Block previously seen at {_range_text(seen.range)} is already named "{name}".\n'
                    "Names at the left hand side of required_plugins are made available to use in your HCL2 "
                    "configurations.\nTo allow to calling to their features correctly two plugins have to have "
                    "different accessors.", attr.expr.range, attr.expr.range))
                continue
            found[name] = req
    return found
