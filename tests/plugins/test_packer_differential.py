"""The bundled components against Debian's Packer 1.6.6 on the same templates and inputs.

Packer builds in one directory; kiln's components (called in-process, as the core would call them)
build the same thing in another; the outputs are compared byte for byte where the format allows.
"""

from __future__ import annotations

import gzip
import lzma
import os
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from kiln_plugins.builder.file import FileBuilder
from kiln_plugins.builder.null import NullBuilder
from kiln_plugins.post_processor.checksum import ChecksumPostProcessor
from kiln_plugins.post_processor.compress import CompressPostProcessor
from kiln_plugins.post_processor.manifest import ManifestPostProcessor
from kiln_plugins.provisioner.shell_local import ShellLocalProvisioner
from kiln_sdk.artifact import Artifact
from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import BuildContext, BuildInfo, Context, Hook, ProvisionContext
from kiln_sdk.config import decode
from kiln_sdk.diagnostics import BuildError
from kiln_sdk.ui import RecordingUi

PACKER = shutil.which("packer") or "/usr/bin/packer"
pytestmark = pytest.mark.skipif(not os.path.exists(PACKER), reason="Packer 1.6.6 (Debian's packer) is not installed")

SOURCES = '''
source "null" "alpha" {
  communicator = "none"
}
source "file" "f" {
  content = "hello\\n"
  target  = "sub/out.txt"
}
'''


