"""From a legacy JSON template to HCL2 text, block by block as Packer's hcl2_upgrade writes it.

The order of the output: the ``packer`` block (``required_version``, ``required_plugins``), variables,
``amazon-secretsmanager`` and ``amazon-ami`` data sources, locals, sources, the build block. Each block
is generated as hclwrite would (keys sorted; a JSON object becomes a nested block when it holds an
object or a list, else a map attribute; a list of objects becomes repeated blocks), then its Go
template calls are transposed (``transpose.py``), and the whole text is laid out by ``format_text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.duration import format_duration

from kiln.hcl2_upgrade import comments as notes
from kiln.hcl2_upgrade.hclwrite import Body, format_text
from kiln.hcl2_upgrade.transpose import (
    State,
    referenced_user_variables,
    transpose,
    transpose_variable,
    variable_is_local,
)
from kiln.template.legacy.raw import BUILDER_KEYS, POST_PROCESSOR_KEYS, PROVISIONER_KEYS, RawComponent
from kiln.template.legacy.root import RawTemplate

KNOWN_PLUGINS = {
    "amazon": "github.com/hashicorp/amazon",
    "ansible": "github.com/hashicorp/ansible",
    "azure": "github.com/hashicorp/azure",
    "docker": "github.com/hashicorp/docker",
    "googlecompute": "github.com/hashicorp/googlecompute",
    "qemu": "github.com/hashicorp/qemu",
    "vagrant": "github.com/hashicorp/vagrant",
    "virtualbox": "github.com/hashicorp/virtualbox",
    "vmware": "github.com/hashicorp/vmware",
    "vsphere": "github.com/hashicorp/vsphere",
}
"""The HashiCorp plugins newer Packer writes a ``required_plugins`` entry for (by type prefix)."""

BUNDLED_BUILDERS = frozenset({"null", "file"})
"""Builders that need no plugin: with the known plugins' prefixes, the builders hcl2_upgrade knows."""

ACCESS_CONFIG_KEYS = (
    "access_key", "assume_role", "custom_endpoint_ec2", "shared_credentials_file", "decode_authorization_messages",
    "insecure_skip_tls_verify", "max_retries", "mfa_code", "profile", "region", "secret_key",
    "skip_metadata_api_check", "skip_credential_validation", "token", "vault_aws_engine", "aws_polling",
)
"""The amazon builders' access configuration, copied into the ``amazon-ami`` data source."""

_BLOCK_KEYS = frozenset({"linux_options", "network_interface", "shared_image_gallery"})


def _scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool))


def _most_complex(values: list[Any]) -> Any:
    """Packer's "most complex element" guess: the last non-scalar element, else the first scalar.

    (A null counts as non-scalar, but a scalar after it wins again; Go's random map order then makes
    Packer's choice random for maps mixing nulls and scalars: kiln takes the keys in sorted order.)"""
    chosen: Any = None
    for v in values:
        if _scalar(v):
            if chosen is not None:
                continue
        chosen = v
    return chosen


def json_body(out: Body, kvs: Mapping[str, Any]) -> None:
    """Packer's jsonBodyToHCL2Body."""
    for k in sorted(kvs):
        v = kvs[k]
        if isinstance(v, dict):
            chosen = None if k in _BLOCK_KEYS else _most_complex([v[x] for x in sorted(v)])
            if _scalar(chosen):
                out.set(k, v)
            else:
                json_body(out.block(k), v)
        elif isinstance(v, list):
            if not v:
                continue
            chosen = _most_complex(v)
            if isinstance(chosen, dict):
                if not all(isinstance(x, dict) for x in v):  # Packer panics here
                    raise ConversionError(f'"{k}" mixes objects and other values in one list; '
                                          "hcl2_upgrade can write either blocks or a list, not both")
                for item in v:
                    json_body(out.block(k), item)
            else:
                out.set(k, v)
        else:
            out.set(k, v)


class ConversionError(Exception):
    """A template hcl2_upgrade cannot convert (where Packer crashes)."""


def _config(c: RawComponent, special: frozenset[str]) -> dict[str, Any]:
    obj = c.obj.plain()
    return {k: v for k, v in obj.items() if k not in special} if isinstance(obj, dict) else {}


def _plugin(component_type: str) -> str | None:
    for prefix in KNOWN_PLUGINS:
        if component_type.startswith(prefix):
            return prefix
    return None


@dataclass
class Builder:
    type: str
    name: str
    config: dict[str, Any]


