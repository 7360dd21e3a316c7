"""The provision hook: when a builder's machine is ready, run the build's provisioners on it.

Packer's behaviour: each provisioner in order (only/except already applied), ``pause_before``,
``timeout``, ``max_retries``; on failure the error-cleanup-provisioner runs (unless -on-error=abort)
and the builder's hook call fails, so the builder cleans up.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kiln_sdk.diagnostics import BuildError, Cancelled
from kiln_sdk.duration import format_duration
from kiln_sdk.host import CallbackRef, CallResult, CallTimedOut, CommunicatorHandle, HookCall, PluginCrashed
from kiln_sdk.ui import Ui

from kiln import log
from kiln.engine.cancel import Deadline
from kiln.engine.prepare import apply_override, failure_text, plugin_diagnostics
from kiln.engine.prepared import PreparedBuild, PreparedProvisioner
from kiln.hcl import values
from kiln.hcl.values import Value

_log = log.get("provision")
RETRY_DELAY = 2.0  # seconds between attempts of a provisioner with max_retries


def build_variables(data: Mapping[str, Any]) -> dict[str, Value]:
    """The builder's generated data as ``build.*`` values."""
    out: dict[str, Value] = {}
    for key, raw in data.items():
        if isinstance(raw, bool):
            out[key] = values.boolean(raw)
        elif isinstance(raw, (int, float, Decimal)):
            out[key] = values.number(raw)
        else:
            out[key] = values.string("" if raw is None else str(raw))
    return out


class ProvisionHook:
    def __init__(self, build: PreparedBuild, ui: Ui, ui_ref: CallbackRef, cancel: threading.Event,
                 render: Any, cancel_grace: float) -> None:
        self.build = build
        self.ui = ui
        self.ui_ref = ui_ref
        self.cancel = cancel
        self.render = render  # renders template diagnostics (Packer's form)
        self.cancel_grace = cancel_grace
        self.running: Any = None  # the provisioner client whose Provision call is in flight
        self.stuck = ""  # why a cancelled provisioner's plugin was killed (it did not stop within the grace)

    def __call__(self, call: HookCall) -> None:
        if call.name != "packer_provision":
            _log.debug("ignoring hook %s", call.name)
            return
        data = {"PackerRunUUID": self.build.info.run_uuid, **call.data}
        self.build.build_data = data  # post-processors are evaluated with it too
        for provisioner in self.build.provisioners:
            try:
                self._run(provisioner, call.communicator, data)
            except Cancelled:
                raise
            except BuildError:
                if self.build.info.on_error != "abort":
                    self.ui.say("Provisioning step had errors: Running the cleanup provisioner, if present...")
                    self._cleanup(call.communicator, data)
                raise

    def _cleanup(self, communicator: CommunicatorHandle | None, data: dict[str, Any]) -> None:
        if self.build.error_cleanup is None:
            return
        try:
            self._run(self.build.error_cleanup, communicator, data)
        except BuildError as exc:
            self.ui.error(f"Error running the error-cleanup-provisioner: {exc}")

    def _config(self, provisioner: PreparedProvisioner, data: dict[str, Any]) -> dict[str, Any]:
        """Evaluate the settings again now that ``build.*`` is known; Prepare again if they changed."""
        component = provisioner.component
        decoded = component.spec.decode(component.schema, build_variables(data))
        if decoded.has_errors:
            raise BuildError(self.render(decoded.diagnostics).strip())
        config = apply_override(decoded.config, provisioner.spec, self.build.spec)
        if config != component.config:
            result = component.client.prepare(config, component.info)
            if result.errors:
                raise BuildError(self.render(plugin_diagnostics(component.spec, result.errors, "provisioner")).strip())
            component.config = config
        return config

    def _run(self, provisioner: PreparedProvisioner, communicator: CommunicatorHandle | None,
             data: dict[str, Any]) -> None:
        spec = provisioner.spec
        if spec.pause_before > 0:
            self.ui.say(f"Pausing {format_duration(spec.pause_before)} before the next provisioner...")
            if self.cancel.wait(spec.pause_before):
                raise Cancelled()
        self._config(provisioner, data)
        if spec.timeout:
            self.ui.say(f"Setting a {format_duration(spec.timeout)} timeout for the next provisioner...")
        attempts = max(0, spec.max_retries) + 1
        for attempt in range(1, attempts + 1):
            error = self._attempt(provisioner, communicator, data)
            if not error:
                return
            left = attempts - attempt
            if left <= 0:
                if attempts > 1:
                    self.ui.error("retry limit reached.")
                raise BuildError(error)
            self.ui.error(f"Provisioner failed with {json.dumps(error, ensure_ascii=False)}, retrying with {left} trie(s) left")
            if self.cancel.wait(RETRY_DELAY):
                raise Cancelled()

    def _attempt(self, provisioner: PreparedProvisioner, communicator: CommunicatorHandle | None,
                 data: dict[str, Any]) -> str:
        """Run the provisioner once: "" on success, else the error text."""
        spec = provisioner.spec
        deadline = Deadline(self.cancel, spec.timeout)
        self.running = provisioner.component.client
        try:
            result = provisioner.component.client.provision(self.ui_ref, communicator, data, cancel=deadline,
                                                            cancel_grace=self.cancel_grace)
        except CallTimedOut as exc:
            if self.cancel.is_set():  # cancelled and still running after the grace: kill its plugin
                self.stuck = str(exc)
                provisioner.component.client.process.kill()
            raise BuildError(str(exc)) from None
        except PluginCrashed as exc:
            raise BuildError(str(exc)) from None
        finally:
            self.running = None
        if deadline.timed_out:
            self.ui.error("Cancelling provisioner after a timeout...")
            return self._error(provisioner, result) or f"provisioner timed out after {format_duration(spec.timeout or 0)}"
        if result.cancelled or self.cancel.is_set():
            raise Cancelled()
        return self._error(provisioner, result)

    def _error(self, provisioner: PreparedProvisioner, result: CallResult) -> str:
        if not result.errors:
            return ""
        return failure_text(provisioner.component.spec, result.diagnostics, "provisioner", self.render)
