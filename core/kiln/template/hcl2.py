"""Loading an HCL2 template (``*.pkr.hcl`` / ``*.pkr.json`` files or a directory of them), as Packer does:

1. parse every file (stop on syntax errors);
2. read the top-level blocks and check ``packer { required_version }`` (stop when unsupported);
3. declare variables and give them values by precedence (stop on errors);
4. evaluate locals and data sources in dependency order, then expand ``build`` blocks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from kiln import secrets
from kiln.hcl import syntax as syn
from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.function import Function, Param
from kiln.hcl.functions import functions_for
from kiln.hcl.values import STRING, Value, string
from kiln.plugins.constraints import ConstraintError, parse_constraints
from kiln.plugins.requirements import Requirement, decode_required_plugins
from kiln.template.blocks import Declarations, read_declarations
from kiln.template.body import Blk, Body, JsonBody, NativeBody
from kiln.template.builds import BuildReader
from kiln.template.diag import error, has_errors
from kiln.template.files import VarFileFormatError, find_files, var_file_is_json
from kiln.template.hclapi import eval_expr, parse_file
from kiln.template.jsonexpr import rng
from kiln.template.jsonsyntax import JObject, JSONSyntaxError, Pos, parse_json
from kiln.template.locals import DataResolver, evaluate_locals_and_data
from kiln.template.model import PACKER_LANGUAGE_VERSION, BuildSpec, Template, TemplateError
from kiln.template.scope import Scope, go_dir
from kiln.template.variables import Variable, collect


class HCL2Template(Template):
    kind = "hcl2"

    def __init__(self, path: str, sources: dict[str, str], scope: Scope) -> None:
        self.path = path
        self.sources = sources
        self.scope = scope
        self.warnings: list[HclDiagnostic] = []
        self.required_plugins: dict[str, Requirement] = {}
        self.required_version: str | None = None
        self.sensitive_values: list[str] = []
        self.bodies: dict[str, syn.Body] = {}
        self.variables: dict[str, Variable] = {}
        self._builds: list[BuildSpec] = []
        self.build_blocks: list[Blk] = []  # the ``build`` blocks as written (``kiln inspect`` outlines them)
        self.build_warnings: list[HclDiagnostic] = []  # the warnings found while reading ``build_blocks``

    def builds(self) -> list[BuildSpec]:
        return list(self._builds)


def env_function(env: Mapping[str, str]) -> Function:
    """``env(name)``: allowed only in variable defaults, as in Packer."""
    return Function(params=(Param("key", STRING),), impl=lambda args: string(env.get(str(args[0].v), "")),
                    return_type=STRING, name="env")


def _read(path: str, sources: dict[str, str], diags: list[HclDiagnostic]) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as err:
        diags.append(error("Failed to read file", f'The configuration file "{path}" could not be read: '
                           f"{err.strerror or err}."))
        return None
    except UnicodeDecodeError:
        diags.append(error("Invalid file encoding", f'The file "{path}" is not valid UTF-8 text.'))
        return None
    if text.startswith("\ufeff") and not path.endswith(".json"):
        text = text[1:]  # a UTF-8 byte order mark: HCL skips it (Packer accepts it), JSON does not
    sources[path] = text
    return text


def parse_config_file(path: str, is_json: bool, sources: dict[str, str], diags: list[HclDiagnostic]) -> Body | None:
    text = _read(path, sources, diags)
    if text is None:
        return None
    if not is_json:
        body, d = parse_file(text, path)
        diags += d
        return NativeBody(body) if body is not None else None
    try:
        node = parse_json(text)
    except JSONSyntaxError as err:
        diags.append(error(err.summary, err.detail, rng(path, err.pos, err.pos, width=1)))
        if err.root_object:
            diags.append(_not_an_object(path, err.pos))
        return None
    if not isinstance(node, JObject):
        diags.append(_not_an_object(path, node.start, node.end))
        return None
    return JsonBody(node, path)


def _not_an_object(path: str, start: Pos, end: Pos | None = None) -> HclDiagnostic:
    return error("Root value must be object", "The root value in a JSON-based configuration must be either a "
                 "JSON object or a JSON array of objects.", rng(path, start, end or start, width=0 if end else 1))


def _check_packer_block(decls: Declarations, template: HCL2Template, diags: list[HclDiagnostic]) -> list[HclDiagnostic]:
    """Required version (checked before anything else is decoded) and required plugins."""
    version_diags: list[HclDiagnostic] = []
    for p in decls.packer:
        if p.required_version is not None:
            attr = p.required_version
            val, d = eval_expr(attr.expr, None)
            version_diags += d
            text = str(val.v) if val.is_known and isinstance(val.v, str) else None
            if d or text is None:
                continue
            try:
                constraints = parse_constraints(text)
            except ConstraintError:
                version_diags.append(error(
                    "Invalid version constraint", "This string does not use correct version constraint syntax. "
                    "Check out the docs: https://packer.io/docs/from-1.5/blocks/packer#version-constraints",
                    attr.expr.range))
                continue
            template.required_version = text
            if not constraints.allows(PACKER_LANGUAGE_VERSION):
                version_diags.append(error(
                    "Unsupported Packer Core version",
                    f"This configuration does not support Packer version {PACKER_LANGUAGE_VERSION}. To proceed, "
                    "either choose another supported Packer version or update this version constraint. Version "
                    "constraints are normally set for good reason, so updating the constraint may lead to other "
                    "errors or unexpected behavior.", attr.expr.range))
    template.required_plugins = decode_required_plugins([b for p in decls.packer for b in p.required_plugins], diags)
    return version_diags


def load_hcl2(
    path: str,
    *,
    var_files: Sequence[str] = (),
    vars: Sequence[tuple[str, str]] = (),
    env: Mapping[str, str] | None = None,
    syntax_only: bool = False,
    resolve_data: DataResolver | None = None,
    lenient: bool = False,
) -> HCL2Template:
    """Load an HCL2 template in Packer's stages; raises ``TemplateError`` at the first stage with errors."""
    loader = _Loader(path, os.environ if env is None else env)
    decls = loader.parse()
    var_bodies = loader.var_files(find_files(path, var_files).var_files)
    loader.stop_on_errors()
    t, scope, diags = loader.template, loader.template.scope, loader.diags
    t.variables, scope.variables = collect(
        decls.variables, env=loader.env, var_file_bodies=var_bodies, args=vars, env_function=env_function(loader.env),
        functions=scope.functions, check=not (lenient or syntax_only), diags=diags)
    t.sensitive_values = _sensitive_strings([scope.variables[n] for n, v in t.variables.items() if v.sensitive])
    secrets.add(*t.sensitive_values)  # masked from now on, in errors about the template too
    loader.stop_on_errors()
    if not syntax_only:
        sensitive_locals = evaluate_locals_and_data(scope, decls.locals, decls.data, resolve_data, lenient, diags)
        t.sensitive_values += _sensitive_strings(sensitive_locals)
        secrets.add(*t.sensitive_values)
        diags += decls.source_diagnostics
        reader = BuildReader(scope, decls.sources, diags)
        t.build_blocks = list(decls.builds)
        before = len(diags)
        for blk in decls.builds:
            t._builds += reader.read(blk)
        t.build_warnings = [d for d in diags[before:] if d.severity != "error"]
        if not lenient:
            loader.stop_on_errors()
    t.warnings = [d for d in diags if d.severity != "error"]
    return t