@dataclass
class Result:
    text: str
    errors: list[str] = field(default_factory=list)  # "Ignoring following ... error: ..." lines


def _packer_block(tpl: RawTemplate, annotate: bool) -> str:
    plugins = set()
    for c in [*tpl.builders, *tpl.provisioners, *(p for chain in tpl.post_processors for p in chain)]:
        prefix = _plugin(c.type)
        if prefix is not None:
            plugins.add(KNOWN_PLUGINS[prefix])
    if not tpl.min_version and not plugins:
        return ""
    body = Body()
    packer = body.block("packer")
    if tpl.min_version:
        packer.set("required_version", f">= {tpl.min_version}")
    if plugins:
        req = packer.block("required_plugins")
        for plugin in sorted(plugins):
            req.set(plugin.replace("github.com/hashicorp/", "", 1), {"source": plugin, "version": "~> 1"})
    return (notes.PACKER if annotate else "") + body.text()


def _variables(tpl: RawTemplate, raw_text: str, st: State, annotate: bool) -> tuple[str, str]:
    """(the variables' text, the locals' text)."""
    variables = {name: (v.default, v.required) for name, v in tpl.variables.items()}
    for name in referenced_user_variables(raw_text):
        variables.setdefault(name, (None, True))
    var_out: list[str] = []
    locals_out: list[str] = []
    locals_body = Body()
    plain_locals = locals_body.block("locals")
    has_locals = False
    for name in sorted(variables):
        default, required = variables[name]
        default_text = default or ""
        sensitive = name in tpl.sensitive_variables
        if variable_is_local(default_text):
            if sensitive:
                b = Body()
                b.newline()
                local = b.block("local", [name])
                local.set("sensitive", True)
                local.set("expression", default)
                st.locals_kind[name] = "local"
                locals_out.append(transpose(b.text(), st))
            else:
                plain_locals.set(name, default)
                st.locals_kind[name] = "locals"
                has_locals = True
            continue
        b = Body()
        b.newline()
        var = b.block("variable", [name])
        var.set_raw("type", "string")
        if default_text != "" or not required:
            var.set("default", default)
        if sensitive:
            var.set("sensitive", True)
        var_out.append(transpose_variable(b.text()))
    if has_locals:
        text = locals_body.text()
        locals_out.append(transpose("\n" + text, st))
    variables_text = "".join(var_out)
    if variables_text and annotate:
        variables_text = notes.VARIABLES + variables_text
    return variables_text, "".join(locals_out)


def _ami_data_sources(builders: list[Builder], st: State, errors: list[str]) -> str:
    filters: list[dict[str, Any]] = []
    out: list[str] = []
    for b in builders:
        if not b.type.startswith("amazon-") or "source_ami_filter" not in b.config:
            continue
        cfg = b.config["source_ami_filter"]
        if cfg is None:  # mapstructure decodes null into an empty map
            cfg = {}
        if not isinstance(cfg, dict):
            errors.append("Ignoring following amazonAmiDatasource.Parse error: Failed to write amazon-ami data "
                          f"source: '' expected a map, got '{_kind(cfg)}'")
            return "".join(out)
        cfg = dict(cfg)
        for key in ACCESS_CONFIG_KEYS:
            if key in b.config:
                cfg[key] = b.config[key]
        index = next((j for j, f in enumerate(filters) if f == cfg), None)
        del b.config["source_ami_filter"]
        if index is not None:
            b.config["source_ami"] = f"{{{{ data `amazon-ami.autogenerated_{index + 1}.id` }}}}"
            continue
        filters.append(cfg)
        name = f"autogenerated_{len(filters)}"
        b.config["source_ami"] = f"{{{{ data `amazon-ami.{name}.id` }}}}"
        body = Body()
        body.newline()
        json_body(body.block("data", ["amazon-ami", name]), cfg)
        out.append(transpose(body.text(), st))
    return "".join(out)


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "float64"
    if isinstance(v, str):
        return "string"
    return "slice" if isinstance(v, list) else "invalid"


def _sources(builders: list[Builder], st: State, errors: list[str]) -> str:
    out: list[str] = []
    unknown: list[str] = []
    for i, b in enumerate(builders):
        if b.type not in BUNDLED_BUILDERS and _plugin(b.type) is None:
            unknown.append(b.type)
        if b.name in ("", b.type):
            b.name = f"autogenerated_{i + 1}"
        b.name = b.name.strip().replace(" ", "_")  # Go's strings.TrimSpace, then spaces to "_"
        body = Body()
        body.newline()
        json_body(body.block("source", [b.type, b.name]), b.config)
        out.append(transpose(body.text(), st))
    if unknown:
        errors.append(f"Ignoring following sources.Parse error: unknown builder type(s): [{' '.join(unknown)}]\n")
    return "".join(out)


