"""Input variables: declarations, values by Packer's precedence, type constraints and validation.

Precedence, lowest first: ``default`` < ``PKR_VAR_<name>`` < variable files (auto ones, then each
``-var-file`` in order) < ``-var``. Only the value that wins is validated (as Packer does).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kiln.hcl import syntax as syn
from kiln.hcl.convert import ConversionError, convert, object_type
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.function import Function
from kiln.hcl.functions import AnyFunction
from kiln.hcl.references import traversals as references
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, STRING, Type, Value, string, unknown
from kiln.template.blocks import VariableDecl
from kiln.template.body import Attr, Body
from kiln.template.diag import error, has_errors
from kiln.template.hclapi import Constraint, eval_expr, make_context, parse_expression, type_constraint
from kiln.template.jsonexpr import string_expression
from kiln.template.jsonsyntax import JString

ENV_PREFIX = "PKR_VAR_"
NO_RANGE = syn.Range("", syn.Pos(0, 0, 0), syn.Pos(0, 0, 0))
"""The range of a value given as plain text (Packer's empty range: rendered "on  line 0")."""
_DOCS = "https://packer.io/docs/configuration/from-1.5/syntax"




@dataclass
class Assignment:
    value: Value
    source: str  # "default" | "env" | "varfile" | "cmd"
    range: syn.Range | None = None


@dataclass
class Variable:
    name: str
    range: syn.Range
    type: Type | None  # None: no type and no default (values are taken as they come)
    description: str = ""
    sensitive: bool = False
    nullable: bool = True
    validations: list[tuple[syn.Expr, str, syn.Range]] = field(default_factory=list)
    constraint: Constraint | None = None  # the declared ``type`` (with optional() defaults)
    assignments: dict[str, Assignment] = field(default_factory=dict)

    def winner(self) -> Assignment | None:
        for source in ("cmd", "varfile", "env", "default"):
            if source in self.assignments:
                return self.assignments[source]
        return None


def _static_string(attr: Attr | None, diags: list[HclDiagnostic]) -> str:
    if attr is None:
        return ""
    val, d = eval_expr(attr.expr, None)
    diags += d
    try:
        val = convert(val, STRING)
    except ConversionError as err:
        diags.append(error("Unsuitable value type", f"Unsuitable value: {err.message}", attr.expr.range))
        return ""
    if not val.is_known or val.is_null:
        if not d:
            diags.append(error("Unsuitable value type", "Unsuitable value: value must be known", attr.expr.range))
        return ""
    return str(val.v)


def _static_bool(attr: Attr | None, default: bool, diags: list[HclDiagnostic]) -> bool:
    if attr is None:
        return default
    val, d = eval_expr(attr.expr, None)
    diags += d
    try:
        val = convert(val, BOOL)
    except ConversionError as err:
        diags.append(error("Unsuitable value type", f"Unsuitable value: {err.message}", attr.expr.range))
        return default
    if not val.is_known or val.is_null:
        return default
    return bool(val.v)


def looks_like_sentences(s: str) -> bool:
    s = s.strip()
    if not s:
        return False
    first, last = s[0], s[-1]
    if unicodedata.category(first).startswith("L") and not first.isupper():
        return False
    return last in ".?!"


def declare(decl: VariableDecl, env_function: Function | None, diags: list[HclDiagnostic]) -> Variable:
    """Decode a declaration: type, default (where ``env()`` is allowed), description, validations."""
    constraint: Constraint | None = None
    if decl.type is not None:
        expr, d = decl.type.expr, list[HclDiagnostic]()
        if isinstance(decl.type.json, JString):  # in JSON the string holds the type: "list(string)"
            expr, d = string_expression(decl.type.json, expr.range.filename)
        if not d:
            constraint, d = type_constraint(expr)
        diags += d
    vtype = constraint.type if constraint is not None else None
    var = Variable(decl.name, decl.range, vtype, constraint=constraint)
    var.description = _static_string(decl.description, diags)
    var.sensitive = _static_bool(decl.sensitive, False, diags)
    var.nullable = _static_bool(decl.nullable, True, diags)
    if decl.default is not None:
        functions = {"env": env_function} if env_function is not None else {}
        refs = references(decl.default.expr)
        if refs:  # a default may call env() but use no variables (HCL: nil variables, some functions)
            d = [error("Variables not allowed", "Variables may not be used here.", refs[0].range)]
            val = unknown(DYNAMIC)
        else:
            val, d = eval_expr(decl.default.expr, make_context(None, functions))
        diags += d
        if constraint is not None and not d:
            try:
                val = constraint.convert(val)
            except ConversionError as err:
                diags.append(error(
                    "Invalid default value for variable",
                    f"This default value is not compatible with the variable's type constraint: {err.message}.",
                    decl.default.expr.range,
                ))
                val = unknown(constraint.type)
        if vtype is None:
            var.type = val.type
        var.assignments["default"] = Assignment(val, "default", decl.default.expr.range)
    for (cond, msg), vrange in zip(decl.validations, decl.validation_ranges, strict=True):
        if not any(t.root == "var" and t.steps[:1] == (decl.name,) for t in references(cond.expr)):
            diags.append(error(
                "Invalid variable validation condition",
                f'The condition for variable "{decl.name}" must refer to var.{decl.name} in order to test '
                "incoming values.", cond.expr.range,
            ))
            continue
        message = _static_string(msg, diags)
        if not looks_like_sentences(message):
            diags.append(error(
                "Invalid validation error message",
                "Validation error message must be at least one full sentence starting with an uppercase letter "
                "( if the alphabet permits it ) and ending with a period or question mark.", msg.expr.range,
            ))
            continue
        var.validations.append((cond.expr, message, vrange))
    return var


def _from_text(var: Variable, text: str, filename: str) -> tuple[Value, syn.Range | None, list[HclDiagnostic]]:
    """A value given as text (``-var``, ``PKR_VAR_``): literal text for string/number/untyped variables,
    an HCL expression for the others."""
    if var.type is None or var.type in (STRING, NUMBER):
        return string(text), NO_RANGE, []
    expr, diags = parse_expression(text, filename)
    if diags:
        return unknown(DYNAMIC), expr.range, diags
    val, d = eval_expr(expr, None)
    return val, expr.range, d


def _convert(var: Variable, val: Value, summary: str, detail: str, subject: syn.Range | None,
             diags: list[HclDiagnostic]) -> Value | None:
    if var.type is None:
        return val
    try:
        return var.constraint.convert(val) if var.constraint is not None else convert(val, var.type)
    except ConversionError as err:
        diags.append(error(summary, f"{detail}: {err.message}.", subject))
        return None


def assign_env(variables: Mapping[str, Variable], env: Mapping[str, str], diags: list[HclDiagnostic]) -> None:
    for key, text in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        var = variables.get(key[len(ENV_PREFIX):])
        if var is None:
            continue
        val, rng, d = _from_text(var, text, f"<value for var.{var.name} from env>")
        diags += d
        if d:
            continue
        conv = _convert(var, val, "Invalid value for variable",
                        f"The value for {var.name} is not compatible with the variable's type constraint", rng, diags)
        if conv is not None:
            var.assignments["env"] = Assignment(conv, "env", rng)


def assign_file(variables: Mapping[str, Variable], body: Body, diags: list[HclDiagnostic]) -> None:
    content = body.content({"variable": 1})
    diags += content.diagnostics
    for b in content.blocks:
        name = b.labels[0] if b.labels else b.type
        diags.append(error(
            "Variable declaration in a .pkrvar file",
            "A .pkrvar file is used to assign values to variables that have already been declared in .pkr "
            f'files, not to declare new variables. To declare variable "{name}", place this block in one of '
            f"your .pkr files, such as variables.pkr.hcl\n\nTo set a value for this variable in "
            f"{b.type_range.filename}, use the definition syntax instead:\n    {name} = <value>",
            b.type_range,
        ))
    if content.blocks:
        return
    for name, attr in content.attributes.items():
        var = variables.get(name)
        if var is None:
            diags.append(HclDiagnostic(  # no subject, only context: Packer prints no source line here
                "warning", "Undefined variable",
                f'A "{name}" variable was set but was not found in known variables. To declare variable '
                f'"{name}", place this block in one of your .pkr files, such as variables.pkr.hcl',
                None, attr.range,
            ))
            continue
        val, d = eval_expr(attr.expr, None)
        diags += d
        conv = _convert(var, val, "Invalid value for variable",
                        f"The value for {name} is not compatible with the variable's type constraint",
                        attr.expr.range, diags)
        if conv is not None and not d:
            var.assignments["varfile"] = Assignment(conv, "varfile", attr.expr.range)


def assign_args(variables: Mapping[str, Variable], args: Sequence[tuple[str, str]], diags: list[HclDiagnostic]) -> None:
    for name, text in args:
        var = variables.get(name)
        if var is None:
            diags.append(error(
                "Undefined -var variable",
                f'A "{name}" variable was passed in the command line but was not found in known variables. '
                f'To declare variable "{name}", place this block in one of your .pkr files, such as '
                "variables.pkr.hcl",
            ))
            continue
        val, rng, d = _from_text(var, text, f"<value for var.{name} from arguments>")
        diags += d
        if d:
            continue
        conv = _convert(var, val, "Invalid argument value for -var variable",
                        f"The received arg value for {name} is not compatible with the variable's type constraint",
                        rng, diags)
        if conv is not None:
            var.assignments["cmd"] = Assignment(conv, "cmd", rng)


def final_values(
    variables: Mapping[str, Variable], functions: Mapping[str, AnyFunction], check: bool,
    diags: list[HclDiagnostic],
) -> dict[str, Value]:
    """Each variable's winning value, marked sensitive; unset ones are unknown. With ``check``, unset
    variables are errors and values are validated (Packer does both when it initializes a template,
    which the console and ``validate -syntax-only`` do not)."""
    out: dict[str, Value] = {}
    for name, var in variables.items():
        won = var.winner()
        if won is None:
            if check:
                diags.append(HclDiagnostic(
                    "error", f'Unset variable "{name}"',
                    f"A used variable must be set or have a default value; see {_DOCS} for details.",
                    None, var.range,
                ))
            out[name] = unknown(var.type or DYNAMIC)
            continue
        val = won.value
        if val.is_null and not var.nullable and won.source != "default":
            diags.append(error("Required variable not set", f'The variable "{name}" is required, but the given '
                               "value is null.", won.range))
        if check:
            _validate(var, won, functions, diags)
        out[name] = val.mark("sensitive") if var.sensitive else val
    return out


def _validate(var: Variable, won: Assignment, functions: Mapping[str, AnyFunction], diags: list[HclDiagnostic]) -> None:
    for cond, message, vrange in var.validations:
        ctx = make_context({"var": Value(_object_type({var.name: won.value}), {var.name: won.value})}, functions)
        result, d = eval_expr(cond, ctx)
        if d:
            diags += d
            continue
        if not result.is_known:
            continue
        if result.is_null:
            diags.append(error("Invalid variable validation result",
                               "Validation condition expression must return either true or false, not null.",
                               cond.range))
            continue
        try:
            result = convert(result.unmark(), BOOL)
        except ConversionError as err:
            diags.append(error("Invalid variable validation result",
                               f"Invalid validation condition result value: {err.message}.", cond.range))
            continue
        if result.v is False:
            diags.append(error(
                f"Invalid value for {won.source} variable",
                f"{message}\n\nThis was checked by the validation rule at {_short(vrange)}.", won.range,
            ))


def _short(r: syn.Range) -> str:
    if r.start.line == r.end.line:
        return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.column}"
    return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.line},{r.end.column}"


def _object_type(values: Mapping[str, Value]) -> Type:
    return object_type({k: v.type for k, v in values.items()})


def object_of(values: Mapping[str, Value]) -> Value:
    return Value(_object_type(values), dict(values))


def collect(
    decls: Mapping[str, VariableDecl],
    *,
    env: Mapping[str, str],
    var_file_bodies: Sequence[Body],
    args: Sequence[tuple[str, str]],
    env_function: Function | None,
    functions: Mapping[str, AnyFunction],
    check: bool,
    diags: list[HclDiagnostic],
) -> tuple[dict[str, Variable], dict[str, Value]]:
    variables = {name: declare(decl, env_function, diags) for name, decl in decls.items()}
    if has_errors(diags):
        return variables, {n: unknown(v.type or DYNAMIC) for n, v in variables.items()}
    assign_env(variables, env, diags)
    for body in var_file_bodies:
        assign_file(variables, body, diags)
    assign_args(variables, args, diags)
    # Packer initializes (unset variables, validation) only a template whose values all parsed
    return variables, final_values(variables, functions, check and not has_errors(diags), diags)


__all__ = ["ENV_PREFIX", "Assignment", "Variable", "collect", "declare", "looks_like_sentences", "object_of"]