def packer_build(workdir: Path, body: str, *flags: str) -> subprocess.CompletedProcess[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "t.pkr.hcl").write_text(SOURCES + body)
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "PACKER_LOG": ""}
    env.pop("PACKER_RUN_UUID", None)
    return subprocess.run([PACKER, "build", "-color=false", *flags, "t.pkr.hcl"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=60)


def output_lines(proc: subprocess.CompletedProcess[str], build: str) -> list[str]:
    prefix = f"    {build}:"  # an empty message has no space after the colon
    return [line[len(prefix) + 1:] for line in proc.stdout.splitlines() if line.startswith(prefix)]


def info_for(source: str, run_uuid: str = "", force: bool = False) -> BuildInfo:
    return BuildInfo(build_name=source, builder_type="null" if source == "alpha" else "file", run_uuid=run_uuid,
                     force=force)


def build(source: str, info: BuildInfo, provisioners: list[ShellLocalProvisioner] = ()) -> tuple[Artifact, RecordingUi]:  # type: ignore[assignment]
    """Run kiln's builder for ``source`` with ``provisioners`` on its provision hook, as the core does."""
    ui = RecordingUi()

    class ProvisionHook(Hook):
        def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
            for p in provisioners:
                p.provision(ProvisionContext(ui=ui, info=info, communicator=communicator, generated_data=data))

    builder: Any = NullBuilder() if source == "alpha" else FileBuilder()
    raw = {"communicator": "none"} if source == "alpha" else {"content": "hello\n", "target": "sub/out.txt"}
    builder.prepare(decode(builder.Config, raw), info)
    artifact = builder.run(BuildContext(ui=ui, info=info, hook=ProvisionHook()))
    assert artifact is not None
    return artifact, ui


def post_process(pp: Any, raw: dict[str, Any], info: BuildInfo, artifact: Artifact) -> Artifact:
    config = decode(pp.Config, raw)
    pp.configure(config, info)
    return pp.post_process(Context(ui=RecordingUi(), info=info), artifact).artifact  # type: ignore[no-any-return]


def test_manifest_matches_packer_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = '''build {
  sources = ["source.null.alpha", "source.file.f"]
  post-processor "manifest" {
    output      = "m.json"
    strip_time  = true
    custom_data = { b = "2", a = "<&> é", c = "{{ build_name }}" }
  }
  post-processor "manifest" {
    output     = "stripped.json"
    strip_path = true
  }
}
'''
    theirs = tmp_path / "packer"
    for _ in range(2):  # the second run appends
        proc = packer_build(theirs, body)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    import json
    packer_doc = json.loads((theirs / "m.json").read_text())
    ours = tmp_path / "kiln"
    ours.mkdir()
    monkeypatch.chdir(ours)
    for entry in packer_doc["builds"]:  # same order and run ids as Packer's (its builds run in parallel)
        info = info_for(entry["name"], entry["packer_run_uuid"])
        artifact, _ = build(entry["name"], info)
        post_process(ManifestPostProcessor(), {"output": "m.json", "strip_time": True,
                                               "custom_data": {"b": "2", "a": "<&> é", "c": "{{ build_name }}"}},
                     info, artifact)
        post_process(ManifestPostProcessor(), {"output": "stripped.json", "strip_path": True}, info, artifact)
    assert (ours / "m.json").read_bytes() == (theirs / "m.json").read_bytes()
    packer_stripped = json.loads((theirs / "stripped.json").read_text())
    ours_stripped = json.loads((ours / "stripped.json").read_text())
    for doc in (packer_stripped, ours_stripped):
        for b in doc["builds"]:
            assert isinstance(b.pop("build_time"), int)
        # Packer's parallel builds may reach this second manifest in another order than the first
        doc["builds"].sort(key=lambda b: (b["packer_run_uuid"], b["name"]))
    assert ours_stripped == packer_stripped
    assert [b["files"] for b in ours_stripped["builds"] if b["name"] == "f"][0] == [{"name": "out.txt", "size": 6}]



def test_manifest_appends_and_force_starts_over_like_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Packer 1.6.6 ignores -force for HCL2 post-processors (hashicorp/packer#10536, fixed in 1.7.0);
    # its legacy JSON templates show the intended behaviour.
    import json
    theirs, ours = tmp_path / "packer", tmp_path / "kiln"
    theirs.mkdir()
    ours.mkdir()
    (theirs / "t.json").write_text(json.dumps({
        "builders": [{"type": "null", "name": "alpha", "communicator": "none"}],
        "post-processors": [{"type": "manifest", "output": "m.json", "strip_time": True}]}))
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
    monkeypatch.chdir(ours)
    for flags in ([], [], ["-force"], []):
        proc = subprocess.run([PACKER, "build", "-color=false", *flags, "t.json"], cwd=theirs, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout
        run = json.loads((theirs / "m.json").read_text())["last_run_uuid"]
        info = info_for("alpha", run, force=bool(flags))
        artifact, _ = build("alpha", info)
        post_process(ManifestPostProcessor(), {"output": "m.json", "strip_time": True}, info, artifact)
        assert (ours / "m.json").read_bytes() == (theirs / "m.json").read_bytes()
    assert len(json.loads((ours / "m.json").read_text())["builds"]) == 2


def test_checksum_files_match_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    types = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]
    body = '''build {
  sources = ["source.file.f"]
  post-processor "checksum" {
    checksum_types = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]
  }
  post-processor "checksum" {
    checksum_types = ["sha256"]
    output         = "sums/{{.BuildName}}-{{.ChecksumType}}.txt"
  }
}
'''
    theirs = tmp_path / "packer"
    proc = packer_build(theirs, body)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ours = tmp_path / "kiln"
    ours.mkdir()
    monkeypatch.chdir(ours)
    info = info_for("f")
    artifact, _ = build("f", info)
    result = post_process(ChecksumPostProcessor(), {"checksum_types": types}, info, artifact)
    post_process(ChecksumPostProcessor(), {"checksum_types": ["sha256"],
                                           "output": "sums/{{.BuildName}}-{{.ChecksumType}}.txt"}, info, artifact)
    names = [f"packer_f_file_{t}.checksum" for t in types] + ["sums/f-sha256.txt"]
    for name in names:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    assert f"--> file.f: {result}" in proc.stdout


def _tar_listing(data: bytes) -> list[tuple[Any, ...]]:
    import io
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return [(m.name, m.size, m.mode, m.mtime, m.uname, m.type, tar.extractfile(m).read())  # type: ignore[union-attr]
                for m in tar.getmembers()]


def test_compress_outputs_match_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = {"a.tar": "", "b.tar.gz": "", "c.zip": "", "d.gz": "", "e.xz": "", "f": "tar.xz", "g.bz2": ""}
    blocks = "".join(
        f'  post-processor "compress" {{\n    output = "{o}"\n' + (f'    format = "{fmt}"\n' if fmt else "")
        + "    keep_input_artifact = true\n  }\n" for o, fmt in outputs.items())
    theirs = tmp_path / "packer"
    proc = packer_build(theirs, 'build {\n  sources = ["source.file.f"]\n' + blocks + "}\n")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ours = tmp_path / "kiln"
    ours.mkdir()
    monkeypatch.chdir(ours)
    info = info_for("f")
    artifact, _ = build("f", info)
    said: list[str] = []
    for output, fmt in outputs.items():
        pp = CompressPostProcessor()
        pp.configure(decode(pp.Config, {"output": output, "format": fmt}), info)
        ui = RecordingUi()
        result = pp.post_process(Context(ui=ui, info=info), artifact).artifact
        said += ui.lines("say")
        assert f"--> file.f: {result}" in proc.stdout
    prefix = "==> file.f (compress): "
    assert said == [line[len(prefix):] for line in proc.stdout.splitlines() if line.startswith(prefix)]
    assert (ours / "a.tar").read_bytes() == (theirs / "a.tar").read_bytes()  # GNU tar, byte for byte
    for name in ("b.tar.gz", "g.bz2"):  # Packer's default for an unknown extension: tar.gz
        assert gzip.decompress((ours / name).read_bytes()) == gzip.decompress((theirs / name).read_bytes())
    assert lzma.decompress((ours / "f").read_bytes()) == lzma.decompress((theirs / "f").read_bytes())
    assert _tar_listing(lzma.decompress((ours / "f").read_bytes()))[0][:2] == ("out.txt", 6)
    assert gzip.decompress((ours / "d.gz").read_bytes()) == gzip.decompress((theirs / "d.gz").read_bytes())
    assert lzma.decompress((ours / "e.xz").read_bytes()) == lzma.decompress((theirs / "e.xz").read_bytes())

    def zip_listing(path: Path) -> list[tuple[Any, ...]]:
        with zipfile.ZipFile(path) as z:
            return [(i.filename, i.file_size, i.CRC, i.date_time, i.create_system, i.external_attr, i.compress_type,
                     z.read(i)) for i in z.infolist()]

    assert zip_listing(ours / "c.zip") == zip_listing(theirs / "c.zip")


def test_shell_local_environment_and_output_match_packer(tmp_path: Path) -> None:
    raws: list[dict[str, Any]] = [
        {"inline": ["echo unused"], "environment_vars": ["FOO=it's", "BAR=a b", "E="],
         "execute_command": ["printf", "[%s]\\n", "{{.Vars}}"]},
        {"inline": ['echo "$FOO|$PACKER_BUILD_NAME|$PACKER_BUILDER_TYPE|${PACKER_HTTP_ADDR-unset}|{{ build_name }}"',
                    "echo 'a  '; echo; printf 'x\\ry\\n'; printf '  lead\\n'; printf noeol"],
         "environment_vars": ["FOO=it's"]},
        {"inline": ["echo skipped"], "only_on": ["windows"]},
    ]
    hcl = "".join(_provisioner_hcl(r) for r in raws)
    proc = packer_build(tmp_path / "packer", f'build {{\n  sources = ["source.null.alpha"]\n{hcl}}}\n')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    info = info_for("alpha")
    provisioners = []
    for raw in raws:
        p = ShellLocalProvisioner()
        p.prepare(decode(p.Config, raw), info)
        provisioners.append(p)
    _, ui = build("alpha", info, provisioners)
    assert ui.lines("message") == output_lines(proc, "null.alpha")
    steps = [line.split(": ", 1)[1] for line in proc.stdout.splitlines() if line.startswith("==> null.alpha: ")]
    assert [s.split("/tmp/")[0] for s in ui.lines("say")] == [s.split("/tmp/")[0] for s in steps]


def test_shell_local_failure_message_matches_packer(tmp_path: Path) -> None:
    raw = {"inline": ["exit 3"], "valid_exit_codes": [0, 2]}
    proc = packer_build(tmp_path / "packer", 'build {\n  sources = ["source.null.alpha"]\n'
                        + _provisioner_hcl(raw) + "}\n")
    assert proc.returncode == 1
    info = info_for("alpha")
    p = ShellLocalProvisioner()
    p.prepare(decode(p.Config, raw), info)
    with pytest.raises(BuildError) as err:
        build("alpha", info, [p])
    assert f"--> null.alpha: {err.value}" in proc.stdout


def _hcl_value(v: Any) -> str:
    import json
    if isinstance(v, list):
        return "[" + ", ".join(_hcl_value(x) for x in v) + "]"
    return json.dumps(v).replace("${", "$${")


def _provisioner_hcl(raw: dict[str, Any]) -> str:
    return '  provisioner "shell-local" {\n' + "".join(f"    {k} = {_hcl_value(v)}\n" for k, v in raw.items()) + "  }\n"


def test_go_templates_in_settings_render_like_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Packer renders Go templates in plugin settings at prepare time, without build data.
    import json
    theirs = tmp_path / "packer"
    theirs.mkdir()
    (theirs / "t.pkr.hcl").write_text('''source "file" "g" {
  content = "x {{ build_name }} {{ .Foo }} <&> y"
  target  = "{{ build_type }}.txt"
}
build {
  sources = ["source.file.g"]
  post-processor "manifest" {
    output      = "{{ build_name }}-m.json"
    strip_time  = true
    custom_data = { k = "{{ build_name }} {{ .ID }}" }
  }
}
''')
    proc = subprocess.run([PACKER, "build", "-color=false", "t.pkr.hcl"], cwd=theirs, capture_output=True, text=True,
                          env={**os.environ, "CHECKPOINT_DISABLE": "1"}, timeout=60)
    assert proc.returncode == 0, proc.stdout
    run = json.loads((theirs / "g-m.json").read_text())["last_run_uuid"]
    ours = tmp_path / "kiln"
    ours.mkdir()
    monkeypatch.chdir(ours)
    info = BuildInfo(build_name="g", builder_type="file", run_uuid=run)
    builder = FileBuilder()
    builder.prepare(decode(builder.Config, {"content": "x {{ build_name }} {{ .Foo }} <&> y",
                                            "target": "{{ build_type }}.txt"}), info)
    artifact = builder.run(BuildContext(ui=RecordingUi(), info=info))
    assert artifact is not None
    post_process(ManifestPostProcessor(), {"output": "{{ build_name }}-m.json", "strip_time": True,
                                           "custom_data": {"k": "{{ build_name }} {{ .ID }}"}}, info, artifact)
    for name in ("file.txt", "g-m.json"):
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name


def test_tar_headers_for_unicode_and_long_names_match_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_name = "n" * 120 + ".txt"  # over tar's 100-byte name field: GNU ././@LongLink
    theirs = tmp_path / "packer"
    theirs.mkdir()
    (theirs / "t.pkr.hcl").write_text(f'''
source "file" "a" {{
  content = "x"
  target  = "é.txt"
}}
source "file" "b" {{
  content = "y"
  target  = "{long_name}"
}}
build {{
  sources = ["source.file.a", "source.file.b"]
  post-processor "compress" {{
    output              = "{{{{.BuildName}}}}.tar"
    keep_input_artifact = true
  }}
}}
''')
    proc = subprocess.run([PACKER, "build", "-color=false", "t.pkr.hcl"], cwd=theirs, capture_output=True, text=True,
                          env={**os.environ, "CHECKPOINT_DISABLE": "1"}, timeout=60)
    assert proc.returncode == 0, proc.stdout
    monkeypatch.chdir(theirs)  # the same input files, Packer's own
    for build_name, name in (("a", "é.txt"), ("b", long_name)):
        info = BuildInfo(build_name=build_name, builder_type="file")
        post_process(CompressPostProcessor(), {"output": "kiln-{{.BuildName}}.tar"}, info,
                     Artifact("packer.file", "File", [name]))
        assert (theirs / f"kiln-{build_name}.tar").read_bytes() == (theirs / f"{build_name}.tar").read_bytes()
