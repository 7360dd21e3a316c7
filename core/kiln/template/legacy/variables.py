"""User variables of a legacy JSON template: ``-var-file`` and ``-var`` values, defaults, required
variables, and Packer's interpolation of variables that refer to others (``{{user `a`}}``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from kiln_sdk.gotemplate import Template as GoTemplate
from kiln_sdk.gotemplate import TemplateError as GoTemplateError

from kiln.hcl.syntax import Pos, Range
from kiln.template.legacy.funcs import FuncContext, template_context
from kiln.template.legacy.jsonvalue import JSONSyntaxError, parse_json
from kiln.template.legacy.raw import LegacyError, LegacyVariable, Msg, multierror

_JSON_KINDS = {str: "string", bool: "bool", int: "number", float: "number", list: "array", dict: "object"}
NOT_SET = "Error: variable not set:"
_USER_CALL = re.compile(r"{{\s*user\s*`.*`\s*}}")


def read_var_file(path: str) -> tuple[dict[str, str], str]:
    """A ``-var-file``: a JSON object of strings (Packer decodes it into map[string]string)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as exc:
        msg = f"open {path}: {(exc.strerror or str(exc)).lower()}"
        raise LegacyError([(msg, Range(path, Pos(1, 1), Pos(1, 1)))], msg) from None
    try:
        doc = parse_json(text, path)
    except JSONSyntaxError as exc:
        msg = f"Error reading variables in '{path}': {exc.message}"
        pos = exc.where or Pos(exc.line, max(exc.col, 1), exc.offset)
        raise LegacyError([(msg, Range(path, pos, pos))], msg) from None
    if not isinstance(doc.value, dict):
        msg = (f"Error reading variables in '{path}': json: cannot unmarshal "
               f"{_JSON_KINDS.get(type(doc.value), 'null')} into Go value of type kvflag.FlagJSON")
        raise LegacyError([(msg, doc.range)], msg)
    out: dict[str, str] = {}
    for key, jv in doc.value.items():
        if jv.value is None:
            out[key] = ""
        elif not isinstance(jv.value, str):
            msg = (f"Error reading variables in '{path}': json: cannot unmarshal "
                   f"{_JSON_KINDS[type(jv.value)]} into Go value of type string")
            raise LegacyError([(msg, jv.range)], msg)
        else:
            out[key] = jv.value
    return out, text


def command_line_variables(var_files: Sequence[str], pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Packer's merge: later var files win over earlier ones, any ``-var`` wins over every var file.
    Also the var files' text, by name, for diagnostics."""
    from_files: dict[str, str] = {}
    sources: dict[str, str] = {}
    for path in var_files:
        values, sources[path] = read_var_file(path)
        from_files.update(values)
    result = dict(pairs)
    for k, v in from_files.items():
        result.setdefault(k, v)
    return result, sources


def check_required(variables: Mapping[str, LegacyVariable], given: Mapping[str, str]) -> list[Msg]:
    return [(f"required variable not set: {name}", v.range) for name, v in sorted(variables.items())
            if v.required and name not in given]


def resolve(variables: Mapping[str, LegacyVariable], given: Mapping[str, str], fc: FuncContext) -> dict[str, str]:
    """Packer's Core.init: render every variable (in name order, up to 100 rounds) until those that
    refer to others settle; ``{{.Field}}`` is left as written. Returns the user variables."""
    repeat = {k: (v.default or "") for k, v in variables.items()}
    repeat.update(given)
    pending = sorted(repeat.items())
    values: dict[str, str] = dict(given)
    user: dict[str, str] = {}
    parsed: dict[str, GoTemplate] = {}
    changed, retry, failed = False, False, ""
    previous: tuple[object, ...] | None = None
    for _ in range(100):
        retry = changed = False
        done: list[str] = []
        failures: list[str] = []
        for key, raw in pending:
            ctx = template_context(replace(fc, user_variables=user, enable_env=True))
            try:
                if raw not in parsed:
                    parsed[raw] = GoTemplate.parse(raw, ctx)
                rendered = parsed[raw].execute(ctx).text
            except GoTemplateError as exc:
                if exc.col is not None and NOT_SET in exc.detail:
                    retry = True
                    failed = f'"{key}": "{raw}"; error: {exc}'
                    failures.append(key)
                    continue
                if exc.col is not None:
                    raise _core_error(str(exc), variables, key) from None
                raise _core_error(f"error interpolating default value for '{key}': {exc}", variables, key) from None
            changed = True
            values[key] = rendered
            user = values
            if _USER_CALL.search(raw):
                retry = True
            else:
                done.append(key)
        if not retry:
            break
        pending = [(k, v) for k, v in pending if k not in done]
        state = (tuple(sorted(values.items())), tuple(failures), changed)
        if state == previous:
            break  # every further round would be the same
        previous = state
    if not changed and retry:
        raise _core_error(
            f"Failed to interpolate {failed}: Please make sure that the variable you're referencing has been "
            "defined; Packer treats all variables used to interpolate other user variables as required.",
            variables, failed.split('"')[1])
    return values


def _core_error(msg: str, variables: Mapping[str, LegacyVariable], key: str) -> LegacyError:
    v = variables.get(key)
    rng = v.range if v is not None else Range("<command line>", Pos(1, 1), Pos(1, 1))
    return LegacyError([(msg, rng)], msg)


def required_error(msgs: list[Msg]) -> LegacyError:
    return LegacyError(msgs, multierror([m for m, _ in msgs]))
