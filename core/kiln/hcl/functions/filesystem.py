"""Filesystem functions (go-cty-funcs' filesystem package, Packer's ``templatefile``).

``file``, ``fileexists``, ``fileset``, ``filebase64``, the file hashes and ``templatefile`` resolve
relative paths against the template's directory, so they are built per directory by ``make``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.function import ArgError, Function, FunctionError, Param
from kiln.hcl.parse import parse_template
from kiln.hcl.references import traversals
from kiln.hcl.syntax import Range
from kiln.hcl.values import BOOL, DYNAMIC, STRING, MapType, ObjectType, SetType, Value

from . import _paths
from ._support import define, string

Impl = Callable[[Sequence[Value]], Value]

# ---- path functions (no directory needed) ------------------------------------------------------------


def _abspath(args: Sequence[Value]) -> Value:
    p = args[0].v
    return string(_paths.clean(p if p.startswith("/") else _paths.join(os.getcwd(), p)))


def _dirname(args: Sequence[Value]) -> Value:
    return string(_paths.dirname(args[0].v))


def _basename(args: Sequence[Value]) -> Value:
    return string(_paths.basename(args[0].v))


def _pathexpand(args: Sequence[Value]) -> Value:
    try:
        return string(_paths.expand_home(args[0].v))
    except _paths.HomeError as err:
        raise FunctionError(str(err)) from None


_PATH = Param("path", STRING)

FUNCTIONS = {
    "abspath": define("abspath", [_PATH], _abspath, STRING),
    "dirname": define("dirname", [_PATH], _dirname, STRING),
    "basename": define("basename", [_PATH], _basename, STRING),
    "pathexpand": define("pathexpand", [_PATH], _pathexpand, STRING),
}

# ---- file reading --------------------------------------------------------------------------------------


def read_file_bytes(base_dir: str, path: str) -> bytes:
    try:
        full = _paths.resolve(base_dir, path)
    except _paths.HomeError as err:
        raise FunctionError(f"failed to expand ~: {err}") from None
    try:
        with open(full, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise FunctionError(f"no file exists at {full}") from None
    except OSError:
        raise FunctionError(f"failed to read {full}") from None


def read_file_text(base_dir: str, path: str) -> str:
    data = read_file_bytes(base_dir, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(
            f"contents of {path} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded "
            "contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
        ) from None


def _file(base_dir: str) -> Impl:
    return lambda args: string(read_file_text(base_dir, args[0].v))


def _filebase64(base_dir: str) -> Impl:
    return lambda args: string(base64.b64encode(read_file_bytes(base_dir, args[0].v)).decode("ascii"))


def _filehash(base_dir: str, algorithm: str, b64: bool) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        digest = hashlib.new(algorithm, read_file_bytes(base_dir, args[0].v))
        return string(base64.b64encode(digest.digest()).decode("ascii") if b64 else digest.hexdigest())

    return impl


def _go_mode(mode: int) -> str:
    """Go's ``FileMode.String()`` for what ``os.Stat`` can return."""
    perms = stat.filemode(mode)[1:]
    for test, kind in (
        (stat.S_ISDIR, "d"),
        (stat.S_ISFIFO, "p"),
        (stat.S_ISSOCK, "S"),
        (stat.S_ISCHR, "Dc"),
        (stat.S_ISBLK, "D"),
    ):
        if test(mode):
            return kind + perms
    return "-" + perms


def _fileexists(base_dir: str) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        try:
            full = _paths.resolve(base_dir, args[0].v)
        except _paths.HomeError as err:
            raise FunctionError(f"failed to expand ~: {err}") from None
        try:
            st = os.stat(full)
        except FileNotFoundError:
            return Value(BOOL, False)
        except OSError:
            raise FunctionError(f"failed to stat {full}") from None
        if stat.S_ISREG(st.st_mode):
            return Value(BOOL, True)
        raise FunctionError(f'{full} is not a regular file, but "{_go_mode(st.st_mode)}"')

    return impl


