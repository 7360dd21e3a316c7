"""Build blocks: sources × builds, names, provisioner and post-processor meta-arguments."""

from __future__ import annotations

from pathlib import Path

from tests.core.template.tplutil import errors, load

SOURCES = """
source "null" "x" { communicator = "none" }
source "file" "f" {
  content = "hi"
  target  = "out.txt"
}
"""


def test_names_order_and_nested_sources(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  name        = "nb"
  description = "desc"
  sources     = ["source.null.x", "file.f"]
  source "source.null.x" {
    name = "renamed"
  }
}
build {
  sources = ["source.null.x"]
}
"""})
    builds = t.builds()
    assert [(b.name, b.build_block_name, b.builder_type, b.source_name) for b in builds] == [
        ("nb.null.x", "nb", "null", "x"), ("nb.file.f", "nb", "file", "f"),
        ("nb.null.renamed", "nb", "null", "renamed"), ("null.x", "", "null", "x")]
    assert builds[0].description == "desc"
    assert builds[2].builder.name == "renamed" and builds[2].builder.type == "null"
    assert [b.source_block_name for b in builds] == ["", "", "x", ""]  # PACKER_BUILD_NAME of a renamed use


def test_provisioner_meta_arguments(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  sources = ["source.null.x", "source.file.f"]
  provisioner "shell-local" {
    inline       = ["a"]
    pause_before = "1m30s"
    max_retries  = 3
    timeout      = "500ms"
    override = {
      x = { inline = ["b"] }
    }
  }
  provisioner "shell-local" {
    only   = ["file.f"]
    inline = ["only file"]
  }
  provisioner "shell-local" {
    except = ["file.f"]
    inline = ["not file"]
  }
  error-cleanup-provisioner "shell-local" {
    inline = ["cleanup"]
  }
}
"""})
    x, f = t.builds()
    p = x.provisioners[0]
    assert (p.pause_before, p.max_retries, p.timeout) == (90.0, 3, 0.5)
    assert p.override == {"x": {"inline": ["b"]}}
    assert f.provisioners[0].override == {}
    assert [len(b.provisioners) for b in (x, f)] == [2, 2]
    assert f.provisioners[1].only == ["file.f"] and x.provisioners[1].except_ == ["file.f"]
    assert x.error_cleanup_provisioner is not None
    assert x.error_cleanup_provisioner.component.type == "shell-local"


def test_post_processor_chains(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  sources = ["source.null.x", "source.file.f"]
  post-processor "manifest" {
    keep_input_artifact = true
  }
  post-processors {
    post-processor "shell-local" {
      name   = "first"
      inline = ["1"]
    }
    post-processor "checksum" {
      except = ["null.x"]
    }
  }
}
"""})
    x, f = t.builds()
    assert [[pp.component.type for pp in chain] for chain in x.post_processors] == [["manifest"], ["shell-local"]]
    assert [[pp.component.type for pp in chain] for chain in f.post_processors] == [
        ["manifest"], ["shell-local", "checksum"]]
    assert x.post_processors[0][0].keep_input_artifact is True
    assert x.post_processors[1][0].component.name == "first"
    assert x.post_processors[1][0].keep_input_artifact is None


def test_build_errors(tmp_path: Path) -> None:
    errs = errors(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  name    = var.nope
  sources = ["source.null.x", "source.null.nope", "bogus"]
  provisioner "shell-local" {
    pause_before = "2x"
    only         = ["null.x"]
    except       = ["file.f"]
  }
  error-cleanup-provisioner "shell-local" {}
  error-cleanup-provisioner "shell-local" {}
}
"""})
    got = {(s, w) for s, _, w in errs}
    assert ("Unsupported attribute", "a.pkr.hcl:9:17") in got  # var.nope: variables are allowed (Packer 1.7.9)
    assert ("Unknown source null.nope", "a.pkr.hcl:10:31") in got
    assert ("Invalid source reference", "a.pkr.hcl:10:51") in got
    assert ("Failed to parse pause_before duration", "a.pkr.hcl:11:3") in got
    assert ("only one of 'only' or 'except' may be specified", "a.pkr.hcl:11:3") in got
    assert ("Duplicate error-cleanup-provisioner block", "a.pkr.hcl:17:3") in got
    detail = next(d for s, d, _ in errs if s == "Failed to parse pause_before duration")
    assert detail == 'time: unknown unit "x" in duration "2x"'


def test_hcp_packer_registry_is_a_warning(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + """
build {
  hcp_packer_registry {
    bucket_name = "b"
  }
  sources = ["source.null.x"]
}
"""})
    assert [w.summary for w in t.warnings] == ["HCP Packer registry is not supported"]


def test_duplicate_source_use_builds_twice_with_a_warning(tmp_path: Path) -> None:
    t = load(tmp_path, {"a.pkr.hcl": SOURCES + 'build {\n  sources = ["source.null.x", "null.x"]\n}\n'})
    assert [b.name for b in t.builds()] == ["null.x", "null.x"]
    assert [w.summary for w in t.warnings] == ["Duplicate source"]
