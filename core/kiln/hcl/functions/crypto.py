"""Hashes, bcrypt, RSA decryption and UUIDs (go-cty-funcs' crypto and uuid packages)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kiln.hcl.function import FunctionError, Param
from kiln.hcl.values import NUMBER, STRING, Value

from ._support import define, string, to_int
from .encoding import go_b64decode

if TYPE_CHECKING:  # bcrypt and cryptography load on first use, not with kiln
    from cryptography.hazmat.primitives.asymmetric import rsa


def _hasher(algorithm: str) -> Callable[[Sequence[Value]], Value]:
    def impl(args: Sequence[Value]) -> Value:
        return string(hashlib.new(algorithm, args[0].v.encode("utf-8")).hexdigest())

    return impl


# ---- bcrypt ------------------------------------------------------------------------------------------

_DEFAULT_COST, _MIN_COST, _MAX_COST = 10, 4, 31


def _bcrypt_hash(args: Sequence[Value]) -> Value:
    if len(args) > 2:
        raise FunctionError("bcrypt() takes no more than two arguments")
    cost = to_int(args[1]) if len(args) > 1 else _DEFAULT_COST
    if cost < _MIN_COST:  # Go's GenerateFromPassword quietly uses the default cost
        cost = _DEFAULT_COST
    if cost > _MAX_COST:
        raise FunctionError(
            f"error occured generating password crypto/bcrypt: cost {cost} is outside allowed range "
            f"({_MIN_COST},{_MAX_COST})"
        )
    password = args[0].v.encode("utf-8")
    if len(password) > 72:
        raise FunctionError("error occured generating password bcrypt: password length exceeds 72 bytes")
    import bcrypt as _bcrypt  # lazy: a heavy optional module, loaded on first use for start-up time

    hashed = _bcrypt.hashpw(password, _bcrypt.gensalt(rounds=cost, prefix=b"2a"))
    return string(hashed.decode("ascii"))


# ---- rsadecrypt --------------------------------------------------------------------------------------

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)


def _rsadecrypt(args: Sequence[Value]) -> Value:
    ciphertext, key_text = args[0].v, args[1].v
    raw = go_b64decode(ciphertext)
    if raw is None:
        raise FunctionError(f'failed to decode input "{ciphertext}": cipher text must be base64-encoded')
    m = _PEM.search(key_text)
    body = go_b64decode(_strip_pem_headers(m.group(2))) if m else None
    if m is None or body is None:
        raise FunctionError("failed to parse key: no key found")
    if "Proc-Type: 4,ENCRYPTED" in m.group(2):
        raise FunctionError(
            "failed to parse key: password protected keys are not supported. Please decrypt the key prior to use"
        )
    if m.group(1) != "RSA PRIVATE KEY":
        raise FunctionError(
            "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)"
            if m.group(1) == "PRIVATE KEY"
            else "x509: failed to parse private key"
        )
    # lazy: cryptography is heavy, loaded on first use for start-up time
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_der_private_key(body, password=None)
    except (ValueError, TypeError) as err:
        raise FunctionError(f"x509: failed to parse private key: {err}") from None
    if not isinstance(key, rsa.RSAPrivateKey):  # pragma: no cover - the PEM type says RSA
        raise FunctionError("x509: failed to parse private key")
    plain = _pkcs1v15_decrypt(key, raw)
    if plain is None:
        raise FunctionError("crypto/rsa: decryption error")
    return string(plain.decode("utf-8", errors="replace"))


def _pkcs1v15_decrypt(key: rsa.RSAPrivateKey, ciphertext: bytes) -> bytes | None:
    """RSAES-PKCS1-v1_5 decryption that reports bad padding, as Go's ``rsa.DecryptPKCS1v15`` does.
    (OpenSSL 3.2+ answers bad padding with a random message instead, "implicit rejection".)"""
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    k = (n.bit_length() + 7) // 8
    if len(ciphertext) > k or k < 11:
        return None
    c = int.from_bytes(ciphertext, "big")
    if c >= n:
        return None
    em = pow(c, d, n).to_bytes(k, "big")
    if em[0] != 0 or em[1] != 2:
        return None
    sep = em.find(b"\x00", 2)
    if sep < 10:  # at least eight bytes of non-zero padding
        return None
    return em[sep + 1 :]


def _strip_pem_headers(body: str) -> str:
    lines = body.strip().splitlines()
    if any(":" in line for line in lines):
        blank = next((i for i, line in enumerate(lines) if not line.strip()), -1)
        lines = lines[blank + 1 :] if blank >= 0 else [line for line in lines if ":" not in line]
    return "".join(lines)


# ---- UUIDs -------------------------------------------------------------------------------------------

_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}


def parse_go_uuid(s: str) -> uuid.UUID:
    """google/uuid's ``Parse``: the accepted spellings and its error texts (``ValueError``)."""
    text = s
    if len(s) == 36 + 9:
        if s[:9].lower() != "urn:uuid:":
            raise ValueError(f"invalid urn prefix: {s[:9]!r}".replace("'", '"'))
        text = s[9:]
    elif len(s) == 36 + 2:
        text = s[1:-1]
    elif len(s) == 32:
        if not re.fullmatch(r"[0-9a-fA-F]{32}", s):
            raise ValueError("invalid UUID format")
        return uuid.UUID(hex=s)
    elif len(s) != 36:
        raise ValueError(f"invalid UUID length: {len(s)}")
    if not re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", text):
        raise ValueError("invalid UUID format")
    return uuid.UUID(text)


def _uuidv4(args: Sequence[Value]) -> Value:
    return string(str(uuid.uuid4()))


def _uuidv5(args: Sequence[Value]) -> Value:
    ns_text, name = args[0].v, args[1].v
    namespace = _NAMESPACES.get(ns_text)
    if namespace is None:
        try:
            namespace = parse_go_uuid(ns_text)
        except ValueError as err:
            raise FunctionError(f"uuidv5() doesn't support namespace {ns_text} ({err})") from None
    return string(str(uuid.uuid5(namespace, name)))


_STR = Param("str", STRING)

FUNCTIONS = {
    "md5": define("md5", [_STR], _hasher("md5"), STRING),
    "sha1": define("sha1", [_STR], _hasher("sha1"), STRING),
    "sha256": define("sha256", [_STR], _hasher("sha256"), STRING),
    "sha512": define("sha512", [_STR], _hasher("sha512"), STRING),
    "bcrypt": define("bcrypt", [_STR], _bcrypt_hash, STRING, variadic=Param("cost", NUMBER)),
    "rsadecrypt": define(
        "rsadecrypt", [Param("ciphertext", STRING), Param("privatekey", STRING)], _rsadecrypt, STRING
    ),
    "uuidv4": define("uuidv4", [], _uuidv4, STRING),
    "uuidv5": define("uuidv5", [Param("namespace", STRING), Param("name", STRING)], _uuidv5, STRING),
}
