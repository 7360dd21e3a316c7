"""HCL's operators with cty's semantics (stdlib ``Add``, ``Modulo``, ``Equal``, ``And``...).

Each operator declares the type its operands convert to and the type it yields; ``apply`` handles
null, unknown and marked operands the way cty's function wrapper does, and raises ``OperationError``
with cty's message ("can't divide zero by zero or infinity by infinity") when the arithmetic fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from kiln.hcl import numbers
from kiln.hcl.convert import strip_marks
from kiln.hcl.equality import equal
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, Type, Value, unknown


class OperationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Operator:
    operand: Type
    result: Type
    impl: Callable[[list[Value]], Value]
    allow_null: bool = False
    allow_unknown: bool = False


def _num(f: Callable[[Decimal, Decimal], Decimal]) -> Callable[[list[Value]], Value]:
    return lambda args: Value(NUMBER, f(args[0].v, args[1].v))


def _arith(f: Callable[[Decimal, Decimal], Decimal]) -> Callable[[Decimal, Decimal], Decimal]:
    def op(a: Decimal, b: Decimal) -> Decimal:
        try:
            return f(a, b)
        except numbers.NaNError as err:
            raise OperationError(str(err)) from None

    return op


def _mod(a: Decimal, b: Decimal) -> Decimal:
    try:
        return numbers.modulo(a, b)
    except numbers.NaNError:
        raise OperationError("can't use modulo with zero and infinity") from None


def _cmp(f: Callable[[Decimal, Decimal], bool]) -> Callable[[list[Value]], Value]:
    return lambda args: Value(BOOL, f(args[0].v, args[1].v))


def _equal(negate: bool) -> Callable[[list[Value]], Value]:
    def impl(args: list[Value]) -> Value:
        result = equal(args[0], args[1])
        if result is None:
            return unknown(BOOL)
        return Value(BOOL, result != negate)

    return impl


BINARY: dict[str, Operator] = {
    "+": Operator(NUMBER, NUMBER, _num(_arith(numbers.add))),
    "-": Operator(NUMBER, NUMBER, _num(_arith(numbers.subtract))),
    "*": Operator(NUMBER, NUMBER, _num(_arith(numbers.multiply))),
    "/": Operator(NUMBER, NUMBER, _num(_arith(numbers.divide))),
    "%": Operator(NUMBER, NUMBER, _num(_mod)),
    "<": Operator(NUMBER, BOOL, _cmp(lambda a, b: a < b)),
    ">": Operator(NUMBER, BOOL, _cmp(lambda a, b: a > b)),
    "<=": Operator(NUMBER, BOOL, _cmp(lambda a, b: a <= b)),
    ">=": Operator(NUMBER, BOOL, _cmp(lambda a, b: a >= b)),
    "&&": Operator(BOOL, BOOL, lambda args: Value(BOOL, args[0].v and args[1].v)),
    "||": Operator(BOOL, BOOL, lambda args: Value(BOOL, args[0].v or args[1].v)),
    "==": Operator(DYNAMIC, BOOL, _equal(False), allow_null=True, allow_unknown=True),
    "!=": Operator(DYNAMIC, BOOL, _equal(True), allow_null=True, allow_unknown=True),
}

UNARY: dict[str, Operator] = {
    "-": Operator(NUMBER, NUMBER, lambda args: Value(NUMBER, args[0].v.copy_negate())),
    "!": Operator(BOOL, BOOL, lambda args: Value(BOOL, not args[0].v)),
}


def apply(op: Operator, args: list[Value]) -> Value:
    """Run ``op`` on operands already converted to ``op.operand``: marks (at any depth) carry over to
    the result, a null operand is an error unless allowed, an unknown one gives an unknown result."""
    marks: set[str] = set()
    plain: list[Value] = []
    for a in args:
        bare, found = strip_marks(a)
        marks |= found
        plain.append(bare)
    if not op.allow_null and any(a.is_null for a in plain):
        raise OperationError("argument must not be null")
    if not op.allow_unknown and any(not a.is_known for a in plain):
        return unknown(op.result).mark(*marks)
    result = op.impl(plain)
    return result.mark(*marks) if marks else result
