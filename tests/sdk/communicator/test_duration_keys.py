"""Go durations and generated key pairs."""

from __future__ import annotations

from pathlib import Path

import paramiko
import pytest
from kiln_sdk.communicator.ssh_keys import generate_key_pair, load_private_key
from kiln_sdk.duration import format_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("5m", 300), ("1h30m", 5400), ("300ms", 0.3), ("1.5s", 1.5), ("0", 0), ("-2s", -2), ("1m0.5s", 60.5),
])
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5", "", "5 m", "m", "5x", "1h-2m"])
def test_bad_durations_fail_with_gos_words(text: str) -> None:
    with pytest.raises(ValueError, match=r"^time: (invalid duration|missing unit|unknown unit)"):
        parse_duration(text)


@pytest.mark.parametrize(("seconds", "text"), [
    (0.1, "100ms"), (1.5, "1.5s"), (300, "5m0s"), (3725, "1h2m5s"), (3600, "1h0m0s"), (0, "0s"),
    (90.25, "1m30.25s"), (0.0000015, "1.5µs"), (1, "1s"),
])
def test_format_duration_is_gos(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("kind", "prefix"), [("ed25519", "ssh-ed25519 "), ("rsa", "ssh-rsa "),
                                              ("ecdsa", "ecdsa-sha2-nistp521 ")])
def test_generated_key_pairs_round_trip(kind: str, prefix: str, tmp_path: Path) -> None:
    pair = generate_key_pair(kind, bits=2048 if kind == "rsa" else 0, comment="kiln_temp")
    assert pair.public_key.startswith(prefix) and pair.public_key.endswith(" kiln_temp")
    path = tmp_path / "key"
    path.write_text(pair.private_pem)
    loaded = load_private_key(str(path))
    assert loaded.get_base64() == pair.pkey.get_base64() == pair.public_key.split()[1]


def test_load_private_key_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such private key file"):
        load_private_key(str(tmp_path / "missing"))
    enc = tmp_path / "enc"
    paramiko.RSAKey.generate(1024).write_private_key_file(str(enc), password="secret")
    with pytest.raises(ValueError, match="passphrase"):
        load_private_key(str(enc))
    with pytest.raises(ValueError, match="unknown key type"):
        generate_key_pair("dsa")


@pytest.mark.parametrize(("pattern", "quoted"), [
    ("*.log", "*.log"), ("it's *.txt", "'it'\"'\"'s '*.txt"), ("a[0-9]?.c", "a[0-9]?.c"), ("x[", "'x['"),
    ("$(rm -rf x)*", "'$(rm -rf x)'*"),
])
def test_shell_glob_quotes_all_but_the_pattern(pattern: str, quoted: str) -> None:
    from kiln_sdk.communicator.paths import shell_glob

    assert shell_glob(pattern) == quoted
