"""Legacy JSON templates (``{"builders": [...]}``) loaded into the same model as HCL2 templates.

``load_legacy(path, var_files, vars, env)`` follows Packer 1.6.6: parse (rawTemplate), validate
(Template.Validate, ``min_packer_version``, required variables), interpolate user variables and
build names (Core.init), then ``builds()`` gives one BuildSpec per builder, named by its (rendered)
``name``, its provisioners and post-processors already filtered by ``only``/``except``.
Errors raise ``LegacyTemplateError``: diagnostics with positions, and ``packer_text``, Packer's words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from kiln_sdk.gotemplate import Context, render
from kiln_sdk.gotemplate import TemplateError as GoTemplateError

from kiln import secrets as kiln_secrets
from kiln.hcl.diagnostics import ERROR, HclDiagnostic
from kiln.hcl.syntax import Range
from kiln.plugins.constraints import ConstraintError, parse_version
from kiln.plugins.requirements import Requirement
from kiln.template.legacy.component import LegacyComponent
from kiln.template.legacy.funcs import FuncContext, template_context
from kiln.template.legacy.jsonvalue import JValue, parse_json
from kiln.template.legacy.raw import (
    BUILDER_KEYS,
    POST_PROCESSOR_KEYS,
    PROVISIONER_KEYS,
    LegacyError,
    LegacyVariable,
    Msg,
    RawComponent,
    multierror,
)
from kiln.template.legacy.root import RawTemplate, parse_raw
from kiln.template.legacy.variables import check_required, command_line_variables, required_error, resolve
from kiln.template.model import (
    PACKER_LANGUAGE_VERSION,
    BuildSpec,
    PostProcessorSpec,
    ProvisionerSpec,
    Template,
    TemplateError,
)

__all__ = ["LegacyTemplate", "LegacyTemplateError", "LegacyVariable", "is_legacy_json", "load_legacy"]


class LegacyTemplateError(TemplateError):
    """A legacy template Packer would reject. ``stage`` is ``"parse"`` (Packer prints "Failed to parse
    template: TEXT"), ``"flags"`` (a ``-var-file``: Packer prints TEXT) or ``"core"`` (Packer prints a
    diagnostic: "Error: SUMMARY", then TEXT as its detail); ``packer_text`` is TEXT, ``packer_summary``
    SUMMARY (often empty)."""

    def __init__(self, err: LegacyError, stage: str, sources: Mapping[str, str]) -> None:
        super().__init__([HclDiagnostic(ERROR, m, "", r) for m, r in err.msgs], sources)
        self.stage, self.packer_text, self.packer_summary = stage, err.packer_text, err.summary

    def packer_message(self) -> str:
        if self.stage == "parse":
            return f"Failed to parse template: {self.packer_text}"
        if self.stage == "flags":  # a -var-file Packer could not read: its error alone
            return self.packer_text
        return f"Error: {self.packer_summary}\n\n{self.packer_text}"


def is_legacy_json(path: str) -> bool:
    """A ``.json`` file that is not ``.pkr.json`` and has a top-level ``builders`` key."""
    if os.path.isdir(path) or not path.endswith(".json") or path.endswith(".pkr.json"):
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            doc = parse_json(f.read(), path)
    except (OSError, ValueError):
        return False
    return isinstance(doc.value, dict) and "builders" in doc.value


@dataclass
class LegacyTemplate(Template):
    raw: RawTemplate
    user_variables: dict[str, str]  # every user variable, resolved (defaults, var files, -var)
    build_names: dict[str, str]  # raw builder name -> rendered build name
    funcs: FuncContext
    kind: str = "json"
    warnings: list[HclDiagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    required_plugins: dict[str, Requirement] = field(default_factory=dict)
    required_version: str | None = None
    sensitive_values: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:  # type: ignore[override]
        return self.raw.path

    @property
    def description(self) -> str:
        return self.raw.description

    @property
    def variables(self) -> dict[str, LegacyVariable]:
        return self.raw.variables

    def builds(self) -> list[BuildSpec]:
        """One build per builder, sorted by build name as Packer 1.6.6 runs and lists them."""
        out = [self._build(b) for b in self.raw.builders]
        return sorted(out, key=lambda b: b.name)

    def _component(self, c: RawComponent, skip: frozenset[str], build: str, btype: str,
                   override: JValue | None = None) -> LegacyComponent:
        funcs = replace(self.funcs, build_name=build, build_type=btype)
        return LegacyComponent(c.type, c.name, c.obj, funcs, skip, self.sensitive_values, override)

    def _build(self, b: RawComponent) -> BuildSpec:
        name = self.build_names[b.name]
        spec = BuildSpec(name=name, build_block_name="", builder_type=b.type, source_name=name,
                         builder=self._component(b, BUILDER_KEYS, name, b.type),
                         description=self.raw.description)
        for p in self.raw.provisioners:
            if _skip(p, b.name):
                continue
            spec.provisioners.append(self._provisioner(p, b, name))
        if self.raw.cleanup_provisioner is not None:
            spec.error_cleanup_provisioner = self._provisioner(self.raw.cleanup_provisioner, b, name)
        for chain in self.raw.post_processors:
            pps = [PostProcessorSpec(self._component(pp, POST_PROCESSOR_KEYS, name, b.type), pp.keep_input_artifact)
                   for pp in chain if not _skip(pp, b.name)]
            if pps:
                spec.post_processors.append(pps)
        return spec

    def _provisioner(self, p: RawComponent, b: RawComponent, name: str) -> ProvisionerSpec:
        return ProvisionerSpec(
            self._component(p, PROVISIONER_KEYS, name, b.type, p.override.get(b.name)),
            pause_before=p.pause_before,
            max_retries=int(p.max_retries) if re.fullmatch(r"[+-]?[0-9]+", p.max_retries) else 0,
            # Packer 1.6.6 wraps a provisioner for pause_before *or* timeout: with both, no timeout.
            timeout=(p.timeout or None) if not p.pause_before else None,
        )


def _skip(c: RawComponent, raw_name: str) -> bool:
    """Packer's OnlyExcept.Skip, against the builder's name as written (not rendered)."""
    if c.only:
        return raw_name not in c.only
    return raw_name in c.except_


def _validate(raw: RawTemplate) -> list[Msg]:
    """Packer's Template.Validate."""
    errs: list[Msg] = []
    if not raw.builders:
        errs.append(("at least one builder must be defined", raw.root.range))
    names = {b.name for b in raw.builders}

    def only_except(c: RawComponent, where: str) -> None:
        if c.only and c.except_:
            errs.append((f"{where}: only one of 'only' or 'except' may be specified", c.range))
            return
        for word, lst in (("only", c.only), ("except", c.except_)):
            for n in lst:
                if n not in names:
                    errs.append((f"{where}: '{word}' specified builder '{n}' not found", _key_range(c, word)))

    for i, p in enumerate(raw.provisioners, 1):
        only_except(p, f"provisioner {i}")
        for n in p.override:
            if n not in names:
                errs.append((f"provisioner {i}: override '{n}' doesn't exist", p.override[n].range))
    for i, chain in enumerate(raw.post_processors, 1):
        for j, pp in enumerate(chain, 1):
            only_except(pp, f"post-processor {i}.{j}")
    return errs


