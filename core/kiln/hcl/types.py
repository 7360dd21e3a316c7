"""Type constraint expressions (``variable { type = ... }``), as HCL's ``typeexpr`` reads them.

``string``, ``number``, ``bool``, ``any``, ``list(T)``, ``set(T)``, ``map(T)``, ``tuple([T, ...])``,
``object({name = T, ...})`` and, inside ``object``, ``optional(T)`` / ``optional(T, default)``.
``type_constraint(expr)`` gives the ``Type`` and the ``Defaults`` of its optional attributes;
``Defaults.apply(value)`` fills null optional attributes, as Terraform/Packer do before conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiln.hcl.convert import ConversionError, convert, object_type
from kiln.hcl.diagnostics import DiagnosticError, error
from kiln.hcl.evaluate import evaluate
from kiln.hcl.syntax import Expr, FunctionCall, Literal, ObjectCons, Parens, TemplateExpr, TupleCons, Variable
from kiln.hcl.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    MapType,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Value,
)

__all__ = ["Defaults", "parse_type", "type_constraint"]

_PRIMITIVES: dict[str, Type] = {"string": STRING, "number": NUMBER, "bool": BOOL, "any": DYNAMIC}
_CONSTRUCTOR_HINTS = {
    "list": "The list type constructor requires one argument specifying the element type.",
    "set": "The set type constructor requires one argument specifying the element type.",
    "map": "The map type constructor requires one argument specifying the element type.",
    "tuple": "The tuple type constructor requires one argument specifying the element types as a list.",
    "object": "The object type constructor requires one argument specifying the attribute types and values as a map.",
}
_SUMMARY = "Invalid type specification"


@dataclass(frozen=True)
class Defaults:
    """Default values of ``optional(T, default)`` attributes, per level of a type."""

    type: Type
    attrs: dict[str, Value] = field(default_factory=dict)  # this object's attribute defaults
    children: dict[str | int, Defaults] = field(default_factory=dict)  # "" = collection elements

    def apply(self, value: Value) -> Value:
        """``value`` with null/missing optional attributes replaced by their defaults (recursively)."""
        if value.is_null or not value.is_known:
            return value
        t = self.type
        if isinstance(t, ObjectType) and isinstance(value.v, dict):
            attrs = dict(value.v)
            for name, default in self.attrs.items():
                if name not in attrs or attrs[name].is_null:
                    attrs[name] = default
            for key, sub in self.children.items():
                if isinstance(key, str) and key in attrs:
                    attrs[key] = sub.apply(attrs[key])
            result = Value(object_type({k: v.type for k, v in attrs.items()}), attrs, value.marks)
            return result
        child = self.children.get("")
        if isinstance(t, ListType | SetType | MapType) and child is not None:
            if isinstance(value.v, list):
                return Value(value.type, [child.apply(v) for v in value.v], value.marks)
            if isinstance(value.v, dict):
                return Value(value.type, {k: child.apply(v) for k, v in value.v.items()}, value.marks)
        if isinstance(t, TupleType) and isinstance(value.v, list):
            items = [self.children[i].apply(v) if i in self.children else v for i, v in enumerate(value.v)]
            return Value(value.type, items, value.marks)
        return value

    @property
    def empty(self) -> bool:
        return not self.attrs and all(c.empty for c in self.children.values())


def type_constraint(expr: Expr) -> tuple[Type, Defaults]:
    """The type an expression such as ``list(object({a = optional(string, "x")}))`` denotes."""
    return _parse(expr, in_object=False)


def parse_type(expr: Expr) -> Type:
    return type_constraint(expr)[0]


def _fail(detail: str, expr: Expr) -> DiagnosticError:
    return DiagnosticError([error(_SUMMARY, detail, expr.range)])


def _keyword(expr: Expr) -> str | None:
    if isinstance(expr, Parens):
        return _keyword(expr.expr)
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, Literal) and expr.value.is_null:
        return "null"
    return None


def _parse(expr: Expr, in_object: bool) -> tuple[Type, Defaults]:
    name = _keyword(expr)
    if name is not None:
        if name in _PRIMITIVES:
            return _PRIMITIVES[name], Defaults(_PRIMITIVES[name])
        if name in _CONSTRUCTOR_HINTS:
            raise _fail(_CONSTRUCTOR_HINTS[name], expr)
        raise _fail(f'The keyword "{name}" is not a valid type specification.', expr)
    if not isinstance(expr, FunctionCall):
        raise _fail(
            "A type specification is either a primitive type keyword (bool, number, string) or a "
            "complex type constructor call, like list(string).",
            expr,
        )
    fn = expr.name
    if fn == "optional":
        raise _fail('Keyword "optional" is valid only as a modifier for object type attributes.', expr)
    if fn in _PRIMITIVES:
        raise _fail(f'Primitive type keyword "{fn}" does not expect arguments.', expr)
    if fn not in _CONSTRUCTOR_HINTS:
        raise _fail(f'Keyword "{fn}" is not a valid type constructor.', expr)
    if len(expr.args) != 1:
        raise _fail(_CONSTRUCTOR_HINTS[fn], expr)
    arg = expr.args[0]
    if fn in ("list", "set", "map"):
        elem, elem_defaults = _parse(arg, in_object)
        t: Type = {"list": ListType, "set": SetType, "map": MapType}[fn](elem)
        return t, Defaults(t, children={"": elem_defaults} if not elem_defaults.empty else {})
    if fn == "tuple":
        if not isinstance(arg, TupleCons):
            raise _fail("Tuple type constructor requires a list of element types.", arg)
        parsed = [_parse(item, in_object) for item in arg.items]
        t = TupleType(tuple(p[0] for p in parsed))
        return t, Defaults(t, children={i: p[1] for i, p in enumerate(parsed) if not p[1].empty})
    if not isinstance(arg, ObjectCons):
        raise _fail(
            "Object type constructor requires a map whose keys are attribute names and whose values "
            "are the corresponding attribute types.",
            arg,
        )
    return _object(arg)


def _object(arg: ObjectCons) -> tuple[Type, Defaults]:
    attrs: dict[str, Type] = {}
    optional: set[str] = set()
    defaults: dict[str, Value] = {}
    children: dict[str | int, Defaults] = {}
    for item in arg.items:
        key = item.key
        if isinstance(key, TemplateExpr) and len(key.parts) == 1:
            key = key.parts[0]
        if not (isinstance(key, Literal) and isinstance(key.value.v, str)):
            raise _fail("Object constructor map keys must be attribute names.", item.key)
        name = key.value.v
        value = item.value
        if isinstance(value, FunctionCall) and value.name == "optional":
            if not 1 <= len(value.args) <= 2:
                raise _fail(
                    "Optional attribute modifier requires the attribute type as its first argument "
                    "and an optional default value as its second.",
                    value,
                )
            attr_t, attr_defaults = _parse(value.args[0], True)
            optional.add(name)
            if len(value.args) == 2:
                defaults[name] = _default(value.args[1], attr_t)
        else:
            attr_t, attr_defaults = _parse(value, True)
        attrs[name] = attr_t
        if not attr_defaults.empty:
            children[name] = attr_defaults
    t = object_type(attrs, frozenset(optional))
    return t, Defaults(t, defaults, children)


def _default(expr: Expr, want: Type) -> Value:
    value = evaluate(expr, None)
    try:
        return convert(value, want)
    except ConversionError as err:
        raise DiagnosticError(
            [
                error(
                    "Invalid default value for optional attribute",
                    f"This default value is not compatible with the "
                    f"attribute's type constraint: {err.message}.",
                    expr.range,
                )
            ]
        ) from None
