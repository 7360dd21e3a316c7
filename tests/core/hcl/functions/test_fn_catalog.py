"""The public surface of kiln.hcl.functions: every function today's Packer documents is there, the
module exports what it says, and the file functions follow the directory they are made for."""

from __future__ import annotations

from pathlib import Path

import kiln.hcl.functions as functions
from kiln.hcl.function import Function
from kiln.hcl.functions import FILE_FUNCTION_NAMES, FUNCTIONS, ExpressionFunction, functions_for

# Packer's HCL2 function documentation (templates/hcl_templates/functions), by section
PACKER_FUNCTIONS = {
    "numeric": "abs ceil floor log max min parseint pow signum sum",
    "string": "chomp endswith format formatlist indent join lower regex_replace regex regexall replace split "
    "startswith strcontains strrev substr title trim trimprefix trimspace trimsuffix upper",
    "collection": "alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct element "
    "flatten index keys length lookup merge range reverse setintersection setproduct setunion slice sort "
    "values zipmap",
    "encoding": "base64decode base64encode base64gzip csvdecode jsondecode jsonencode textdecodebase64 "
    "textencodebase64 urlencode yamldecode yamlencode",
    "file": "abspath basename dirname file filebase64 fileexists fileset pathexpand templatefile",
    "datetime": "formatdate legacy_isotime legacy_strftime timeadd timestamp",
    "crypto": "bcrypt md5 rsadecrypt sha1 sha256 sha512",
    "uuid": "uuidv4 uuidv5",
    "ipnet": "cidrhost cidrnetmask cidrsubnet cidrsubnets",
    "conversion": "can convert try",
    "contextual": "aws_secretsmanager aws_secretsmanager_raw consul_key env vault",
}
# asked for beyond Packer's list (Terraform's, where templates written for both use them)
EXTRA_FUNCTIONS = (
    "filemd5 filesha1 filesha256 filesha512 filebase64sha256 filebase64sha512 nonsensitive one sensitive "
    "setsubtract tobool tolist tomap tonumber toset tostring transpose"
)


def test_every_documented_packer_function_exists() -> None:
    names = set(functions_for("."))
    for section, listed in PACKER_FUNCTIONS.items():
        missing = set(listed.split()) - names
        assert not missing, f"{section}: {sorted(missing)}"
    assert not set(EXTRA_FUNCTIONS.split()) - names


def test_public_api() -> None:
    assert sorted(functions.__all__) == [
        "AnyFunction",
        "ExpressionFunction",
        "FILE_FUNCTION_NAMES",
        "FUNCTIONS",
        "functions_for",
    ]
    assert FILE_FUNCTION_NAMES.isdisjoint(FUNCTIONS)
    assert set(functions_for(".")) == set(FUNCTIONS) | FILE_FUNCTION_NAMES
    for name in ("try", "can", "convert"):
        assert isinstance(FUNCTIONS[name], ExpressionFunction)
    assert all(isinstance(f, Function) for n, f in FUNCTIONS.items() if n not in ("try", "can", "convert"))


def test_file_functions_are_bound_to_their_directory(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("from a")
    (tmp_path / "b" / "x.txt").write_text("from b")
    from tests.core.hcl.functions.hclfn_support import S

    file_a = functions_for(str(tmp_path / "a"))["file"]
    file_b = functions_for(str(tmp_path / "b"))["file"]
    assert isinstance(file_a, Function) and isinstance(file_b, Function)
    assert file_a.call([S("x.txt")]).v == "from a"
    assert file_b.call([S("x.txt")]).v == "from b"
    assert file_a.call([S(str(tmp_path / "b" / "x.txt"))]).v == "from b"
