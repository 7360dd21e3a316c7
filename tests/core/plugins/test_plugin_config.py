"""kiln's config file (plugin_installation, trusted_key) and KILN_PLUGIN_MIRROR."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiln.plugins.config import ConfigFileError, Method, load

KEY = "ed25519:bRsTTKxFneTjKJwGyaQPnFZJCZLyGB6nfuP9XZRNTQM="


def _load(tmp_path: Path, text: str, **env: str) -> object:
    path = tmp_path / "kiln.hcl"
    path.write_text(text)
    return load({"KILN_CONFIG_FILE": str(path), "HOME": str(tmp_path), **env})


def test_methods_in_order_with_their_patterns_and_trusted_keys(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    config = _load(tmp_path, f'''
plugin_installation {{
  filesystem_mirror {{
    path    = "mirror"
    include = ["example.com/*/*"]
  }}
  network_mirror {{
    url     = "https://plugins.example.org/kiln"
    exclude = ["example.com/secret/*"]
  }}
  direct {{}}
}}

trusted_key "example.com/example" {{
  public_key = "{KEY}"
}}
''')
    methods = config.methods  # type: ignore[attr-defined]
    assert [m.kind for m in methods] == ["filesystem_mirror", "network_mirror", "direct"]
    assert methods[0].url == f"file://{tmp_path / 'mirror'}/"  # relative to the config file
    assert methods[1].url == "https://plugins.example.org/kiln/"
    assert methods[0].where == f"{tmp_path / 'kiln.hcl'}:3:3"
    assert [m.kind for m in config.methods_for("example.com/example/hello")] == [  # type: ignore[attr-defined]
        "filesystem_mirror", "network_mirror", "direct"]
    assert [m.kind for m in config.methods_for("example.com/secret/x")] == [  # type: ignore[attr-defined]
        "filesystem_mirror", "direct"]
    assert [m.kind for m in config.methods_for("other.org/a/b")] == ["network_mirror", "direct"]  # type: ignore[attr-defined]
    assert config.trusted_keys == {"example.com/example": [KEY]}  # type: ignore[attr-defined]


def test_kiln_plugin_mirror_replaces_the_methods_but_keeps_the_keys(tmp_path: Path) -> None:
    config = _load(tmp_path, f'plugin_installation {{\n  direct {{}}\n}}\ntrusted_key "a.b/c" {{ public_key = "{KEY}" }}\n',
                   KILN_PLUGIN_MIRROR="http://127.0.0.1:9/")
    assert config.methods == [Method("network_mirror", "http://127.0.0.1:9/", where="KILN_PLUGIN_MIRROR")]  # type: ignore[attr-defined]
    assert config.trusted_keys == {"a.b/c": [KEY]}  # type: ignore[attr-defined]


def test_no_config_file_means_direct(tmp_path: Path) -> None:
    config = load({"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "nothing")})
    assert config.path is None and [m.kind for m in config.methods] == ["direct"]


@pytest.mark.parametrize(("text", "message"), [
    ("plugin_installation {\n  ftp_mirror {}\n}\n", ":2:3: unsupported block type 'ftp_mirror' in plugin_installation"),
    ("plugin_installation {\n  network_mirror {}\n}\n", ":2:3: network_mirror needs url"),
    ('plugin_installation {\n  network_mirror {\n    url = "ftp://x/"\n  }\n}\n', "is not an http://, https:// or file:// URL"),
    ('plugin_installation {\n  direct {\n    include = ["example.com/x"]\n  }\n}\n',
     ":3:15: 'example.com/x' is not a source pattern: write HOST/NAMESPACE/NAME"),
    ('plugin_installation {\n  direct {\n    include = "example.com/*/*"\n  }\n}\n', ":3:15: include must be a list of strings"),
    ('trusted_key "example.com/example" {\n  public_key = "ssh-rsa AAAA"\n}\n', ":2:16: 'ssh-rsa AAAA' is not an ed25519 public key"),
    ('trusted_key {\n  public_key = "x"\n}\n', ":1:1: a trusted_key block has one label, the namespace"),
    ("plugin_dir = \"x\"\n", ":1:1: unsupported argument 'plugin_dir'"),
    ("plugin_installation {\n", "kiln.hcl:"),
])
def test_mistakes_name_the_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigFileError) as err:
        _load(tmp_path, text)
    assert message in str(err.value)
    assert str(tmp_path / "kiln.hcl") in str(err.value)


def test_a_missing_kiln_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="KILN_CONFIG_FILE names a file that does not exist"):
        load({"KILN_CONFIG_FILE": str(tmp_path / "nope.hcl")})