def _provisioner(kind: str, p: RawComponent, st: State) -> str:
    cfg = _config(p, PROVISIONER_KEYS)
    if p.except_:
        cfg["except"] = p.except_
    if p.only:
        cfg["only"] = p.only
    if p.max_retries:
        cfg["max_retries"] = p.max_retries
    if p.timeout > 0:
        cfg["timeout"] = format_duration(p.timeout)
    if p.pause_before > 0:
        cfg["pause_before"] = format_duration(p.pause_before)
    body = Body()
    block = body.block(kind, [p.type])
    body.newline()
    json_body(block, cfg)
    return transpose(body.text(), st)


def _post_processors(tpl: RawTemplate, st: State) -> str:
    out: list[str] = []
    for chain in tpl.post_processors:
        if not chain:
            continue
        file_body = Body()
        body = file_body if len(chain) == 1 else file_body.block("post-processors")
        for pp in chain:
            pp_body = body.block("post-processor", [pp.type])
            if pp.keep_input_artifact is not None:
                pp_body.set("keep_input_artifact", pp.keep_input_artifact)
            cfg = _config(pp, POST_PROCESSOR_KEYS)
            if pp.except_:
                cfg["except"] = pp.except_
            if pp.only:
                cfg["only"] = pp.only
            if pp.name and pp.name != pp.type:
                cfg["name"] = pp.name
            json_body(pp_body, cfg)
        out.append(transpose(file_body.text(), st))
    return "".join(out)


def _build(tpl: RawTemplate, builders: list[Builder], st: State, annotate: bool) -> str:
    if not builders:
        return ""
    body = Body()
    if tpl.description:
        body.set("description", tpl.description)
        body.newline()
    body.set("sources", [f"source.{b.type}.{b.name}" for b in builders])
    body.newline()
    head = body.text()
    provisioners = "".join(_provisioner("provisioner", p, st) for p in tpl.provisioners)
    if tpl.cleanup_provisioner is not None:
        provisioners += _provisioner("error-cleanup-provisioner", tpl.cleanup_provisioner, st)
    post = _post_processors(tpl, st)
    return (notes.BUILD if annotate else "\n") + "build {\n" + head + provisioners + post + "}\n"


def _secrets_data_sources(st: State) -> str:
    out = []
    for name in sorted(st.secrets):
        body = Body()
        body.newline()
        json_body(body.block("data", ["amazon-secretsmanager", name]), st.secrets[name])
        out.append(body.text())
    return "".join(out)


def _locals_text(st: State, locals_out: str, annotate: bool) -> str:
    out = ""
    if st.timestamp:
        out += "\n" + (notes.TIMESTAMP if annotate else "")
        out += 'locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }\n'
    if st.isotime:
        out += notes.LEGACY_ISOTIME
    if st.strftime:
        out += notes.LEGACY_STRFTIME
    if locals_out:
        out += (notes.LOCALS if annotate else "") + locals_out
    return out


def upgrade(tpl: RawTemplate, text: str, with_annotations: bool = False) -> Result:
    """The HCL2 text for ``tpl`` (newer Packer's hcl2_upgrade) and the errors Packer reports."""
    st = State()
    errors: list[str] = []
    packer = _packer_block(tpl, with_annotations)
    variables, locals_out = _variables(tpl, text, st, with_annotations)
    builders = sorted((Builder(b.type, b.name, _config(b, BUILDER_KEYS)) for b in tpl.builders),
                      key=lambda b: b.type + b.name)
    ami = _ami_data_sources(builders, st, errors)
    sources = _sources(builders, st, errors)
    build = _build(tpl, builders, st, with_annotations)
    secrets = _secrets_data_sources(st)
    parts = [
        packer,
        variables,
        (notes.SECRETS if with_annotations and secrets else "") + secrets,
        (notes.AMI if with_annotations and ami else "") + ami,
        _locals_text(st, locals_out, with_annotations),
        (notes.SOURCES if with_annotations and sources else "") + sources,
        build,
    ]
    text = format_text("".join(parts))
    return Result((notes.FILE if with_annotations else "") + text, errors)
