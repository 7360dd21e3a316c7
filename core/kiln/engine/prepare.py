"""Prepare stage: start every component's plugin, decode its settings against the plugin's schema,
and call Prepare/Configure, all before anything runs. Every problem becomes a diagnostic with a range."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import Diagnostic
from kiln_sdk.host import PluginCrashed, PluginStartError
from kiln_sdk.schema import Schema

from kiln.engine.options import BuildOptions, matches
from kiln.engine.prepared import (
    PreparedBuild,
    PreparedComponent,
    PreparedPostProcessor,
    PreparedProvisioner,
)
from kiln.hcl.diagnostics import ERROR, WARNING, HclDiagnostic
from kiln.plugins.host import KIND_WORDS, PluginHost
from kiln.template.model import BuildSpec, ComponentSpec, Decoded, PostProcessorSpec, ProvisionerSpec

_UNKNOWN_SUMMARY = {
    "builder": "Unknown source type {name}",
    "provisioner": 'Unknown provisioner type "{name}"',
    "post-processor": 'Unknown post-processor type "{name}"',
}


class PrepareFailed(Exception):
    def __init__(self, diagnostics: Sequence[HclDiagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("; ".join(d.summary for d in diagnostics))


def unknown_detail(broken: str) -> str:
    """The detail of an unknown component whose plugin is there but could not start (``broken``, from
    ``Catalog.why_missing``): what failed and what to do; "" when no such plugin is there."""
    if not broken:
        return ""
    if broken.startswith("refusing to run"):
        return broken + "\nFix that, then run again."
    return (f"{broken}\nThe plugin that provides it is installed but does not start: fix it (a plugin "
            "you wrote: check the entry point of its kiln-plugin-* script in its pyproject.toml, reinstall "
            "it) and run again; KILN_LOG=1 shows its traceback.")


def plugin_diagnostics(spec: ComponentSpec, diags: Sequence[Diagnostic], kind: str) -> list[HclDiagnostic]:
    """A plugin's diagnostics, placed at the template range their attribute path names. An unhandled
    exception in the plugin reads ``<component>: <exception type>: <message>`` (its traceback is in the
    log)."""
    out = []
    for d in diags:
        detail = d.detail
        summary = d.summary
        if d.exception_type:
            summary = f"{spec.type}: {d.exception_type}: {d.summary}"
            detail = (detail + "\n\n" if detail else "") + "The plugin's traceback is in the log (KILN_LOG=1)."
        elif not d.path and d.severity == "error":
            # no attribute to point at: say which block failed, as Packer does
            detail = (detail + "\n\n" if detail else "") + f"(reported by the {KIND_WORDS[kind]} {spec.type!r})"
        out.append(HclDiagnostic(ERROR if d.severity == "error" else WARNING, summary, detail,
                                 spec.range_of(d.path)))
    return out


def failure_text(spec: ComponentSpec, diags: Sequence[Diagnostic], kind: str, render: Callable[[Any], str]) -> str:
    """The error of a running component (Run, Provision, PostProcess, Execute) as the build reports it:
    plain errors as Packer prints them; an error naming an attribute, or an unhandled exception, rendered
    at the template's file:line:col."""
    errors = [d for d in diags if d.severity == "error"]
    if all(not d.path and not d.exception_type for d in errors):
        return "\n".join(d.summary + (f"\n{d.detail}" if d.detail else "") for d in errors)
    return render(plugin_diagnostics(spec, errors, kind)).strip()


def apply_override(config: dict[str, Any], spec: ProvisionerSpec | None, build: BuildSpec) -> dict[str, Any]:
    """A provisioner's settings with its ``override`` for this build (by source name, build name or type)."""
    override = spec.override if spec is not None else {}
    for key in (build.name, build.source_name, build.builder_type):
        if key in override:
            return {**config, **override[key]}
    return config


