"""The calling convention of HCL functions (cty's ``function.Spec``, in Python).

A ``Function`` declares typed parameters and an implementation. ``Function.call`` does what cty does
around every call, so implementations only see the values they asked for:

* each argument is converted to its parameter's type (``ArgError`` when that fails);
* a null argument is rejected unless the parameter has ``allow_null``;
* an unknown argument short-circuits to an unknown result of the return type unless the parameter has
  ``allow_unknown``;
* marks (``sensitive``) are removed from arguments before ``impl`` runs, unless the parameter has
  ``allow_marked``, and are put back on the result, so they flow through every call.

Implementations raise ``ArgError(index, message)`` for a bad argument and ``FunctionError(message)``
for any other failure; messages are lower-case phrases without a final period (HCL adds one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kiln.hcl.convert import ConversionError, convert, strip_marks
from kiln.hcl.numbers import TooLong
from kiln.hcl.values import DYNAMIC, Dynamic, Type, Value, unknown

Impl = Callable[[Sequence[Value]], Value]
ReturnType = Type | Callable[[Sequence[Value]], Type]


class FunctionError(Exception):
    """A function call failed for a reason not tied to one argument."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ArgError(FunctionError):
    """Argument number ``index`` (0-based, counting variadic arguments too) is not acceptable."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


class ArityError(FunctionError):
    """The call has too few or too many arguments (``summary`` is HCL's diagnostic summary)."""

    def __init__(self, summary: str, message: str) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class Param:
    name: str
    type: Type = DYNAMIC
    allow_null: bool = False
    allow_unknown: bool = False
    allow_marked: bool = False
    allow_dynamic_type: bool = False
    """Whether ``impl``/``return_type`` cope with an argument whose type is not known yet."""


@dataclass(frozen=True)
class Function:
    params: tuple[Param, ...]
    impl: Impl
    return_type: ReturnType = DYNAMIC
    variadic: Param | None = None
    description: str = ""
    name: str = field(default="", compare=False)

    def param_for(self, index: int) -> Param | None:
        """The parameter that argument number ``index`` binds to (None: too many arguments)."""
        if index < len(self.params):
            return self.params[index]
        return self.variadic

    def check_arity(self, count: int, name: str = "") -> None:
        name = name or self.name
        if count < len(self.params):
            missing = self.params[count].name
            qual = " at least" if self.variadic is not None else ""
            raise ArityError(
                "Not enough function arguments",
                f'Function "{name}" expects{qual} {len(self.params)} argument(s). Missing value for "{missing}".',
            )
        if count > len(self.params) and self.variadic is None:
            raise ArityError(
                "Too many function arguments",
                f'Function "{name}" expects only {len(self.params)} argument(s).',
            )

    def resolve_return_type(self, args: Sequence[Value]) -> Type:
        if isinstance(self.return_type, Type):
            return self.return_type
        return self.return_type(args)

    def call(self, args: Sequence[Value]) -> Value:
        """Call with cty's checks (see the module docstring). Raises ``FunctionError`` subclasses."""
        self.check_arity(len(args))
        prepared: list[Value] = []
        marks: set[str] = set()
        dynamic_arg = False
        for i, arg in enumerate(args):
            param = self.param_for(i)
            assert param is not None
            try:
                arg = convert(arg, param.type)
            except ConversionError as err:
                raise ArgError(i, err.message) from None
            if not param.allow_marked:
                arg, found = strip_marks(arg)
                marks |= found
            if arg.is_null and not param.allow_null:
                raise ArgError(i, "argument must not be null")
            if isinstance(arg.type, Dynamic) and not param.allow_dynamic_type:
                dynamic_arg = True
            prepared.append(arg)
        # cty: an argument whose type is not known yet makes the result type unknown too (unless the
        # parameter copes with that); the call still runs when every value is known
        ret = DYNAMIC if dynamic_arg else self.resolve_return_type(prepared)
        for i, arg in enumerate(prepared):
            param = self.param_for(i)
            assert param is not None
            if not arg.is_known and not param.allow_unknown:
                return unknown(ret).mark(*marks)
        try:
            result = self.impl(prepared)
        except RecursionError:  # jsondecode("[[[[...") and the like: an error of this call, not a crash
            raise FunctionError("the value nests too deeply for kiln to process") from None
        except TooLong as err:  # a number too long to write out
            raise FunctionError(str(err)) from None
        if not isinstance(ret, Dynamic):
            try:
                result = convert(result, ret)
            except ConversionError as err:
                raise FunctionError(
                    f"returned value does not match the declared type: {err.message}"
                ) from None
        return result.mark(*marks) if marks else result
