"""SSH keys: loading private key files, and temporary key pairs for builders that inject one."""

from __future__ import annotations

import io
from dataclasses import dataclass

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa


def load_private_key(path: str, passphrase: str | None = None) -> paramiko.PKey:
    """Load any private key paramiko knows (ed25519, rsa, ecdsa; OpenSSH or PEM)."""
    try:
        return paramiko.PKey.from_path(path, password=passphrase)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such private key file") from None
    except paramiko.PasswordRequiredException:
        raise ValueError(f"{path}: the private key is encrypted with a passphrase; kiln needs an unencrypted "
                         "key or ssh_agent_auth = true") from None
    except (paramiko.SSHException, ValueError, TypeError) as exc:
        if "encrypted" in str(exc):
            raise ValueError(f"{path}: the private key is encrypted with a passphrase; kiln needs an unencrypted "
                             "key or ssh_agent_auth = true") from None
        raise ValueError(f"{path}: not a usable SSH private key ({exc})") from None


def parse_private_key(text: str) -> paramiko.PKey:
    """A private key from its PEM/OpenSSH text (e.g. a generated or user-supplied key)."""
    data = text.encode()
    for cls in (paramiko.Ed25519Key, paramiko.RSAKey, paramiko.ECDSAKey):
        try:
            return cls.from_private_key(io.StringIO(data.decode()))
        except (paramiko.SSHException, ValueError, TypeError):
            continue
    raise ValueError("not a usable SSH private key")


@dataclass(frozen=True)
class KeyPair:
    """A generated key pair: ``private_pem`` (OpenSSH format) and ``public_key`` (authorized_keys line)."""

    private_pem: str
    public_key: str
    pkey: paramiko.PKey

    @property
    def fingerprint(self) -> str:
        """The public key's fingerprint as OpenSSH prints it (``SHA256:...``)."""
        return self.pkey.fingerprint


def generate_key_pair(key_type: str = "ed25519", bits: int = 0, comment: str = "kiln") -> KeyPair:
    """A new key pair (Packer's ``ssh_temporary_key_pair_type``: ed25519 by default, rsa, ecdsa)."""
    private: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if key_type == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    elif key_type == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits or 4096)
    elif key_type == "ecdsa":
        curve = {256: ec.SECP256R1(), 384: ec.SECP384R1(), 521: ec.SECP521R1()}.get(bits or 521)
        if curve is None:
            raise ValueError(f"ecdsa keys are 256, 384 or 521 bits, not {bits}")
        private = ec.generate_private_key(curve)
    else:
        raise ValueError(f'unknown key type "{key_type}": use ed25519, rsa or ecdsa')
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    line = public.decode() + (f" {comment}" if comment else "")
    return KeyPair(private_pem=pem, public_key=line, pkey=parse_private_key(pem))
