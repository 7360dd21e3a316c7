"""kiln_sdk.gotemplate: Go text/template as Packer uses it; Packer 1.6.6 is the oracle where it can be."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kiln_sdk.gotemplate import (
    Context,
    FuncError,
    Template,
    TemplateError,
    Unresolved,
    go_str,
    render,
    render_detail,
    sprintf,
)

PACKER = "/usr/bin/packer"
USER = {"a": "x", "b": "{{y}}", "n": "3"}


def upper(s: str) -> str:
    return s.upper()


def split(k: str, s: str, i: int) -> str:
    parts = k.split(s)
    if i >= len(parts):
        raise FuncError(f"the substring {i} was unavailable using the separator value, {s}, "
                        f"only {len(parts)} values were found")
    return parts[i]


def funcs(users: dict[str, str]) -> dict[str, Callable[..., Any]]:
    def user(k: str) -> str:
        return users.get(k, "")

    return {"user": user, "upper": upper, "split": split}


FUNCS = funcs(USER)


def ctx(users: dict[str, str] = USER, **kw: Any) -> Context:
    return Context(funcs=funcs(users), **kw)


# -- rendering ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("src, want", [
    ("plain text", "plain text"),
    ("a {{user `a`}} b", "a x b"),
    ('{{ user "a" }}', "x"),
    ("{{ user `a` | upper }}", "X"),
    ("{{ `abc` | printf `%s-%s` `q` }}", "q-abc"),
    ("x {{- ` y` -}}   z", "x yz"),
    ("x\n  {{- `y` }}", "xy"),
    ("{{-3}}", "-3"),
    ("{{if true}}y{{else}}n{{end}}", "y"),
    ("{{if eq (user `a`) `x`}}is-x{{else if true}}other{{end}}", "is-x"),
    ("{{if false}}a{{else if true}}b{{else}}c{{end}}", "b"),
    ("{{ $x := user `a` }}[{{$x}}]", "[x]"),
    ("{{/* a comment */}}z", "z"),
    ("a {{- /* c */ -}} b", "ab"),
    ("{{ (user `a`) }}", "x"),
    ("{{ 1.0 }} {{ 1e6 }} {{ 1.5e7 }} {{ .5 }} {{ 0x1F }} {{ 'a' }}", "1 1e+06 1.5e+07 0.5 31 97"),
    ("{{ printf `%v|%d|%5.2f|%q|%x|%t` 1.5 3 2.0 `x` 255 true }}", '1.5|3| 2.00|"x"|ff|true'),
    ("{{ printf `%d` }} {{ printf `%s` 1 }}", "%!d(MISSING) %!s(int=1)"),
    ("{{ print 1 2 `a` `b` 3 }}", "1 2ab3"),
    ("{{ len `abc` }} {{ not true }} {{ and 1 0 }} {{ or 0 `z` }}", "3 false 0 z"),
    ("{{ split `a,b,c` `,` 1 }}", "b"),
    ("{{ user `b` }}", "{{y}}"),  # values are not templates
    ('{{ "\\u00e9\\t|" }} {{ `\\n` }}', "é\t| \\n"),
])
def test_render(src: str, want: str) -> None:
    assert render(src, ctx()) == want


def test_fields_and_control_structures() -> None:
    data = {"L": [1, 2], "M": {"k": "v"}, "E": [], "S": "str", "Vars": "A=1"}
    c = ctx(data=data)
    assert render("{{range $i, $e := .L}}{{$i}}={{$e}},{{end}}", c) == "0=1,1=2,"
    assert render("{{range .E}}x{{else}}empty{{end}}", c) == "empty"
    assert render("{{with .M}}{{.k}}{{end}}", c) == "v"
    assert render("{{ index .M `k` }} {{ index .L 1 }} {{ len .L }}", c) == "v 2 2"
    assert render("{{ .L }} {{ .M }}", c) == "[1 2] map[k:v]"
    assert render("{{ .Missing }}", c) == "<no value>"  # Go, map data
    assert render("{{ .Missing }}", ctx()) == "<no value>"  # Go, nil data


def test_strict_fields_use_go_wording() -> None:
    c = ctx(data={"Vars": "A=1", "Path": "/tmp/s"}, missing_field="error",
            data_type="*shell.ExecuteCommandTemplate")
    assert render("{{.Vars}} sh {{.Path}}", c) == "A=1 sh /tmp/s"
    with pytest.raises(TemplateError) as exc:
        render("chmod +x {{.Paht}}", c)
    assert str(exc.value) == ('template: root:1:11: executing "root" at <.Paht>: '
                              "can't evaluate field Paht in type *shell.ExecuteCommandTemplate")
    assert (exc.value.line, exc.value.col) == (1, 11)
    with pytest.raises(TemplateError, match="can't evaluate field X in type string"):
        render("{{ .Vars.X }}", c)


def test_keep_mode_leaves_unknown_fields_and_functions_for_a_later_render() -> None:
    keep = Context(funcs=FUNCS, missing_field="keep", keep_unknown_funcs=True)
    r = render_detail("{{.Vars}} {{ user `a` }} {{ .Path -}}  x", keep)
    assert r.text == "{{.Vars}} x {{ .Path -}}  x"
    assert r.kept == ("{{.Vars}}", "{{ .Path -}}")
    assert not r.complete
    # a trim marker of a kept action is kept too, and not applied now
    assert render("a  {{- foo -}}  b {{- `c` }}", keep) == "a  {{- foo -}}  bc"
    # a whole if block that needs a later field stays as written
    assert render("{{if .X}}q{{end}}|{{user `a`}}", keep) == "{{if .X}}q{{end}}|x"
    # a rendered value must not turn into an action for the later render
    assert render("{{ .P }}{{ `{{x}}` }}", keep) == '{{ .P }}{{"{{"}}x}}'
    # then the plugin renders what was kept
    later = render("{{.Vars}} x {{ .Path -}}  x", Context(data={"Vars": "V=1", "Path": "/p"}, missing_field="error"))
    assert later == "V=1 x /px"


def test_unresolved_function_is_kept_or_an_error() -> None:
    def build(key: str) -> str:
        raise Unresolved(key)

    fns: dict[str, Callable[..., Any]] = {"build": build}
    keep = Context(funcs=fns, missing_field="keep")
    assert render("id={{ build `ID` }}", keep) == "id={{ build `ID` }}"
    with pytest.raises(TemplateError, match="error calling build: value not known yet"):
        render("{{ build `ID` }}", Context(funcs=fns))


@pytest.mark.parametrize("src, message", [
    ("echo {{ foo }}", 'template: root:1: function "foo" not defined'),
    ("echo {{ .X", "template: root:1: unclosed action"),
    ("echo {{if true}}x", "template: root:1: unexpected EOF"),
    ("echo a{{end}}", "template: root:1: unexpected {{end}}"),
    ("echo {{ }}", "template: root:1: missing value for command"),
    ("echo {{ $x }}", 'template: root:1: undefined variable "$x"'),
    ('echo {{ user "a }}', "template: root:1: unterminated quoted string"),
    ("echo {{ user 1x }}", 'template: root:1: bad number syntax: "1x"'),
    ('echo {{ user"a" }}', "template: root:1: bad character U+0022 '\"'"),
    ("echo {{ .X`a` }}", "template: root:1: bad character U+0060 '`'"),
    ("a\nb {{ user `a` }}\n{{ nope }}", 'template: root:3: function "nope" not defined'),
    ('echo {{ "a" | user 1 }}', 'template: root:1:14: executing "root" at <user>: wrong number of args for user: want 1 got 2'),
    ("echo {{ user 1 }}", 'template: root:1:13: executing "root" at <1>: expected string; found 1'),
    ("echo {{ split `a` }}", 'template: root:1:8: executing "root" at <split>: wrong number of args for split: want 3 got 1'),
    ("echo {{ eq 1 1.0 }}", 'template: root:1:8: executing "root" at <eq 1 1.0>: error calling eq: incompatible types for comparison'),
    ("echo {{ split `a` `,` 4 }}", 'template: root:1:8: executing "root" at <split `a` `,` 4>: error calling split: the substring 4 was unavailable using the separator value, ,, only 1 values were found'),
])
def test_errors_read_like_go(src: str, message: str) -> None:
    with pytest.raises(TemplateError) as exc:
        render(src, ctx())
    assert str(exc.value) == message


def test_parse_once_execute_many() -> None:
    t = Template.parse("{{.N}}-{{ user `a` }}", ctx())
    assert [t.execute(ctx(data={"N": n})).text for n in (1, 2)] == ["1-x", "2-x"]


def test_value_printing() -> None:
    assert go_str(None) == "<nil>"
    assert go_str(True) == "true"
    assert go_str(1234567.0) == "1.234567e+06"
    assert go_str(0.0001) == "0.0001"
    assert go_str(0.00001) == "1e-05"
    assert sprintf("%s and %v %%", "a", [1, "b"]) == "a and [1 b] %"
    assert sprintf("%s", "a", 2) == "a%!(EXTRA int=2)"


# -- differential against Packer 1.6.6 ---------------------------------------------------------------

DIFF_EXPRESSIONS = [
    "{{ user `a` }}|{{ user `missing` }}|{{ user `a` | upper }}",
    "x {{- ` y` -}}   z",
    "{{if eq (user `a`) `x`}}yes{{else}}no{{end}} {{if false}}1{{else if true}}2{{end}}",
    "{{ $v := user `n` }}{{ $v }}{{ $v }}",
    "{{ 1.0 }} {{ 1e6 }} {{ 1.5e7 }} {{ .5 }} {{ 0x1F }} {{ 'a' }} {{ -3 }} {{ 1e-7 }} {{ 123456.0 }}",
    "{{ printf `%v|%d|%5.2f|%q|%x|%t|%8s|%-4d|` 1.5 3 2.0 `x` 255 true `r` 7 }}",
    "{{ printf `%d` }} {{ printf `%s` 1 }} {{ printf `%s` `a` 2 }}",
    "{{ print 1 2 `a` `b` 3 true }} {{ println `a` 1 }}",
    "{{ len `abc` }} {{ not true }} {{ and 1 0 }} {{ or 0 `z` }} {{ and `a` `b` }}",
    "{{ eq 1 2 3 1 }} {{ ne `a` `b` }} {{ lt 1 2 }} {{ ge `b` `a` }} {{ le 2 2 }} {{ gt 1.5 2.5 }}",
    "{{ `\\u00e9\\x41|` }}{{ \"q\\\"uote\" }}",
    "{{/* comment */}}after {{- /* trimmed */ -}} here",
    "{{ html `<a href='x'>&</a>` }} {{ urlquery `a b&c` }} {{ js `it's \"q\"` }}",
    "{{ .Missing }} {{ index `abc` 1 }}",
    "A {{- if true -}} B {{- else -}} C {{- end -}} D",
    "{{ if and (eq 1 1) (ne `a` `b`) }}both{{ end }}{{ if or false 0 `` }}x{{ else }}none{{ end }}",
    "{{ with $x := user `a` }}w={{ $x }}{{ end }}{{ with `` }}no{{ else }}empty{{ end }}",
    "{{ printf `%06.2f|%+d|%x|%X|%o|%b|%c|%e|%g` 3.14159 5 `hi` 255 8 5 65 1234.5678 0.000012 }}",
    "{{ print nil }} {{ printf `%v` nil }} {{ eq true true }} {{ not 0 }} {{ len (user `a`) }}",
    "{{ if user `missing` }}set{{ else if user `a` }}a-set{{ end }}",
]


def _packer_env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "CHECKPOINT_DISABLE": "1", "PACKER_CACHE_DIR": str(tmp / "cache"), "HOME": str(tmp)}


@pytest.mark.skipif(not shutil.which(PACKER), reason="Packer 1.6.6 is the oracle")
def test_rendering_matches_packer(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    lines = ["cat > " + str(out) + " <<'KILN_EOF'", *DIFF_EXPRESSIONS, "KILN_EOF"]
    template = {
        "variables": {"a": "x", "n": "3"},
        "builders": [{"type": "null", "communicator": "none"}],
        "provisioners": [{"type": "shell-local", "inline": lines}],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    proc = subprocess.run([PACKER, "build", "-color=false", str(path)], capture_output=True, text=True,
                          env=_packer_env(tmp_path), cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ours = "\n".join(render(e, ctx({"a": "x", "n": "3"})) for e in DIFF_EXPRESSIONS) + "\n"
    assert ours == out.read_text()


DIFF_ERRORS = [
    "echo {{ foo }}",
    "echo {{ .X",
    "echo {{if true}}x",
    "echo a{{end}}",
    "echo {{ }}",
    "echo {{ $x }}",
    'echo {{ user "a }}',
    'echo {{ "a" | user 1 }}',
    "echo {{ user 1 }}",
    "echo {{ eq 1 1.0 }}",
    "echo {{ len 3 }}",
    "echo {{ `a` | `b` }}",
    "echo {{ user 1x }}",
    'echo {{ user"a" }}',
]


@pytest.mark.skipif(not shutil.which(PACKER), reason="Packer 1.6.6 is the oracle")
@pytest.mark.parametrize("src", DIFF_ERRORS)
def test_errors_match_packer(tmp_path: Path, src: str) -> None:
    template = {"builders": [{"type": "null", "communicator": "none"}],
                "variables": {"a": "x"},
                "provisioners": [{"type": "shell-local", "inline": [src]}]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    proc = subprocess.run([PACKER, "validate", str(path)], capture_output=True, text=True,
                          env=_packer_env(tmp_path), cwd=tmp_path, timeout=60)
    assert proc.returncode != 0
    with pytest.raises(TemplateError) as exc:
        render(src, ctx())
    # Packer wraps lines at 80 columns; compare the words
    assert " ".join(str(exc.value).split()) in " ".join(proc.stdout.split())


def test_strict_root_but_maps_inside_print_no_value() -> None:
    c = Context(data={"Env": {"A": "1"}}, missing_field="error", data_type="*T")
    assert render("{{ .Env.A }}|{{ .Env.B }}", c) == "1|<no value>"
    with pytest.raises(TemplateError, match="can't evaluate field B in type \\*T"):
        render("{{ .B }}", c)


def test_the_sdk_module_does_not_import_the_core() -> None:
    import sys

    code = "import sys, kiln_sdk.gotemplate; print(sorted(m for m in sys.modules if m == 'kiln' or m.startswith('kiln.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
