"""`make proto-check`'s breaking-change check (tools/proto_breaking.py) over real descriptor sets made by protoc:
it fails on each kind of breaking edit of plugin.proto and passes on additive ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROTO = ROOT / "proto" / "kiln" / "plugin" / "v1" / "plugin.proto"
BASELINE = PROTO.with_name("plugin.v1.binpb")
CHECK = ROOT / "tools" / "proto_breaking.py"


def compile_proto(text: str, tmp_path: Path) -> Path:
    src = tmp_path / "src" / "kiln" / "plugin" / "v1"
    src.mkdir(parents=True)
    (src / "plugin.proto").write_text(text)
    out = tmp_path / "current.binpb"
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{tmp_path / 'src'}",
                    f"--descriptor_set_out={out}", "kiln/plugin/v1/plugin.proto"], check=True, capture_output=True)
    return out


def check(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    current = compile_proto(text, tmp_path)
    return subprocess.run([sys.executable, str(CHECK), str(BASELINE), str(current)], capture_output=True, text=True)


def edit(old: str, new: str) -> str:
    text = PROTO.read_text()
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_proto_as_committed_matches_its_baseline(tmp_path: Path) -> None:
    r = check(PROTO.read_text(), tmp_path)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize(("old", "new", "message"), [
    # a renumbered field
    ("  string summary = 2;\n  string detail = 3;", "  string summary = 12;\n  string detail = 3;",
     "field kiln.plugin.v1.Diagnostic.summary (2) was renumbered to 12"),
    # a removed field, its number not reserved
    ("  string detail = 3;\n  repeated string attribute_path = 4;", "  repeated string attribute_path = 4;",
     "field kiln.plugin.v1.Diagnostic.detail (3) was removed without reserving its number and name"),
    # a retyped field
    ("  uint64 instance = 1;\n}\n\nmessage CancelResponse", "  string instance = 1;\n}\n\nmessage CancelResponse",
     "field kiln.plugin.v1.CancelRequest.instance (1) changed type from TYPE_UINT64 to TYPE_STRING"),
    # a renamed field (JSON)
    ("  string plugin_version = 1;", "  string version = 1;", "was renamed to version"),
    # repeated -> singular
    ("  repeated string capabilities = 4;", "  string capabilities = 4;", "changed its label"),
    # a removed RPC
    ("  rpc Close(CloseRequest) returns (CloseResponse);\n", "", "rpc kiln.plugin.v1.Plugin.Close was removed"),
    # a changed RPC type
    ("rpc Cancel(CancelRequest) returns (CancelResponse);", "rpc Cancel(CloseRequest) returns (CancelResponse);",
     "rpc kiln.plugin.v1.Plugin.Cancel: its types changed"),
    # a renumbered enum value
    ("    SEVERITY_WARNING = 2;", "    SEVERITY_WARNING = 3;", "SEVERITY_WARNING (2) changed its number to 3"),
    # a reserved number given up
    ("  reserved 2, 3;\n  reserved \"has_artifact\", \"error\";\n  bool cancelled = 4;",
     "  reserved 3;\n  reserved \"has_artifact\", \"error\";\n  bool cancelled = 4;",
     "message kiln.plugin.v1.BuilderRunResponse: reserved numbers [2] are no longer reserved"),
    # a removed message
    ("message CancelResponse {}\n", "", "message kiln.plugin.v1.CancelResponse was removed"),
])
def test_breaking_edits_fail(tmp_path: Path, old: str, new: str, message: str) -> None:
    if "CancelResponse {}" in old:  # the RPC must go too, or protoc refuses the file
        text = edit(old, new).replace("returns (CancelResponse)", "returns (CloseResponse)")
    else:
        text = edit(old, new)
    r = check(text, tmp_path)
    assert r.returncode == 1
    assert message in r.stdout, r.stdout
    assert "a breaking change is a new package kiln.plugin.v2" in r.stdout


@pytest.mark.parametrize(("old", "new"), [
    # a new field with a new number
    ("  string source = 5;", "  string source = 5;\n  repeated string features = 6;"),
    # a new message and a new RPC
    ("service Plugin {\n", "message PingRequest {}\nmessage PingResponse {}\n\nservice Plugin {\n"
                           "  rpc Ping(PingRequest) returns (PingResponse);\n"),
    # a new enum value
    ("    SEVERITY_WARNING = 2;", "    SEVERITY_WARNING = 2;\n    SEVERITY_NOTE = 3;"),
    # a field removed the right way: number and name reserved
    ("  string detail = 3;\n  repeated string attribute_path = 4;",
     "  reserved 3;\n  reserved \"detail\";\n  repeated string attribute_path = 4;"),
])
def test_additive_edits_pass(tmp_path: Path, old: str, new: str) -> None:
    r = check(edit(old, new), tmp_path)
    assert r.returncode == 0, r.stdout
