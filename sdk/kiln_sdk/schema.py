"""Config schemas as plain data: what the core needs to decode a template body for a component."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Nesting = Literal["single", "list"]


@dataclass(frozen=True)
class Attribute:
    """One attribute of a config block: its HCL type, whether it is required or sensitive, its doc and
    default."""

    name: str
    type: str  # an HCL type expression: string, number, bool, list(string), map(string), any, ...
    required: bool = False
    sensitive: bool = False
    description: str = ""
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class Block:
    """A nested block type of a config (``nesting``: one block, or a list of them)."""

    type_name: str
    schema: Schema
    nesting: Nesting = "single"
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Schema:
    """The schema of a config (or a data source's output): attributes and nested blocks, made from a
    config dataclass by ``schema_of``; the core decodes HCL and JSON templates with it."""

    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[Block, ...] = ()
    description: str = ""
    # Packer-wide settings every component accepts and ignores (e.g. "type" in legacy JSON)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def attribute(self, name: str) -> Attribute | None:
        """The attribute ``name``, or None."""
        return next((a for a in self.attributes if a.name == name), None)

    def block(self, name: str) -> Block | None:
        """The nested block type ``name``, or None."""
        return next((b for b in self.blocks if b.type_name == name), None)

    def to_json(self) -> dict[str, Any]:
        """The schema as JSON-ready data (what ``describe`` prints)."""
        return {
            "description": self.description,
            "attributes": [
                {
                    "name": a.name, "type": a.type, "required": a.required, "sensitive": a.sensitive,
                    "description": a.description, "default": a.default, "has_default": a.has_default,
                }
                for a in self.attributes
            ],
            "blocks": [
                {"type_name": b.type_name, "nesting": b.nesting, "required": b.required,
                 "description": b.description, "schema": b.schema.to_json()}
                for b in self.blocks
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schema:
        """The schema ``to_json`` wrote."""
        return cls(
            attributes=tuple(Attribute(**a) for a in data.get("attributes", [])),
            blocks=tuple(
                Block(b["type_name"], cls.from_json(b["schema"]), b.get("nesting", "single"),
                      b.get("required", False), b.get("description", ""))
                for b in data.get("blocks", [])
            ),
            description=data.get("description", ""),
        )
