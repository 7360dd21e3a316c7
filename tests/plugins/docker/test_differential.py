"""Differential tests: kiln's docker plugin against Debian's Packer 1.6.6 (its built-in docker builder),
both driving the same podman through the same ``docker`` wrapper, on the same template.

Compared: exit status, the console lines (IDs, temp paths, script names and durations normalised), the
artifact lines, the images and tags made, files inside the image, containers left, the exported tar's
entries and the provisioned file in it, and the manifest.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

import pytest

from tests.plugins.docker.conftest import DockerCase, Result

TEMPLATE = """
source "docker" "d" {
  image = "BASE_IMAGE"
  pull  = false
MODE
}
build {
  sources = ["source.docker.d"]
  provisioner "shell" {
    inline = ["mkdir -p /srv", "echo made by shell > /srv/made-by", "echo type=$PACKER_BUILDER_TYPE", "SCRIPT_TAIL"]
  }
  provisioner "file" {
    source      = "data.txt"
    destination = "/srv/data.txt"
  }
  post-processors {
    POSTPROCESSORS
    post-processor "manifest" {
      output = "manifest.json"
    }
  }
}
"""

MODES = {
    "commit": ('  commit  = true\n  changes = ["ENV FOO=bar", "LABEL made.by=diff"]\n  message = "m"\n  author = "a"',
               'post-processor "docker-tag" {\n      repository = "REPO"\n      tags = ["1", "2"]\n    }'),
    "export": ('  export_path = "image.tar"', ""),
    "discard": ("  discard = true", ""),
}

_HEX = re.compile(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b")


def normalise(text: str, repo: str, prefix: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.replace(repo, "REPO").replace(prefix, "PREFIX")
        line = _HEX.sub("<ID>", line)
        line = re.sub(r"-v \S+:/packer-files", "-v <TMP>:/packer-files", line)
        line = re.sub(r"/\S*packer-shell\w+", "<SCRIPT>", line)
        line = re.sub(r" after .*$", " after <DURATION>", line)
        line = re.sub(r"^==> Wait completed after .*", "==> Wait completed", line)
        if "Left in place by -on-error" in line:  # kiln says which container and temp dir remain (Packer: nothing)
            continue
        out.append(line.rstrip())
    return [line for line in out if line]


def _run_both(case: DockerCase, mode: str, tail: str = "true", flags: tuple[str, ...] = ()) -> dict[str, dict]:
    settings, post = MODES[mode]
    (case.cwd / "data.txt").write_text("data\n")
    results: dict[str, dict] = {}
    for tool in ("packer", "kiln"):
        work = case.cwd / tool
        work.mkdir()
        (work / "data.txt").write_text("data\n")
        repo = f"{case.prefix}/{tool}"
        text = (TEMPLATE.replace("MODE", settings).replace("POSTPROCESSORS", post).replace("REPO", repo)
                .replace("SCRIPT_TAIL", tail).replace("BASE_IMAGE", case.base))
        (work / "t.pkr.hcl").write_text(text)
        before = set(case.containers())
        sub = DockerCase(case.env, work, case.prefix, case.base, case.made, case.tmp)
        (work / ".home").mkdir()
        r: Result = (sub.packer if tool == "packer" else sub.kiln)("build", "-color=false", *flags, "t.pkr.hcl")
        left = [c for c in case.containers() if c not in before]
        images = sorted(n.replace(repo, "REPO") for n in case.images() if n.startswith(repo))
        results[tool] = {"result": r, "lines": normalise(r.out, repo, case.prefix), "left": left, "images": images,
                         "work": work, "repo": repo}
        for c in left:  # the abort case leaves one running: remove it before the other tool runs
            case.docker("rm", "-f", "-t", "0", c.split()[0])
    return results


def _manifest(work: Path, repo: str) -> dict:
    build = json.loads((work / "manifest.json").read_text())["builds"][0]
    build = {k: v for k, v in build.items() if k not in ("build_time", "packer_run_uuid")}
    build["artifact_id"] = _HEX.sub("<ID>", build["artifact_id"].replace(repo, "REPO"))
    return build


def test_commit_matches_packer(case: DockerCase) -> None:
    both = _run_both(case, "commit")
    packer, kiln = both["packer"], both["kiln"]
    assert packer["result"].code == kiln["result"].code == 0, kiln["result"].text + packer["result"].text
    assert kiln["lines"] == packer["lines"]
    assert kiln["images"] == packer["images"] == ["REPO:1", "REPO:2"]
    assert kiln["left"] == packer["left"] == []
    assert _manifest(kiln["work"], kiln["repo"]) == _manifest(packer["work"], packer["repo"])
    inside = {}
    for tool in ("packer", "kiln"):
        image = f"{both[tool]['repo']}:1"
        info = json.loads(case.docker("image", "inspect", image))[0]
        inside[tool] = (case.run_image(image, "cat /srv/made-by /srv/data.txt; ls -la /srv | wc -l"),
                        sorted(info["Config"]["Env"]), info["Config"]["Labels"], info["Author"], info["Comment"])
    assert inside["kiln"] == inside["packer"]
    assert "FOO=bar" in inside["kiln"][1]


def test_export_matches_packer(case: DockerCase) -> None:
    both = _run_both(case, "export")
    packer, kiln = both["packer"], both["kiln"]
    assert packer["result"].code == kiln["result"].code == 0, kiln["result"].text + packer["result"].text
    assert kiln["lines"] == packer["lines"]
    assert "--> docker.d: Exported Docker file: image.tar" in kiln["lines"]
    assert kiln["left"] == packer["left"] == []
    assert _manifest(kiln["work"], kiln["repo"]) == _manifest(packer["work"], packer["repo"])
    tars = {}
    for tool in ("packer", "kiln"):
        with tarfile.open(both[tool]["work"] / "image.tar") as tf:
            member = tf.extractfile("srv/made-by")
            assert member is not None
            tars[tool] = (sorted(tf.getnames()), member.read())
    assert tars["kiln"] == tars["packer"]
    assert tars["kiln"][1] == b"made by shell\n"


def test_discard_matches_packer(case: DockerCase) -> None:
    both = _run_both(case, "discard")
    packer, kiln = both["packer"], both["kiln"]
    assert packer["result"].code == kiln["result"].code == 0, kiln["result"].text + packer["result"].text
    assert kiln["lines"] == packer["lines"]
    assert kiln["left"] == packer["left"] == []
    assert kiln["images"] == packer["images"] == []
    assert _manifest(kiln["work"], kiln["repo"]) == _manifest(packer["work"], packer["repo"])


@pytest.mark.parametrize("flags", [(), ("-on-error=abort",)], ids=["cleanup", "abort"])
def test_failing_provisioner_matches_packer(case: DockerCase, flags: tuple[str, ...]) -> None:
    both = _run_both(case, "commit", tail="exit 7", flags=flags)
    packer, kiln = both["packer"], both["kiln"]
    assert packer["result"].code == kiln["result"].code == 1
    assert kiln["lines"] == packer["lines"]
    assert kiln["images"] == packer["images"] == []
    assert len(kiln["left"]) == len(packer["left"]) == (1 if flags else 0)
    if flags:
        assert " Up " in f" {kiln['left'][0]} " and " Up " in f" {packer['left'][0]} "
        assert "Left in place by -on-error: container " in kiln["result"].text
