"""Encoding functions: base64, gzip, URL, CSV, JSON and text encodings."""

from __future__ import annotations

import base64
import binascii
import codecs
import struct
import urllib.parse
import zlib
from collections.abc import Sequence

from kiln.hcl.convert import object_type
from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import DYNAMIC, STRING, ListType, Type, Value, unknown

from . import _json, _jsondecode
from ._csv import CSVError, Reader
from ._support import define, string
from .collection import wholly_known


def go_b64decode(s: str) -> bytes | None:
    """Go's ``base64.StdEncoding.DecodeString``: padding required, CR and LF ignored."""
    cleaned = s.replace("\r", "").replace("\n", "")
    try:
        return base64.b64decode(cleaned.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


def _base64encode(args: Sequence[Value]) -> Value:
    return string(base64.b64encode(args[0].v.encode("utf-8")).decode("ascii"))


def _base64decode(args: Sequence[Value]) -> Value:
    s = args[0].v
    raw = go_b64decode(s)
    if raw is None:
        raise FunctionError(f"failed to decode base64 data '{s}'")
    try:
        return string(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise FunctionError("the result of decoding the provided string is not valid UTF-8") from None


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # Go's gzip.Writer: no mtime, unknown OS


def go_gzip(data: bytes) -> bytes:
    """What Go's ``gzip.Writer`` writes for Write + Flush + Close (Terraform's base64gzip does that):
    a deflate stream ending in a sync flush and an empty final stored block."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH) + b"\x01\x00\x00\xff\xff"
    return _GZIP_HEADER + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def _base64gzip(args: Sequence[Value]) -> Value:
    return string(base64.b64encode(go_gzip(args[0].v.encode("utf-8"))).decode("ascii"))


def _urlencode(args: Sequence[Value]) -> Value:
    return string(urllib.parse.quote_plus(args[0].v, safe="~"))


# ---- text encodings ----------------------------------------------------------------------------------

_IANA_NAMES = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "utf-32": "UTF-32",
    "latin-1": "ISO-8859-1",
    "iso8859-1": "ISO-8859-1",
    "ascii": "US-ASCII",
    "cp1252": "windows-1252",
    "shift_jis": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "gbk": "GBK",
    "big5": "Big5",
}


def _codec(name_v: Value) -> tuple[str, str]:
    name = name_v.v
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ArgError(1, f'"{name}" is not a supported IANA encoding name or alias') from None
    if info.name in ("base64", "hex", "zlib", "bz2", "rot-13", "quopri", "uu"):
        raise ArgError(1, f'"{name}" is not a supported IANA encoding name or alias')
    return info.name, _IANA_NAMES.get(info.name, name)


def _textencodebase64(args: Sequence[Value]) -> Value:
    codec, iana = _codec(args[1])
    try:
        if codec == "utf-16":  # Go's IANA UTF-16: big-endian with a byte-order mark
            raw = b"\xfe\xff" + args[0].v.encode("utf-16-be")
        else:
            raw = args[0].v.encode(codec)
    except UnicodeEncodeError:
        raise ArgError(
            0, f"the given string contains characters that cannot be represented in {iana}"
        ) from None
    return string(base64.b64encode(raw).decode("ascii"))


def _textdecodebase64(args: Sequence[Value]) -> Value:
    codec, iana = _codec(args[1])
    s = args[0].v
    raw = go_b64decode(s)
    if raw is None:
        bad = next((i for i, c in enumerate(s) if c not in _B64_ALPHABET), len(s))
        raise ArgError(0, f"the given value is has an invalid base64 symbol at offset {bad}")
    if codec == "utf-16" and raw[:2] not in (b"\xfe\xff", b"\xff\xfe"):
        codec = "utf-16-be"  # without a byte-order mark Go's UTF-16 reads big-endian
    decoded = raw.decode(codec, errors="replace")
    if "\ufffd" in decoded:
        raise ArgError(0, f"the given string contains symbols that are not defined for {iana}")
    return string(decoded)


_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n")


# ---- csv and json ------------------------------------------------------------------------------------


def _csv_headers(text: str) -> list[str]:
    try:
        headers = Reader(text).read()
    except CSVError as err:
        raise FunctionError(str(err)) from None
    if headers is None:
        raise FunctionError("missing header line")
    seen: set[str] = set()
    for name in headers:
        if name in seen:
            raise FunctionError(f'duplicate column name "{name}"')
        seen.add(name)
    return headers


def _csvdecode_type(args: Sequence[Value]) -> Type:
    if not args[0].is_known:
        return DYNAMIC
    headers = _csv_headers(args[0].v)
    return ListType(object_type(dict.fromkeys(headers, STRING)))


def _csvdecode(args: Sequence[Value]) -> Value:
    ret = _csvdecode_type(args)
    headers = _csv_headers(args[0].v)
    reader = Reader(args[0].v, fields_per_record=len(headers))
    rows: list[Value] = []
    try:
        reader.read()
        while (cols := reader.read()) is not None:
            attrs = {name: string(col) for name, col in zip(headers, cols, strict=True)}
            rows.append(Value(object_type(dict.fromkeys(attrs, STRING)), attrs))
    except CSVError as err:
        raise FunctionError(str(err)) from None
    return Value(ret, rows)


def _jsonencode(args: Sequence[Value]) -> Value:
    v = args[0]
    if not wholly_known(v):
        return unknown(STRING)
    try:
        return string(_json.encode(v))
    except _json.JSONEncodeError as err:
        raise ArgError(0, str(err)) from None


def _json_decode(args: Sequence[Value]) -> Value:
    try:
        return _jsondecode.decode(args[0].v)
    except _jsondecode.JSONDecodeError as err:
        raise FunctionError(str(err)) from None


FUNCTIONS = {
    "base64encode": define("base64encode", [Param("str", STRING)], _base64encode, STRING),
    "base64decode": define("base64decode", [Param("str", STRING)], _base64decode, STRING),
    "base64gzip": define("base64gzip", [Param("str", STRING)], _base64gzip, STRING),
    "urlencode": define("urlencode", [Param("str", STRING)], _urlencode, STRING),
    "textencodebase64": define(
        "textencodebase64", [Param("string", STRING), Param("encoding", STRING)], _textencodebase64, STRING
    ),
    "textdecodebase64": define(
        "textdecodebase64", [Param("source", STRING), Param("encoding", STRING)], _textdecodebase64, STRING
    ),
    "csvdecode": define("csvdecode", [Param("str", STRING)], _csvdecode, _csvdecode_type),
    "jsonencode": define(
        "jsonencode",
        [Param("val", DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic_type=True)],
        _jsonencode,
        STRING,
    ),
    "jsondecode": define("jsondecode", [Param("str", STRING)], _json_decode, DYNAMIC),
}
