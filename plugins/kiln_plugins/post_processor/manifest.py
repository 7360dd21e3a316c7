"""The ``manifest`` post-processor: record every build's artifact in one JSON file (Packer's format).

The file is ``{"builds": [...], "last_run_uuid": "..."}``, written as Go's ``json.MarshalIndent`` writes
it (two-space indent, no trailing newline). Each run appends; with ``-force`` a file left by another run
(another ``last_run_uuid``) starts over. Parallel builds run in separate processes, so the
read-modify-write happens under an exclusive lock on ``<output>.lock`` and the file is replaced atomically.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    Artifact,
    BuildError,
    BuildInfo,
    Context,
    PostProcessor,
    PostProcessResult,
    interpolate_config,
    render,
    setting,
)

from kiln_plugins.post_processor.file_lock import locked, write_atomically
from kiln_plugins.post_processor.go_json import GoMap, marshal_indent

BUILDER_ID = "packer.post-processor.manifest"
MASK = "<sensitive>"


def _masked(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every sensitive value in it replaced by ``<sensitive>``: a manifest is read by more
    people than the template's author (CI artifacts), so custom data keeps no secret (Packer's does)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
DEFAULT_OUTPUT = "packer-manifest.json"


@dataclass
class ManifestConfig:
    """Writes a JSON file listing every build's artifact."""

    output: str = setting(default="", doc=f"The manifest file (default {DEFAULT_OUTPUT}).")
    strip_path: bool = setting(default=False, doc="Record file names without their directories.")
    strip_time: bool = setting(default=False, doc="Leave build_time out.")
    custom_data: dict[str, str] | None = setting(default=None, doc="Extra data recorded with each build.")


class ManifestFormatError(ValueError):
    """An existing manifest that Packer could not read either."""


def _str(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(value)} into {where} of type string")
    return value


def _int(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(value)} into {where} of type int64")
    return int(value)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "value"


def _field(obj: dict[str, Any], name: str) -> Any:
    """Go's decoder matches field names case-insensitively (an exact match wins)."""
    if name in obj:
        return obj[name]
    for key, value in obj.items():
        if key.lower() == name:
            return value
    return None


def normalize_entry(raw: Any) -> dict[str, Any]:
    """One ``builds[]`` entry as Go's ``manifest.Artifact`` struct reads and re-writes it."""
    if not isinstance(raw, dict):
        raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(raw)} into Go struct field of type manifest.Artifact")
    entry: dict[str, Any] = {
        "name": _str(_field(raw, "name"), "Go struct field Artifact.builds.name"),
        "builder_type": _str(_field(raw, "builder_type"), "Go struct field Artifact.builds.builder_type"),
    }
    build_time = _int(_field(raw, "build_time"), "Go struct field Artifact.builds.build_time")
    if build_time:
        entry["build_time"] = build_time
    raw_files = _field(raw, "files")
    files: list[dict[str, Any]] | None = None
    if raw_files is not None:
        if not isinstance(raw_files, list):
            raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(raw_files)} into Go struct field Artifact.builds.files")
        files = []
        for f in raw_files:
            f = f if isinstance(f, dict) else {}
            files.append({"name": _str(_field(f, "name"), "Go struct field ArtifactFile.builds.files.name"),
                          "size": _int(_field(f, "size"), "Go struct field ArtifactFile.builds.files.size")})
    entry["files"] = files
    entry["artifact_id"] = _str(_field(raw, "artifact_id"), "Go struct field Artifact.builds.artifact_id")
    entry["packer_run_uuid"] = _str(_field(raw, "packer_run_uuid"), "Go struct field Artifact.builds.packer_run_uuid")
    custom = _field(raw, "custom_data")
    if custom is not None and not isinstance(custom, dict):
        raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(custom)} into Go struct field Artifact.builds.custom_data")
    entry["custom_data"] = None if custom is None else GoMap(
        {str(k): _str(v, "Go struct field Artifact.builds.custom_data") for k, v in custom.items()})
    return entry


