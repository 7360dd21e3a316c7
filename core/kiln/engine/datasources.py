"""Data sources: while the template loads, each ``data`` block runs once in its plugin's process."""

from __future__ import annotations

from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError
from kiln_sdk.host import ComponentFailed, PluginCrashed, PluginStartError

from kiln import secrets
from kiln.engine.prepare import plugin_diagnostics, unknown_detail
from kiln.hcl.convert import from_python
from kiln.hcl.diagnostics import ERROR, HclDiagnostic
from kiln.hcl.values import SENSITIVE, Value
from kiln.plugins.host import PluginHost, UnknownComponent
from kiln.template.model import ComponentSpec, TemplateError
from kiln.version import PACKER_COMPAT_VERSION


class DataSources:
    """The ``resolve_data`` callback of ``load_template``, backed by real plugin processes."""

    def __init__(self, host: PluginHost, template_dir: str = "") -> None:
        self.host = host
        self.info = BuildInfo(core_version=PACKER_COMPAT_VERSION, template_dir=template_dir)

    def __call__(self, spec: ComponentSpec) -> Value:
        def fail(summary: str, detail: str = "") -> TemplateError:
            return TemplateError([HclDiagnostic(ERROR, summary, detail, spec.range)])

        try:
            client = self.host.start("datasource", spec.type)
        except UnknownComponent as exc:
            raise fail(f'Unknown data source type "{spec.type}"',
                       unknown_detail(self.host.catalog.why_missing(spec.type)) or
                       f"known data sources: [{' '.join(exc.known)}]. If it comes from a plugin, install it "
                       "(kiln init, or a kiln-plugin-* executable in KILN_PLUGIN_PATH).") from None
        except PluginStartError as exc:
            raise fail(f"Failed to start the data source {spec.type!r}", str(exc)) from None
        try:
            decoded = spec.decode(self.host.config_schema("datasource", spec.type) or client.schema(), None)
            if decoded.has_errors:
                raise TemplateError(decoded.diagnostics)
            result = client.configure(decoded.config, self.info)
            if result.errors:
                raise TemplateError(plugin_diagnostics(spec, result.errors, "datasource"))
            with client.process.holding_output():  # its lines reach the log once its secrets are known
                output = client.execute()
                secret = {a.name for a in client.output_schema().attributes if a.sensitive}
                if secret and isinstance(output, dict):
                    secrets.add(*(str(output[n]) for n in secret if isinstance(output.get(n), str | int | float)
                                  and str(output[n])))
        except PluginCrashed as exc:
            raise fail(f"The data source {spec.type!r} failed", str(exc)) from None
        except ComponentFailed as exc:
            if any(d.exception_type or d.path for d in exc.diagnostics):
                raise TemplateError(plugin_diagnostics(spec, [d for d in exc.diagnostics if d.severity == "error"],
                                                       "datasource")) from None
            raise fail(f"Failed to execute data source {spec.type}.{spec.name}", str(exc)) from None
        except BuildError as exc:
            raise fail(f"Failed to execute data source {spec.type}.{spec.name}", str(exc)) from None
        finally:
            client.close()
        return mark_sensitive(from_python(output), secret)


def mark_sensitive(value: Value, names: set[str]) -> Value:
    """The output with the attributes its schema calls sensitive marked so (masked from then on)."""
    if not names or not isinstance(value.v, dict):
        return value
    attrs = {k: v.mark(SENSITIVE) if k in names else v for k, v in value.v.items()}
    return Value(value.type, attrs, value.marks)