class Preparer:
    def __init__(self, host: PluginHost, options: BuildOptions, info_for: Callable[[BuildSpec], BuildInfo],
                 max_workers: int = 8, keep_running: bool = True) -> None:
        """``keep_running=False`` (validate) stops each plugin process as soon as it has prepared."""
        self.keep_running = keep_running
        self.host = host
        self.options = options
        self.info_for = info_for
        self.max_workers = max_workers
        self._diag_lock = threading.Lock()
        self.diagnostics: list[HclDiagnostic] = []
        self.sensitive: set[str] = set()  # sensitive strings found in any component's settings

    def _add(self, diags: Sequence[HclDiagnostic]) -> None:
        with self._diag_lock:
            self.diagnostics.extend(diags)

    def check_types(self, builds: Sequence[BuildSpec]) -> None:
        """Unknown component types are reported before any process starts."""
        problems: list[HclDiagnostic] = []
        seen: set[tuple[str, str, str, int]] = set()
        for build in builds:
            for kind, spec in self._components(build):
                if self.host.catalog.find(kind, spec.type) is not None:
                    continue
                key = (kind, spec.type, spec.range.filename, spec.range.start.line)
                if key in seen:
                    continue
                seen.add(key)
                known = " ".join(self.host.catalog.names(kind))
                problems.append(HclDiagnostic(
                    ERROR, _UNKNOWN_SUMMARY[kind].format(name=spec.type),
                    unknown_detail(self.host.catalog.why_missing(spec.type)) or
                    f"known {KIND_WORDS[kind]}s: [{known}]\nCheck the spelling; if it comes from a plugin, "
                    "install that plugin (kiln init, or a kiln-plugin-* executable in KILN_PLUGIN_PATH).",
                    spec.range,
                ))
        if problems:
            raise PrepareFailed(problems)

    @staticmethod
    def _components(build: BuildSpec) -> list[tuple[str, ComponentSpec]]:
        out: list[tuple[str, ComponentSpec]] = [("builder", build.builder)]
        out += [("provisioner", p.component) for p in build.provisioners]
        if build.error_cleanup_provisioner is not None:
            out.append(("provisioner", build.error_cleanup_provisioner.component))
        out += [("post-processor", pp.component) for chain in build.post_processors for pp in chain]
        return out

    def prepare(self, builds: Sequence[BuildSpec]) -> list[PreparedBuild]:
        self.check_types(builds)
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="prepare") as pool:
            plans = [self._submit(pool, build) for build in builds]
            prepared = [self._assemble(plan) for plan in plans]
        if any(d.severity == ERROR for d in self.diagnostics):
            raise PrepareFailed(self.diagnostics)
        return [p for p in prepared if p is not None]

    def _submit(self, pool: ThreadPoolExecutor, build: BuildSpec) -> dict[str, Any]:
        info = self.info_for(build)

        def job(kind: str, spec: ComponentSpec, provisioner: ProvisionerSpec | None = None
                ) -> Future[PreparedComponent | None]:
            return pool.submit(self._prepare_component, kind, spec, build, info, provisioner)

        return {
            "build": build, "info": info,
            "builder": job("builder", build.builder),
            # the template already kept, for each build, only the provisioners its only/except admit
            "provisioners": [(p, job("provisioner", p.component, p)) for p in build.provisioners],
            "cleanup": (build.error_cleanup_provisioner,
                        job("provisioner", build.error_cleanup_provisioner.component, build.error_cleanup_provisioner))
            if build.error_cleanup_provisioner else None,
            "chains": [
                [(pp, job("post-processor", pp.component)) for pp in self._chain(chain, build)]
                for chain in build.post_processors
            ],
        }

    def _chain(self, chain: Sequence[PostProcessorSpec], build: BuildSpec) -> list[PostProcessorSpec]:
        """The chain up to the first post-processor that -except names (by its name, else its type):
        in Packer a post-processor after a skipped one does not run."""
        kept: list[PostProcessorSpec] = []
        for pp in chain:
            if matches(pp.component.name or pp.component.type, self.options.except_):
                break
            kept.append(pp)
        return kept

    def _assemble(self, plan: dict[str, Any]) -> PreparedBuild | None:
        builder = plan["builder"].result()
        provisioners = [(spec, f.result()) for spec, f in plan["provisioners"]]
        cleanup = (plan["cleanup"][0], plan["cleanup"][1].result()) if plan["cleanup"] else None
        chains = [[(spec, f.result()) for spec, f in chain] for chain in plan["chains"]]
        if builder is None or any(c is None for _, c in provisioners) or (cleanup and cleanup[1] is None) \
                or any(c is None for chain in chains for _, c in chain):
            return None
        return PreparedBuild(
            spec=plan["build"], info=plan["info"], builder=builder,
            generated_data=builder.generated_data,
            provisioners=[PreparedProvisioner(s, c) for s, c in provisioners],
            error_cleanup=PreparedProvisioner(cleanup[0], cleanup[1]) if cleanup else None,
            chains=[[PreparedPostProcessor(s, c) for s, c in chain] for chain in chains],
        )

    def _prepare_component(self, kind: str, spec: ComponentSpec, build: BuildSpec, info: BuildInfo,
                           provisioner: ProvisionerSpec | None) -> PreparedComponent | None:
        """Decode ``spec`` against its schema (from the plugin's cached description: no process needed),
        then Prepare/Configure it in its plugin's process. A block that does not decode starts nothing."""
        client: Any = None
        schema = self.host.config_schema(kind, spec.type)
        try:
            if schema is None:  # no cached schema: ask the plugin's process
                client = self.host.start(kind, spec.type)
                schema = client.schema()
            decoded = spec.decode(schema, None)
            self._add(decoded.diagnostics)
            if decoded.has_errors:
                return None
            if client is None:
                client = self.host.start(kind, spec.type)
        except (PluginStartError, PluginCrashed) as exc:
            self._add([HclDiagnostic(ERROR, f"Failed to start the {KIND_WORDS[kind]} {spec.type!r}", str(exc),
                                     spec.range)])
            return None
        try:
            return self._prepare_decoded(kind, spec, build, info, provisioner, client, schema, decoded)
        finally:
            if not self.keep_running:
                client.close()

    def _prepare_decoded(self, kind: str, spec: ComponentSpec, build: BuildSpec, info: BuildInfo,
                         provisioner: ProvisionerSpec | None, client: Any, schema: Schema, decoded: Decoded
                         ) -> PreparedComponent | None:
        config = apply_override(decoded.config, provisioner, build)
        if decoded.sensitive:
            with self._diag_lock:
                self.sensitive.update(decoded.sensitive)
            info = replace(info, sensitive_values=tuple(sorted({*info.sensitive_values, *decoded.sensitive})))
        try:
            if kind == "post-processor":
                result = client.configure(config, info)
            else:
                result = client.prepare(config, info)
        except PluginCrashed as exc:
            self._add([HclDiagnostic(ERROR, f"The {KIND_WORDS[kind]} {spec.type!r} failed to prepare", str(exc),
                                     spec.range)])
            return None
        self._add(plugin_diagnostics(spec, result.diagnostics, kind))
        if result.errors:
            return None
        return PreparedComponent(kind, spec, client, schema, decoded, config, info, result.generated_data)