def _fileset(base_dir: str) -> Impl:
    def impl(args: Sequence[Value]) -> Value:
        path, pattern = args[0].v, args[1].v
        if not path.startswith("/"):
            path = _paths.join(base_dir, path)
        full_pattern = _paths.join(path, pattern)
        try:
            matches = _paths.glob(full_pattern)
        except _paths.GlobError as err:
            raise FunctionError(f"failed to glob pattern ({full_pattern}): {err}") from None
        out: set[str] = set()
        for m in matches:
            try:
                st = os.stat(m)
            except OSError as err:
                raise FunctionError(f"failed to stat ({m}): {err.strerror}") from None
            if stat.S_ISREG(st.st_mode):
                out.add(os.path.relpath(m, path))
        return Value(SetType(STRING), [string(x) for x in sorted(out)])

    return impl


# ---- templatefile --------------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def _range_text(r: Range) -> str:
    if r.start.line == r.end.line:
        return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.column}"
    return f"{r.filename}:{r.start.line},{r.start.column}-{r.end.line},{r.end.column}"


def _diags_text(diags: list[HclDiagnostic]) -> str:
    def one(d: HclDiagnostic) -> str:
        return f"{_range_text(d.range) if d.range else ''}: {d.summary}; {d.detail}"

    text = one(diags[0])
    return text if len(diags) == 1 else f"{text}, and {len(diags) - 1} other diagnostic(s)"


def _recursion_stub(args: Sequence[Value]) -> Value:
    raise FunctionError("cannot recursively call templatefile from inside templatefile call")


def _templatefile(base_dir: str, functions: Callable[[], Mapping[str, Any]]) -> Impl:
    def render(args: Sequence[Value]) -> Value:
        path, variables = args[0].v, args[1]
        text = read_file_text(base_dir, path)
        try:
            expr = parse_template(text, path)
        except DiagnosticError as err:
            raise FunctionError(_diags_text(err.diagnostics)) from None
        if not isinstance(variables.type, MapType | ObjectType):
            raise ArgError(1, "invalid vars value: must be a map")
        names: dict[str, Value] = dict(variables.v)
        for name in names:
            if not _IDENT.match(name):
                raise ArgError(
                    1,
                    f'invalid template variable name "{name}": must start with a letter, followed by zero or more '
                    "letters, digits, and underscores",
                )
        for ref in traversals(expr):
            if ref.root not in names:
                raise ArgError(
                    1, f'vars map does not contain key "{ref.root}", referenced at {_range_text(ref.range)}'
                )
        funcs = dict(functions())
        funcs["templatefile"] = define("templatefile", _TEMPLATEFILE_PARAMS, _recursion_stub, DYNAMIC)
        try:
            return evaluate(expr, EvalContext(names, funcs))
        except DiagnosticError as err:
            raise FunctionError(_diags_text(err.diagnostics)) from None

    return render


_TEMPLATEFILE_PARAMS = [Param("path", STRING), Param("vars", DYNAMIC)]


def make(base_dir: str, functions: Callable[[], Mapping[str, Any]]) -> dict[str, Function]:
    """The functions that read files, relative to ``base_dir``; ``functions`` gives the full set for
    ``templatefile`` to evaluate templates with."""
    render = _templatefile(base_dir, functions)
    out = {
        "file": define("file", [_PATH], _file(base_dir), STRING),
        "filebase64": define("filebase64", [_PATH], _filebase64(base_dir), STRING),
        "fileexists": define("fileexists", [_PATH], _fileexists(base_dir), BOOL),
        "fileset": define("fileset", [_PATH, Param("pattern", STRING)], _fileset(base_dir), SetType(STRING)),
        "templatefile": define("templatefile", _TEMPLATEFILE_PARAMS, render, DYNAMIC),
    }
    for name, algorithm, b64 in (
        ("filemd5", "md5", False),
        ("filesha1", "sha1", False),
        ("filesha256", "sha256", False),
        ("filesha512", "sha512", False),
        ("filebase64sha256", "sha256", True),
        ("filebase64sha512", "sha512", True),
    ):
        out[name] = define(name, [_PATH], _filehash(base_dir, algorithm, b64), STRING)
    return out
