"""Sensitive values never reach the output, whatever the mode (Packer 1.6.6 leaks them when machine-readable)."""

from __future__ import annotations

import io

from kiln.ui import SecretMask, make_ui

from tests.core.ui.packer_ui_oracle import run_packer

PEM = "-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA7secret\nAAAAsecondline99\n-----END KEY-----"


def test_machine_readable_masks_what_packer_leaks(tmp_path) -> None:
    template = """
variable "token" {
  type      = string
  default   = "s3cr3t,value"
  sensitive = true
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo 'token=${var.token}'"]
  }
}
"""
    packer = run_packer(tmp_path, template, "-machine-readable")
    assert "s3cr3t%!(PACKER_COMMA)value" in packer  # Packer's own machine-readable output leaks it
    out = io.StringIO()
    ui = make_ui(machine_readable=True, stdout=out, sensitive=["s3cr3t,value"])
    ui.for_build("null.a").message("token=s3cr3t,value")
    ui.for_build("null.a").machine("custom", "s3cr3t,value")
    assert "s3cr3t" not in out.getvalue()
    assert ",,ui,message,    null.a: token=<sensitive>\n" in out.getvalue()
    assert out.getvalue().endswith(",null.a,custom,<sensitive>\n")


def test_multiline_secret_is_masked_whole_and_line_by_line() -> None:
    out = io.StringIO()
    ui = make_ui(stdout=out, color=False, sensitive=[PEM])
    build = ui.for_build("null.a")
    build.message(f"key:\n{PEM}")
    build.message("MIIEpAIBAAKCAQEA7secret")  # the same secret arriving one line at a time
    assert out.getvalue() == "    null.a: key:\n    null.a: <sensitive>\n    null.a: <sensitive>\n"


def test_secrets_added_later_longest_first_and_in_core_lines() -> None:
    out = io.StringIO()
    ui = make_ui(stdout=out, color=False, timestamp=False)
    ui.say("before: pass")
    ui.add_sensitive("pass", "password1")
    ui.error("after: password1 pass")
    assert out.getvalue() == "before: pass\nafter: <sensitive> <sensitive>\n"


def test_empty_secret_and_short_lines_are_ignored() -> None:
    mask = SecretMask(["", "ab\ncd"])
    assert mask.apply("ab cd ab\ncd") == "ab cd <sensitive>"
    assert not SecretMask([""])


def test_masking_twice_changes_nothing_even_when_a_secret_is_inside_the_mask() -> None:
    mask = SecretMask(["sens", "tive"])
    once = mask.apply("a sens b tive c")
    assert once == "a <sensitive> b <sensitive> c"
    assert mask.apply(once) == once
    out = io.StringIO()
    ui = make_ui(stdout=out, color=False, sensitive=["sens"])
    ui.for_build("null.a").say("sens")  # masked by the build's Ui, then again by the console
    assert out.getvalue() == "==> null.a: <sensitive>\n"