def _key_range(c: RawComponent, key: str) -> Range:
    assert isinstance(c.obj.value, dict)
    return c.obj.value[key].range if key in c.obj.value else c.range


def _check_version(raw: RawTemplate) -> None:
    if not raw.min_version:
        return
    rng = raw.min_version_range or raw.root.range
    try:
        want = parse_version(raw.min_version)
    except ConstraintError as exc:
        raise LegacyError([(f"min_version is invalid: {exc}", rng)], f"min_version is invalid: {exc}") from None
    if parse_version(PACKER_LANGUAGE_VERSION).compare(want) < 0:
        msg = f"This template requires Packer version {want} or higher; using {PACKER_LANGUAGE_VERSION}"
        raise LegacyError([(msg, rng)], msg)


def load_legacy(path: str, var_files: Sequence[str] = (), vars: Sequence[tuple[str, str]] = (),
                env: Mapping[str, str] | None = None, syntax_only: bool = False) -> LegacyTemplate:
    """Load and check a legacy JSON template as ``packer validate``/``build`` do before any plugin runs."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    sources = {path: text}
    try:
        raw = parse_raw(text, path)
    except LegacyError as err:
        raise LegacyTemplateError(err, "parse", sources) from None
    funcs = FuncContext(template_path=os.path.abspath(path), env=dict(os.environ if env is None else env))
    if syntax_only:  # Packer's validate -syntax-only stops after parsing the template
        return LegacyTemplate(raw, {}, {b.name: b.name for b in raw.builders}, funcs, sources=sources)
    try:
        given, var_sources = command_line_variables(var_files, vars)
    except LegacyError as err:
        raise LegacyTemplateError(err, "flags", sources) from None
    sources.update(var_sources)
    try:
        errs = _validate(raw)
        if errs:
            raise LegacyError(errs, multierror([m for m, _ in errs]))
        _check_version(raw)
        missing = check_required(raw.variables, given)
        if missing:
            raise required_error(missing)
        kiln_secrets.add(*(given[k] for k in raw.sensitive_variables if k in given))  # before any error
        user = resolve(raw.variables, given, funcs)
        funcs = replace(funcs, user_variables=user)
        names = _build_names(raw, funcs)
        max_retries_errors(raw, funcs, names)
    except LegacyError as err:
        raise LegacyTemplateError(err, "core", sources) from None
    secrets = [user.get(k, "") for k in raw.sensitive_variables if k in raw.variables]
    kiln_secrets.add(*secrets)
    return LegacyTemplate(raw, user, names, funcs, sources=sources, sensitive_values=[s for s in secrets if s])


def _build_names(raw: RawTemplate, funcs: FuncContext) -> dict[str, str]:
    ctx = template_context(funcs, keep_fields=False)
    names: dict[str, str] = {}
    for b in raw.builders:
        try:
            names[b.name] = render(b.name, ctx)
        except GoTemplateError as exc:
            msg = f"Error interpolating builder '{b.name}': {exc}"
            raise LegacyError([(msg, b.range)], msg) from None
    return names


def max_retries_errors(raw: RawTemplate, funcs: FuncContext, names: Mapping[str, str]) -> None:
    """Packer renders and parses each provisioner's ``max_retries`` when it sets up a build (in
    build-name order), and stops at the first build that fails."""
    ctx = template_context(funcs, keep_fields=False)
    for b in sorted(raw.builders, key=lambda b: names[b.name]):
        provisioners = [p for p in raw.provisioners if not _skip(p, b.name)]
        if raw.cleanup_provisioner:
            provisioners.append(raw.cleanup_provisioner)
        try:
            _max_retries(provisioners, ctx)
        except LegacyError as err:
            raise LegacyError(err.msgs, err.packer_text, f'Failed to initialize build "{names[b.name]}"') from None


def _max_retries(provisioners: list[RawComponent], ctx: Context) -> None:
    for p in provisioners:
        if not p.max_retries:
            continue
        rng = p.obj.value["max_retries"].range if isinstance(p.obj.value, dict) else p.range
        try:
            text = render(p.max_retries, ctx)
        except GoTemplateError as exc:
            msg = f"failed to interpolate `max_retries`: {exc}"
            raise LegacyError([(msg, rng)], msg) from None
        if re.fullmatch(r"[+-]?[0-9]+", text):
            p.max_retries = str(int(text))
        else:
            msg = f'`max_retries` must be a valid integer: strconv.Atoi: parsing "{text}": invalid syntax'
            raise LegacyError([(msg, rng)], msg) from None