def read_requirements(path: str, env: Mapping[str, str] | None = None) -> HCL2Template:
    """The template read only as far as Packer reads it before it looks for plugins: its files parsed and
    its ``packer`` blocks decoded (``required_plugins``). Raises ``TemplateError`` on what that finds."""
    loader = _Loader(path, os.environ if env is None else env)
    loader.parse()
    loader.stop_on_errors()
    return loader.template


def load_without_config(
    *, var_files: Sequence[str] = (), vars: Sequence[tuple[str, str]] = (), env: Mapping[str, str] | None = None
) -> HCL2Template:
    """``packer console -config-type=hcl2`` without a template: no configuration file, so every ``-var``
    is an undefined variable (an error) and every ``-var-file`` value one too (a warning), as in Packer."""
    loader = _Loader("", os.environ if env is None else env, path_root="")
    var_bodies = loader.var_files(list(var_files))
    loader.stop_on_errors()
    t, scope, diags = loader.template, loader.template.scope, loader.diags
    t.variables, scope.variables = collect(
        {}, env=loader.env, var_file_bodies=var_bodies, args=vars, env_function=env_function(loader.env),
        functions=scope.functions, check=False, diags=diags)
    loader.stop_on_errors()
    t.warnings = [d for d in diags if d.severity != "error"]
    return t


class _Loader:
    def __init__(self, path: str, env: Mapping[str, str], path_root: str | None = None) -> None:
        self.path = path
        self.env = env
        self.diags: list[HclDiagnostic] = []
        self.sources: dict[str, str] = {}
        self.bodies: dict[str, syn.Body] = {}
        base_dir = path if os.path.isdir(path) else go_dir(path)
        # env() is for variable defaults only (Packer's rule); everything else gets the other functions
        functions = {name: fn for name, fn in functions_for(base_dir).items() if name != "env"}
        root = base_dir if path_root is None else path_root
        self.template = HCL2Template(path, self.sources, Scope(root, os.getcwd(), functions))
        self.template.bodies = self.bodies

    def fail(self) -> TemplateError:
        errors = [d for d in self.diags if d.severity == "error"]
        return TemplateError(errors + [d for d in self.diags if d.severity != "error"], self.sources, self.bodies)

    def stop_on_errors(self) -> None:
        if has_errors(self.diags):
            raise self.fail()

    def parse(self) -> Declarations:
        """Parse every configuration file and read its blocks; the version check comes first."""
        files = find_files(self.path).config_files
        if not files:
            self.diags.append(error(f"Could not find any config file in {self.path}", "A config file must be "
                                    "suffixed with `.pkr.hcl` or `.pkr.json`. A folder can be referenced."))
        config = [b for f in files if (b := parse_config_file(f, f.endswith(".json"), self.sources, self.diags))]
        self.bodies.update({b.syntax.range.filename: b.syntax for b in config if isinstance(b, NativeBody)})
        self.stop_on_errors()
        decls = read_declarations(config)
        version_diags = _check_packer_block(decls, self.template, self.diags)
        if version_diags:  # alone: a template for another version may not make sense to this one
            self.diags[:] = version_diags
            raise self.fail()
        self.diags += decls.diagnostics
        return decls

    def var_files(self, names: Sequence[str]) -> list[Body]:
        out = []
        for name in names:
            try:
                is_json = var_file_is_json(name)
            except VarFileFormatError as err:
                self.diags.append(error(str(err), "A var file must be suffixed with `.hcl` or `.json`."))
                continue
            body = parse_config_file(name, is_json, self.sources, self.diags)
            if body is not None:
                out.append(body)
        return out


def _sensitive_strings(values: Sequence[Value]) -> list[str]:
    out: list[str] = []

    def walk(v: Value) -> None:
        if not v.is_known or v.is_null:
            return
        if isinstance(v.v, list):
            for e in v.v:
                walk(e)
        elif isinstance(v.v, dict):
            for e in v.v.values():
                walk(e)
        elif isinstance(v.v, str) and v.v:
            out.append(v.v)

    for v in values:
        walk(v)
    return out
