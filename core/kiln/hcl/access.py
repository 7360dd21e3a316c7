"""Attribute and index access (``hcl.GetAttr`` / ``hcl.Index``), name suggestions, and the
"with x as 1" variable descriptions HCL adds to evaluation diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kiln.hcl.convert import ConversionError, convert, strip_marks
from kiln.hcl.format import go_quote
from kiln.hcl.numbers import go_float_g
from kiln.hcl.references import traversal_exprs
from kiln.hcl.syntax import Expr
from kiln.hcl.values import (
    DYNAMIC,
    NUMBER,
    SENSITIVE,
    STRING,
    Dynamic,
    ListType,
    MapType,
    ObjectType,
    TupleType,
    Value,
    unknown,
)


class AccessError(Exception):
    def __init__(self, summary: str, detail: str) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail


def _marked(result: Value, *sources: Value) -> Value:
    marks = set().union(*(s.marks for s in sources))
    return result.mark(*marks) if marks else result


def get_attr(obj: Value, name: str) -> Value:
    if obj.is_null:
        raise AccessError(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
        )
    t = obj.type
    if isinstance(t, ObjectType):
        types = t.attr_types()
        if name not in types:
            raise AccessError(
                "Unsupported attribute", f'This object does not have an attribute named "{name}".'
            )
        if not obj.is_known:
            return _marked(unknown(types[name]), obj)
        return _marked(obj.v[name], obj)
    if isinstance(t, MapType):
        if not obj.is_known:
            return _marked(unknown(t.elem), obj)
        if name not in obj.v:
            raise AccessError(
                "Missing map element", f'This map does not have an element with the key "{name}".'
            )
        return _marked(obj.v[name], obj)
    if isinstance(t, Dynamic):
        return _marked(unknown(DYNAMIC), obj)
    raise AccessError("Unsupported attribute", "This value does not have any attributes.")


_NO_ELEMENT = "The given key does not identify an element in this collection value"


def index(coll: Value, key: Value) -> Value:
    if coll.is_null:
        raise AccessError(
            "Attempt to index null value", "This value is null, so it does not have any indices."
        )
    if key.is_null:
        raise AccessError("Invalid index", "Can't use a null value as an indexing key.")
    t = coll.type
    if isinstance(key.type, Dynamic) or isinstance(t, Dynamic):
        return _marked(unknown(DYNAMIC), coll, key)
    if isinstance(t, ListType | TupleType | MapType | ObjectType):
        want = NUMBER if isinstance(t, ListType | TupleType) else STRING
        try:
            key = convert(key, want)
        except ConversionError as err:
            raise AccessError("Invalid index", f"{_NO_ELEMENT}: {err.message}.") from None
        if not coll.is_known or not key.is_known:
            if isinstance(t, ListType | MapType):
                return _marked(unknown(t.elem), coll, key)
            if isinstance(t, ObjectType) or not key.is_known:
                return _marked(unknown(DYNAMIC), coll, key)
        if want == NUMBER:
            n: Decimal = key.v
            if not n.is_finite() or n != n.to_integral_value():
                raise AccessError(
                    "Invalid index",
                    f"{_NO_ELEMENT}: indexing a sequence requires a whole number, but the given index "
                    f"({_go_g(n)}) has a fractional part.",
                )
            if not coll.is_known:
                return _marked(
                    unknown(
                        t.elems[int(n)] if isinstance(t, TupleType) and 0 <= n < len(t.elems) else DYNAMIC
                    ),
                    coll,
                    key,
                )
            if not 0 <= n < len(coll.v):
                raise AccessError("Invalid index", f"{_NO_ELEMENT}.")
            return _marked(coll.v[int(n)], coll, key)
        if key.v not in coll.v:
            raise AccessError("Invalid index", f"{_NO_ELEMENT}.")
        return _marked(coll.v[key.v], coll, key)
    # a set has no indices (Packer 1.6.6's HCL says so generically; later versions explain sets)
    raise AccessError("Invalid index", "This value does not have any indices.")


def _go_g(n: Decimal, digits: int | None = None) -> str:
    """Go's ``%g`` of a big.Float (shortest, or ``digits`` significant digits)."""

    if n.is_infinite():
        return "+Inf" if n > 0 else "-Inf"
    if digits is None:
        return go_float_g(float(n))
    if n.is_zero():
        return "-0" if n.is_signed() else "0"
    t = n.normalize().as_tuple()
    nd = len(t.digits)
    rounded = n if nd <= digits else Decimal(f"{n:.{digits - 1}e}")
    t = rounded.normalize().as_tuple()
    ds = "".join(map(str, t.digits))
    x = len(ds) + int(t.exponent) - 1
    sign = "-" if t.sign else ""
    if x < -4 or x >= digits:
        m = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{sign}{m}e{'-' if x < 0 else '+'}{abs(x):02d}"
    return sign + format(abs(rounded.normalize()), "f")


def suggest(name: str, candidates: list[str]) -> str:
    """HCL's ``nameSuggestion``: the first candidate within edit distance 2, or ''."""
    for c in candidates:
        if levenshtein(name, c) < 3:
            return c
    return ""


def levenshtein(a: str, b: str) -> int:
    """The edit distance between ``a`` and ``b`` (insertions, deletions, substitutions)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def describe_value(v: Value) -> str:
    """HCL's concise value text for diagnostics ("list of string with 2 elements")."""
    t = v.type
    if v.is_null:
        return "null"
    if not v.is_known:
        return "(not yet known)"
    if t == NUMBER:
        return _go_g(v.v, 10)
    if t == STRING:
        return go_quote(v.v)
    if isinstance(v.v, bool):
        return "true" if v.v else "false"
    if isinstance(t, ObjectType):
        n = len(t.attrs)
        if n == 1:
            return f"object with 1 attribute {go_quote(t.attrs[0][0])}"
        return "object with no attributes" if n == 0 else f"object with {n} attributes"
    n = len(v.v)
    name = t.friendly()
    if n == 0:
        return f"empty {name}"
    return f"{name} with {n} element{'s' if n > 1 else ''}"


def describe_variables(expr: Expr, ctx: Any, evaluate: Callable[[Expr, Any], Value]) -> tuple[str, ...]:
    """ "x as 1" statements for each variable ``expr`` refers to, sorted, as HCL's diagnostic writer.
    A sensitive value is never shown: kiln says "x has a sensitive value" (as Terraform does)."""
    stmts: dict[str, str] = {}
    for text, sub in traversal_exprs(expr):
        if text in stmts:
            continue
        try:
            value = evaluate(sub, ctx)
        except Exception:  # noqa: BLE001 - HCL skips references that fail to evaluate
            continue
        if SENSITIVE in strip_marks(value)[1]:
            stmts[text] = f"{text} has a sensitive value"
            continue
        if not value.is_known:
            continue
        stmts[text] = f"{text} set to null" if value.is_null else f"{text} as {describe_value(value)}"
    return tuple(sorted(stmts.values()))
