"""``kiln hcl2_upgrade`` against Debian's Packer 1.6.6 ``packer hcl2_upgrade``, where both convert alike.

kiln follows newer Packer (docs/hcl2_upgrade.md lists where it differs from 1.6.6 and why). For every
fixture, Packer 1.6.6's output file goes through the documented differences that concern it (each a
named, exact rewrite in oracle.py), and must then equal kiln's ``-with-annotations`` output byte for byte;
without the flag, kiln's output must equal that text with the annotation comments taken out. Every
output must load with ``kiln validate -syntax-only``. Packer runs once per fixture in one shell loop.

Packer's output is deterministic for these fixtures: none of them puts a null next to scalars in one
JSON object (Packer's guess between block and attribute then depends on Go's random map order).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from kiln.cli import fmt as fmt_cli

from tests.core.hcl2_upgrade.oracle import (
    FILE,
    NULL,
    base_rewrites,
    kiln,
    points_sorted,
    run_packer_all,
    strip_annotations,
    success_line,
    t,
    validate_syntax,
)

pytestmark = pytest.mark.skipif(shutil.which("packer") is None, reason="needs Debian's packer 1.6.6")


def _v(value: str) -> str:
    """A template whose one builder has ``v = VALUE``."""
    return t({"type": "null", "communicator": "none", "v": value})


# --- fixtures: one per construct, then generated combinations ----------------------------------------

FIXTURES: dict[str, str] = {
    "null_minimal": t(NULL),
    "file_builder": t(FILE),
    "two_builders_sorted": t(FILE, NULL, {"type": "null", "name": "aaa", "communicator": "none"}),
    "builder_named_as_type": t({"type": "null", "name": "null", "communicator": "none"}),
    "scalars": t({"type": "null", "communicator": "none", "b": True, "f": False, "i": 42, "x": 1.5,
                  "neg": -3, "big": 1e21, "small": 1e-7, "s": "text", "empty": ""}),
    "strings_escaped": t({"type": "null", "communicator": "none", "q": 'a "q" \\ b', "nl": "l1\nl2\tx\r",
                          "interp": "${x} and %{y} and $ % {z}", "uni": "h\u00e9\u00e9 \U0001f937",
                          "ctrl": "\u0001\u007f", "nfd": "e\u0301"}),
    "nested_map_attribute": t({"type": "null", "communicator": "none", "tags": {"b": "2", "a": "1", "a-b": 3,
                                                                            "with space": "x", "1x": "y"}}),
    "nested_block": t({"type": "null", "communicator": "none",
                       "filter": {"filters": {"name": "n"}, "owners": ["o"], "most_recent": True}}),
    "list_of_objects": t({"type": "null", "communicator": "none",
                          "disks": [{"size": 1, "name": "a"}, {"size": 2, "tags": {"k": "v"}}]}),
    "lists": t({"type": "null", "communicator": "none", "l": ["a", "b"], "n": [1, 2.5], "mixed": ["a", 1, True],
                "nested": [["a"], ["b", "c"]], "empty": [], "empty_map": {}}),
    "deep_nesting": t({"type": "null", "communicator": "none",
                       "a": {"b": {"c": {"d": "e", "f": [1]}, "g": [{"h": {"i": "j"}}]}}}),
    "alignment_runs": t({"type": "null", "communicator": "none", "a": 1, "bbbbbbbbbbbb": 2, "m": {"x": 1},
                         "n": 3, "oooooooooooooooooooo": 4}),
    "unicode_keys": t({"type": "null", "communicator": "none", "\u00e9t\u00e9": "x", "tags": {"\u00e9": "1",
                                                                                        "long": "2"}}),
    "variables": t(NULL, variables={"b": "2", "a": "1", "empty": "", "req": None, "wspace": " x "}),
    "sensitive_variables": t(NULL, variables={"pw": "p", "req": None, "e": ""},
                             sensitive_variables=["pw", "req", "e", "not_declared"]),
    "variable_env": t(NULL, variables={"home": "{{env `HOME`}}", "two": "{{ env `A` }}-{{env `B`}}"}),
    "min_version": t(NULL, min_packer_version="1.5.0"),
    "min_version_and_vars": t(NULL, min_packer_version="1.2.3", variables={"x": "y"}),
    "description": t(NULL, description='Builds "things" with ${x}'),
    "user_calls": t({"type": "null", "communicator": "none", "v": "{{user `a`}}", "w": "{{ user `b` }}-x"},
                    variables={"a": "1", "b": "2"}),
    "env_calls": t({"type": "null", "communicator": "none", "h": "{{env `HOME`}}", "q": "{{ env `X` }}"}),
    "timestamp": t({"type": "null", "communicator": "none", "n": "img-{{timestamp}}", "m": "{{ timestamp }}"}),
    "timestamp_with_vars": t({"type": "null", "communicator": "none", "n": "img-{{timestamp}}"},
                             variables={"a": "b"}),
    "simple_functions": t(NULL, pr=[{"type": "shell-local", "inline": [
        "echo {{uuid}} {{pwd}} {{template_dir}} {{packer_version}}", "echo {{build_name}} {{build_type}}",
        "echo {{build `ID`}} {{ build `SSHPublicKey` }}"]}]),
    "trim_markers": t(NULL, pr=[{"type": "shell-local", "inline": ["a {{- uuid -}} b", "c {{/* note */}} d"]}]),
    "http_placeholders": t({"type": "null", "communicator": "none",
                            "boot_command": ["http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg"]}),
    "provisioners": t(NULL, pr=[{"type": "shell-local", "inline": ["a"]}, {"type": "shell-local", "command": "b",
                                                                         "environment_vars": ["A=1", "B=2"]}]),
    "provisioner_options": t(NULL, {"type": "null", "name": "other", "communicator": "none"},
                             pr=[{"type": "shell-local", "inline": ["x"], "only": ["null"], "except": ["other"],
                                  "max_retries": 3, "timeout": "90s"},
                                 {"type": "shell-local", "inline": ["y"], "max_retries": "2", "timeout": "1h"}]),
    "provisioner_override": t(NULL, pr=[{"type": "shell-local", "inline": ["x"],
                                         "override": {"null": {"inline": ["y"]}}}]),
    "post_processor_single": t(NULL, pp=[{"type": "manifest", "output": "m.json", "strip_path": True}]),
    "post_processor_string": t(NULL, pp=["checksum"]),
    "post_processor_chain": t(NULL, pp=[[{"type": "compress", "output": "a.tar.gz", "keep_input_artifact": True},
                                         {"type": "checksum", "checksum_types": ["sha256"], "only": ["null"]}]]),
    "post_processor_options": t(NULL, {"type": "null", "name": "b", "communicator": "none"},
                                pp=[{"type": "manifest", "name": "m", "output": "x", "except": ["b"],
                                     "keep_input_artifact": False},
                                    [{"type": "checksum", "name": "checksum", "output": "c"}]]),
    "post_processor_chains_mixed": t(NULL, pp=["checksum", [{"type": "manifest", "output": "m"}, "compress"],
                                                {"type": "shell-local", "inline": ["echo {{user `v`}}"]}],
                                     variables={"v": "1"}),
    "everything": t(NULL, FILE, variables={"v": "1", "s": "2"}, sensitive_variables=["s"],
                    min_packer_version="1.6.0", description="all of it",
                    pr=[{"type": "shell-local", "inline": ["echo {{user `v`}} {{timestamp}}"], "only": ["file"]}],
                    pp=[{"type": "manifest", "output": "{{user `s`}}.json"}]),
    "comments_root": t(NULL, _comment="ignored", variables={"a": "b"}),
    # Go templates that do not parse or do not run: the block as written, after Go's error
    "tpl_unclosed_action": _v("{{uuid"),
    "tpl_undefined_function": _v("{{ nosuch `a` }}"),
    "tpl_empty_action": _v("{{}}"),
    "tpl_comment": _v("a{{/* c */}}b {{uuid}}"),
    "tpl_unclosed_comment": _v("{{/* c }}"),
    "tpl_stray_end": _v("{{end}}"),
    "tpl_field_after_literal": _v("{{ `a`.b }}"),
    "tpl_not_executable": _v("{{ uuid | `b` }}"),
    "tpl_printf": _v("{{ printf `%s-%d` `a` 3 }}"),
    "tpl_unterminated_raw": _v("{{ env `a }}"),
    "tpl_unterminated_quoted": _v('{{ env "a }}'),
    "tpl_right_delimiter_alone": _v("a }} b {{uuid}}"),
    "tpl_error_on_line_2": t({"type": "null", "communicator": "none", "a": "{{uuid}}", "b": "{{ nosuch }}"}),
    "tpl_undefined_variable": _v("{{ $y }}"),
    "tpl_unicode": _v("{{ env `\u00e9` }} \u00fc {{uuid}}"),
    "tpl_pipeline": _v("{{ `X` | env }}"),
    "tpl_bad_number": _v("{{ env 1x }}"),
    "tpl_in_key": t({"type": "null", "communicator": "none", "tags": {"{{uuid}}": "v", "k": "{{uuid}}"}}),
    "tpl_in_description": t(NULL, description="{{uuid}} {{user `x`}}"),
}

_VALUES: list[object] = ["s", "{{user `v1`}}", "{{env `E`}}", "a{{timestamp}}", 7, 0.25, True,
                         ["x", "{{uuid}}"], {"k": "v", "k2": 2}, {"f": {"n": "{{user `v2`}}"}},
                         [{"a": 1}, {"a": "{{build_name}}"}], "$${lit}"]
_KEYS = ["alpha", "beta", "gamma_long_key", "d", "e-dash", "zz"]


def _generated(n: int) -> dict[str, str]:
    rnd = random.Random(1606)
    out: dict[str, str] = {}
    for i in range(n):
        builders: list[dict[str, object]] = []
        for j in range(rnd.randint(1, 3)):
            b: dict[str, object] = {"type": rnd.choice(["null", "file"]), "communicator": "none"}
            if j == 0 or rnd.random() < 0.6:  # names unique: "b0" named, at most one per type unnamed
                b["name"] = f"b{j}"
            elif any(x["type"] == b["type"] and "name" not in x for x in builders):
                b["name"] = f"b{j}"
            for k in rnd.sample(_KEYS, rnd.randint(0, 4)):
                b[k] = rnd.choice(_VALUES)
            builders.append(b)
        variables = {f"v{k}": rnd.choice(["value-one", "", None, "{{env `X`}}"]) for k in range(1, 3)} \
            if rnd.random() < 0.7 else {}
        pr = [{"type": "shell-local", "inline": [rnd.choice(["a", "{{user `v1`}}", "{{timestamp}}", "b{{uuid}}"])],
               **({"only": ["b0"]} if rnd.random() < 0.3 else {}),
               **({"max_retries": rnd.randint(1, 5)} if rnd.random() < 0.3 else {})}
              for _ in range(rnd.randint(0, 3))]
        pp: list[object] = [rnd.choice(["checksum", {"type": "manifest", "output": "m{{user `v2`}}"},
                                        [{"type": "compress", "output": "o.tgz"}, "checksum"]])
                            for _ in range(rnd.randint(0, 2))]
        doc: dict[str, object] = {"builders": builders}
        if variables:
            doc["variables"] = variables
            if rnd.random() < 0.5:
                doc["sensitive-variables"] = ["v1"]
        if pr:
            doc["provisioners"] = pr
        if pp:
            doc["post-processors"] = pp
        out[f"gen{i:02d}"] = json.dumps(doc, indent=2)
    return out


CASES = {**FIXTURES, **_generated(25)}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hcl2_upgrade")
    run_packer_all(d, CASES)
    return d


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_packer(name: str, oracle: Path) -> None:
    src = oracle / f"{name}.json"
    assert (oracle / f"{name}.rc").read_text().strip() == "0", (oracle / f"{name}.stdout").read_text()
    want = (oracle / f"{name}.packer.hcl").read_text()
    for rewrite in base_rewrites(CASES[name]):
        want = rewrite(want)
    annotated, plain = oracle / f"{name}.annotated.hcl", oracle / f"{name}.plain.hcl"
    code, out = kiln(["-with-annotations", f"-output-file={annotated}", str(src)])
    assert code == 0, out
    packer_said = success_line((oracle / f"{name}.stdout").read_text(), name, annotated)
    assert points_sorted(out) == points_sorted(packer_said)
    assert annotated.read_text() == want
    code, out = kiln([f"-output-file={plain}", str(src)])
    assert code == 0, out
    assert plain.read_text() == strip_annotations(want)
    for path in (annotated, plain):
        code, out = validate_syntax(path)
        assert code == 0, out


def test_outputs_are_packer_formatted(oracle: Path, tmp_path: Path) -> None:
    """Every output is already in Packer's canonical layout: ``packer fmt -check`` and ``kiln fmt -check``
    change nothing."""
    for name in sorted(CASES):
        for flags, suffix in (([], "plain"), (["-with-annotations"], "annotated")):
            code, out = kiln([*flags, f"-output-file={tmp_path / f'{name}.{suffix}.pkr.hcl'}",
                               str(oracle / f"{name}.json")])
            assert code == 0, out
    p = subprocess.run(["packer", "fmt", "-check", str(tmp_path)], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CHECKPOINT_DISABLE": "1"})
    assert (p.returncode, p.stdout) == (0, ""), p.stdout
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = fmt_cli.run(["-check", str(tmp_path)])
    assert (code, buf.getvalue()) == (0, "")
