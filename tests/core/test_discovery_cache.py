"""The describe cache of plugin discovery: keyed by content (an edit of any file of an editable install is
seen), shared by every verb, safe under concurrent runs, and a hanging describe costs one short time-out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from kiln.plugins import discovery
from kiln.plugins.discovery import DescribeCache, DiscoveryError, PluginExecutable, content_key

DESCRIPTION = {"version": "1.0.0", "protocol_version": 1, "builders": ["thing"], "provisioners": [],
               "post_processors": [], "datasources": []}


def counting_plugin(tmp_path: Path, name: str = "kiln-plugin-count", body: str = "") -> tuple[Path, Path]:
    """A plugin executable whose ``describe`` appends a line to a counter file."""
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    counter = tmp_path / f"{name}.count"
    exe = d / name
    exe.write_text(f"#!/bin/sh\necho x >> {counter}\n{body}\necho '{json.dumps(DESCRIPTION)}'\n")
    exe.chmod(0o755)
    return exe, counter


def runs(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "KILN_PLUGIN_PATH": str(tmp_path / "plugins"), **extra}


def test_a_described_plugin_is_not_asked_again_until_its_file_changes(tmp_path: Path) -> None:
    exe, counter = counting_plugin(tmp_path)
    env = env_for(tmp_path)
    assert discovery.discover(env).find("builder", "count-thing") is not None  # described when looked up
    assert runs(counter) == 1
    discovery.discover(env).find("builder", "count-thing")
    assert runs(counter) == 1
    discovery.discover(env).find("builder", "null")  # a component it cannot provide: not asked at all
    assert runs(counter) == 1
    exe.write_text(exe.read_text().replace('"thing"', '"other"'))
    catalog = discovery.discover(env)
    assert catalog.find("builder", "count-other") is not None and runs(counter) == 2


def test_editing_any_file_of_a_package_changes_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "site" / "kiln_plugin_edited"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    deep = pkg / "sub" / "components.py"
    deep.write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    before = content_key("cmd", packages=("kiln_plugin_edited",))
    assert content_key("cmd", packages=("kiln_plugin_edited",)) == before  # stable
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert content_key("cmd", packages=("kiln_plugin_edited",)) == before  # compiling is no change
    st = deep.stat()
    deep.write_text("X = 2\n")  # same size: only the mtime (ns) tells
    os.utime(deep, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    after_edit = content_key("cmd", packages=("kiln_plugin_edited",))
    assert after_edit != before
    (pkg / "sub" / "new.py").write_text("")
    assert content_key("cmd", packages=("kiln_plugin_edited",)) not in (before, after_edit)


def test_a_console_script_of_this_interpreter_is_keyed_by_its_package(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "site" / "kiln_plugin_script"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text("def main(): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    script = tmp_path / "kiln-plugin-script"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom kiln_plugin_script.main import main\nsys.exit(main())\n")
    before = discovery._executable_key(script)
    (pkg / "main.py").write_text("def main(): return 0\n")
    assert discovery._executable_key(script) != before


def test_the_bundled_plugins_key_covers_their_package_and_the_sdk() -> None:
    exe = discovery.bundled()
    assert exe.fingerprint == content_key(*exe.command, packages=("kiln_plugins",))
    assert len(exe.fingerprint) == 64


def test_a_hanging_describe_costs_one_short_time_out_naming_the_plugin(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "plugins").mkdir()
    discovery.discover(env_for(tmp_path))  # the other plugins described first, without the short time-out
    _, counter = counting_plugin(tmp_path, "kiln-plugin-hang", body="sleep 30")
    env = env_for(tmp_path, KILN_PLUGIN_DESCRIBE_TIMEOUT="0.5")
    catalog = discovery.discover(env)
    assert catalog.find("builder", "hang-thing") is None
    assert "plugin kiln-plugin-hang did not describe itself within 0.5s" in caplog.text
    assert "did not describe itself within 0.5s" in catalog.why_missing("hang-thing")
    # the failure is cached under the same key: not asked (and waited for) again
    discovery.discover(env).find("builder", "hang-thing")
    assert runs(counter) == 1
    # but said each time (other installed plugin distributions may time out too under load: not counted)
    assert caplog.text.count("plugin kiln-plugin-hang did not describe itself within 0.5s") == 2


def test_concurrent_runs_merge_their_entries_and_never_leave_half_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "describe-cache.json"
    errors: list[BaseException] = []

    def one_run(i: int) -> None:
        try:
            cache = DescribeCache(path)
            cache.new[f"key-{i}"] = cache.data[f"key-{i}"] = {**DESCRIPTION, "version": str(i)}
            cache.save()
            json.loads(path.read_text())  # whoever reads it sees a whole file
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one_run, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    entries = json.loads(path.read_text())["entries"]
    assert len(entries) >= 1 and all(entries[k]["version"] == k.split("-")[1] for k in entries)
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"]


def test_entries_of_another_run_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "describe-cache.json"
    first, second = DescribeCache(path), DescribeCache(path)  # both read the file before either wrote
    first.new["a"] = {**DESCRIPTION}
    first.save()
    second.new["b"] = {**DESCRIPTION}
    second.save()
    assert set(json.loads(path.read_text())["entries"]) == {"a", "b"}


def test_a_failing_describe_names_the_plugin(tmp_path: Path) -> None:
    exe = tmp_path / "kiln-plugin-broken"
    exe.write_text("#!/bin/sh\necho 'no such module' >&2\nexit 3\n")
    exe.chmod(0o755)
    cache = DescribeCache(tmp_path / "c.json")
    with pytest.raises(DiscoveryError, match="plugin kiln-plugin-broken failed to describe itself .exit 3.: no such"):
        cache.describe(PluginExecutable((str(exe),), exe.name, "k"))


def test_concurrent_real_kiln_runs_share_one_whole_cache_that_build_reuses_after_validate(tmp_path: Path) -> None:
    """Six ``kiln validate`` processes at once on a cold cache, then ``kiln build``: the cache file is whole
    JSON holding the entries of the plugins they described, no temporary file is left, build describes
    nothing again, and the plugin on the path that the template does not use is never run."""
    exe, counter = counting_plugin(tmp_path)
    env = {**os.environ, **env_for(tmp_path)}
    (tmp_path / "t.pkr.hcl").write_text('source "null" "a" { communicator = "none" }\nbuild { sources = ["null.a"] }\n')
    procs = [subprocess.Popen([sys.executable, "-m", "kiln", "validate", "t.pkr.hcl"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
             for _ in range(6)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    path = tmp_path / "cache" / "kiln" / "describe-cache.json"
    cached = json.loads(path.read_text())
    assert cached["version"] == discovery.CACHE_VERSION
    assert discovery.bundled().fingerprint in cached["entries"]
    assert len(cached["entries"]) >= 2  # the bundled plugin's and the installed distributions'
    assert discovery._executable_key(exe) not in cached["entries"]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    described = runs(counter)
    assert described == 0
    build = subprocess.run([sys.executable, "-m", "kiln", "build", "t.pkr.hcl"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert build.returncode == 0, build.stdout + build.stderr
    assert runs(counter) == described