def parse_manifest(text: bytes) -> tuple[list[dict[str, Any]], str]:
    """The builds and last_run_uuid of an existing manifest (empty content is an empty manifest)."""
    if not text:
        return [], ""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ManifestFormatError(str(exc)) from exc
    if doc is None:
        return [], ""
    if not isinstance(doc, dict):
        raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(doc)} into Go value of type manifest.ManifestFile")
    raw_builds = _field(doc, "builds")
    if raw_builds is not None and not isinstance(raw_builds, list):
        raise ManifestFormatError(f"json: cannot unmarshal {_json_kind(raw_builds)} into Go struct field ManifestFile.builds")
    builds = [normalize_entry(b) for b in raw_builds or []]
    return builds, _str(_field(doc, "last_run_uuid"), "Go struct field ManifestFile.last_run_uuid")


def render_manifest(builds: list[dict[str, Any]], last_run_uuid: str) -> bytes:
    return marshal_indent({"builds": builds, "last_run_uuid": last_run_uuid}).encode("utf-8")


class ManifestPostProcessor(PostProcessor[ManifestConfig]):
    Config = ManifestConfig
    description = "Records each build's artifact in a JSON manifest."

    def __init__(self) -> None:
        self.config = ManifestConfig()
        self.info = BuildInfo()

    def configure(self, config: ManifestConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        if not config.output:
            config.output = DEFAULT_OUTPUT
        self.config, self.info = config, info
        return []

    def entry_for(self, ctx: Context, artifact: Artifact, run_uuid: str) -> dict[str, Any]:
        generated = artifact.state.get("generated_data")
        data = generated if isinstance(generated, dict) else {}
        custom = None
        if self.config.custom_data is not None:
            custom = GoMap({k: _masked(render(v, data, self.info), self.info.sensitive_values)
                            for k, v in self.config.custom_data.items()})
        files = None
        if artifact.files:
            files = []
            for name in artifact.files:
                try:
                    size = os.stat(name).st_size
                except OSError:
                    size = 0
                files.append({"name": os.path.basename(name) if self.config.strip_path else name, "size": size})
        entry: dict[str, Any] = {"name": self.info.build_name, "builder_type": self.info.builder_type}
        if not self.config.strip_time:
            entry["build_time"] = int(time.time())
        entry.update(files=files, artifact_id=artifact.id, packer_run_uuid=run_uuid, custom_data=custom)
        return entry

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        run_uuid = self.info.run_uuid or os.environ.get("PACKER_RUN_UUID", "")
        entry = self.entry_for(ctx, artifact, run_uuid)
        path = self.config.output
        try:
            with locked(path):
                append_entry(path, entry, run_uuid, self.info.force)
        except OSError as exc:  # the directory is missing, not writable, ...
            reason = exc.strerror or str(exc)
            raise BuildError(f"Unable to write {path}: open {path}: {reason[:1].lower()}{reason[1:]}") from exc
        # The manifest never deletes the artifact it records.
        return PostProcessResult(artifact, keep=True, force_override=True)


def append_entry(path: str, entry: dict[str, Any], run_uuid: str, force: bool) -> None:
    """Read ``path`` (if any), append ``entry``, write it back. Call under :func:`locked`."""
    try:
        with open(path, "rb") as f:
            text = f.read()
    except FileNotFoundError:
        text = b""
    except OSError as exc:
        raise BuildError(f"Unable to open {path} for reading: {exc.strerror or exc}") from exc
    try:
        builds, last_run_uuid = parse_manifest(text)
    except ManifestFormatError as exc:
        raise BuildError(f"Unable to parse content from {path}: {exc}") from exc
    if force and run_uuid != last_run_uuid:
        builds = []
    builds.append(entry)
    write_atomically(path, render_manifest(builds, run_uuid))
