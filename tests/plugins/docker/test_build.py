"""The docker builder end to end: the real kiln CLI, real plugin processes, real podman, a real image."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import tarfile
import time

from tests.plugins.docker.conftest import KILN, DockerCase

COMMIT = """
source "docker" "c" {
  image   = "BASE_IMAGE"
  pull    = false
  commit  = true
  changes = ["ENV FOO=bar", "LABEL kiln.test=yes", "WORKDIR /srv", "EXPOSE 8080",
             "ENTRYPOINT [\\"/bin/sh\\", \\"-c\\"]", "CMD [\\"cat /srv/hello\\"]"]
  message = "built by kiln"
  author  = "kiln tests <kiln@example.com>"
}
build {
  sources = ["source.docker.c"]
  provisioner "shell" {
    inline = ["mkdir -p /srv", "echo hello from shell > /srv/hello",
              "echo type=$PACKER_BUILDER_TYPE name=$PACKER_BUILD_NAME user=$(id -un)"]
  }
  provisioner "file" {
    source      = "data.txt"
    destination = "/srv/data.txt"
  }
  post-processors {
    post-processor "docker-tag" {
      repository = "PREFIX/app"
      tags       = ["1.0", "latest"]
    }
    post-processor "manifest" {
      output = "manifest.json"
    }
  }
}
"""


def _tmp_env(case: DockerCase) -> dict[str, str]:
    tmp = case.cwd / ".ktmp"
    tmp.mkdir(exist_ok=True)
    return {"PACKER_TMP_DIR": str(tmp)}


def test_commit_with_changes_shell_and_file_then_tag(case: DockerCase) -> None:
    case.write(COMMIT)
    (case.cwd / "data.txt").write_text("data from the host\n")
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=_tmp_env(case))
    assert r.code == 0, r.text
    lines = r.out.splitlines()
    assert "==> docker.c: Creating a temporary directory for sharing data..." in lines
    assert "==> docker.c: Starting docker container..." in lines
    assert any(line.startswith("    docker.c: Run command: docker run -v ") and
               line.endswith(f":/packer-files -d -i -t --entrypoint=/bin/sh -- {case.base}") for line in lines)
    assert "    docker.c: type=docker name=c user=root" in lines
    assert "==> docker.c: Uploading data.txt => /srv/data.txt" in lines
    assert "==> docker.c: Committing the container" in lines
    image_id = next(line.split("Image ID: ")[1] for line in lines if "Image ID: " in line)
    assert any(line.startswith("==> docker.c: Killing the container: ") for line in lines)
    assert f"--> docker.c: Imported Docker image: {case.prefix}/app:latest with tags {case.prefix}/app:1.0 " \
           f"{case.prefix}/app:latest" in lines
    # the image: provisioners' files, the changes, message and author
    assert case.images() == [f"{case.prefix}/app:1.0", f"{case.prefix}/app:latest"]
    info = json.loads(case.docker("image", "inspect", image_id))[0]
    config = info["Config"]
    assert "FOO=bar" in config["Env"]
    assert config["Labels"]["kiln.test"] == "yes"
    assert config["WorkingDir"] == "/srv"
    assert config["Entrypoint"] == ["/bin/sh", "-c"]
    assert config["Cmd"] == ["cat /srv/hello"]
    assert "8080/tcp" in config["ExposedPorts"]
    assert info["Author"] == "kiln tests <kiln@example.com>"
    assert info["Comment"] == "built by kiln"
    assert case.docker("run", "--rm", f"{case.prefix}/app:1.0") == "hello from shell\n"  # its ENTRYPOINT and CMD
    assert case.run_image(f"{case.prefix}/app:1.0", "cat /srv/data.txt") == "data from the host\n"
    manifest = json.loads((case.cwd / "manifest.json").read_text())
    assert manifest["builds"][0]["artifact_id"] == f"{case.prefix}/app:latest"
    assert manifest["builds"][0]["builder_type"] == "docker"
    # nothing left: the build's container is gone, and so is its temp dir
    assert case.containers() == []
    assert os.listdir(case.cwd / ".ktmp") == []


PARALLEL = """
source "docker" "commit" {
  image  = "BASE_IMAGE"
  pull   = false
  commit = true
}
source "docker" "export" {
  image       = "BASE_IMAGE"
  pull        = false
  export_path = "out/export.tar"
}
source "docker" "discard" {
  image   = "BASE_IMAGE"
  pull    = false
  discard = true
}
build {
  sources = ["source.docker.commit", "source.docker.export", "source.docker.discard"]
  provisioner "shell" {
    inline = ["echo ${source.name} > /made-by"]
  }
  post-processor "manifest" {
    output = "manifest.json"
  }
}
"""


def test_commit_export_and_discard_in_parallel(case: DockerCase) -> None:
    case.write(PARALLEL)
    (case.cwd / "out").mkdir()
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=_tmp_env(case))
    assert r.code == 0, r.text
    assert "--> docker.export: Exported Docker file: out/export.tar" in r.out
    assert "--> docker.discard: Exported Docker file: " in r.out
    image_id = r.out.split("docker.commit: Image ID: ")[1].split()[0]
    assert f"--> docker.commit: Imported Docker image: {image_id}" in r.out
    assert case.run_image(image_id, "cat /made-by") == "commit\n"
    with tarfile.open(case.cwd / "out" / "export.tar") as tf:
        names = tf.getnames()
        member = next(m for m in tf.getmembers() if m.name.lstrip("./") == "made-by")
        fh = tf.extractfile(member)
        assert fh is not None and fh.read() == b"export\n"
    assert any(n.lstrip("./") == "bin/busybox" for n in names)
    assert "Exporting the container" in r.out
    assert "docker.discard: Committing" not in r.out and "docker.discard: Exporting" not in r.out
    builds = {b["name"]: b for b in json.loads((case.cwd / "manifest.json").read_text())["builds"]}
    assert builds["export"]["files"] == [{"name": "out/export.tar", "size": (case.cwd / "out/export.tar").stat().st_size}]
    assert builds["commit"]["artifact_id"] == image_id
    assert case.containers() == []
    assert os.listdir(case.cwd / ".ktmp") == []


def test_failing_provisioner_leaves_no_image_and_no_container(case: DockerCase) -> None:
    case.write("""
source "docker" "f" {
  image  = "BASE_IMAGE"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.f"]
  provisioner "shell" {
    inline = ["echo before", "exit 3"]
  }
}
""")
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=_tmp_env(case))
    assert r.code == 1
    assert "Script exited with non-zero exit status: 3" in r.text
    assert "Committing the container" not in r.out
    assert "==> docker.f: Killing the container: " in r.out
    assert case.containers() == []
    assert case.images() == []
    assert os.listdir(case.cwd / ".ktmp") == []


def test_on_error_abort_leaves_the_container_running_and_says_so(case: DockerCase) -> None:
    case.write("""
source "docker" "a" {
  image   = "BASE_IMAGE"
  pull    = false
  discard = true
}
build {
  sources = ["source.docker.a"]
  provisioner "shell" {
    inline = ["exit 4"]
  }
}
""")
    r = case.kiln("build", "-color=false", "-on-error=abort", "t.pkr.hcl", extra_env=_tmp_env(case))
    assert r.code == 1
    container = r.out.split("Container ID: ")[1].split()[0]
    left = case.containers()
    assert len(left) == 1 and container.startswith(left[0].split()[0]) and " Up " in f" {left[0]} "
    assert "Killing the container" not in r.out
    assert f"container {container}" in r.text and "Left in place by -on-error" in r.text
    temp_dirs = os.listdir(case.cwd / ".ktmp")
    assert len(temp_dirs) == 1 and f"temporary directory {case.cwd / '.ktmp' / temp_dirs[0]}" in r.text


def test_ctrl_c_mid_provision_removes_the_container(case: DockerCase) -> None:
    case.write("""
source "docker" "i" {
  image  = "BASE_IMAGE"
  pull   = false
  commit = true
}
build {
  sources = ["source.docker.i"]
  provisioner "shell" {
    inline = ["echo provisioning-started", "sleep 120", "echo never"]
  }
}
""")
    out = case.cwd / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*KILN, "build", "-color=false", "t.pkr.hcl"], cwd=case.cwd,
                                env=case.full_env(_tmp_env(case)), stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while "provisioning-started" not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.05)
        assert len(case.containers()) == 1
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=120)
    text = out.read_text()
    assert code == 1, text
    assert "never" not in text
    assert "Killing the container" in text
    assert "Committing" not in text
    assert case.containers() == []
    assert case.images() == []
    assert os.listdir(case.cwd / ".ktmp") == []


def test_image_missing_locally_with_pull_false(case: DockerCase) -> None:
    case.write("""
source "docker" "m" {
  image   = "PREFIX/not-here:1"
  pull    = false
  discard = true
}
build {
  sources = ["source.docker.m"]
}
""")
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=_tmp_env(case))
    assert r.code == 1
    assert "Pulling Docker image" not in r.out
    assert "Error running container: Docker exited with a non-zero exit status." in r.text
    assert f"{case.prefix}/not-here" in r.text
    assert "Killing the container" not in r.out
    out = case.docker("ps", "-a", "--filter", f"ancestor={case.prefix}/not-here:1", "--format", "{{.ID}}")
    assert out.strip() == ""
    assert os.listdir(case.cwd / ".ktmp") == []


def test_upload_of_a_2000_file_directory(case: DockerCase) -> None:
    tree = case.cwd / "tree"
    digest = hashlib.md5()
    lines = []
    for i in range(2000):
        d = tree / f"d{i % 40:02d}"
        d.mkdir(parents=True, exist_ok=True)
        data = f"file {i}\n".encode() * (i % 7 + 1)
        (d / f"f{i:04d}.txt").write_bytes(data)
        lines.append(f"{hashlib.md5(data).hexdigest()}  ./d{i % 40:02d}/f{i:04d}.txt")
    digest.update(("\n".join(sorted(lines, key=lambda line: line.split("  ", 1)[1])) + "\n").encode())
    case.write("""
source "docker" "u" {
  image   = "BASE_IMAGE"
  pull    = false
  discard = true
}
build {
  sources = ["source.docker.u"]
  provisioner "file" {
    source      = "tree/"
    destination = "/data"
  }
  provisioner "shell" {
    inline = ["cd /data && find . -type f | wc -l && find . -type f -exec md5sum {} + | sort -k2 | md5sum"]
  }
}
""")
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=_tmp_env(case))
    assert r.code == 0, r.text
    assert "    docker.u: 2000" in r.out
    assert f"    docker.u: {digest.hexdigest()}  -" in r.out
    assert case.containers() == []


KILLED = """
source "docker" "k" {
  image   = "BASE_IMAGE"
  pull    = false
  discard = true
}
build {
  sources = ["source.docker.k"]
  provisioner "shell" {
    inline = ["echo provisioning-started", "sleep 300"]
  }
}
"""


def test_sigkill_mid_build_then_kiln_cleanup_removes_the_container_and_temp_dir(case: DockerCase) -> None:
    """Better than Packer: the container and the host temp dir are in the cleanup journal, so what a killed
    kiln left is found and removed by `kiln cleanup` (`-dry-run` lists it first)."""
    case.write(KILLED)
    env = case.full_env({**_tmp_env(case), "KILN_JOURNAL_DIR": str(case.cwd / "journal")})
    out = case.cwd / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*KILN, "build", "-color=false", "t.pkr.hcl"], cwd=case.cwd, env=env,
                                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while "provisioning-started" not in out.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
                time.sleep(0.05)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # kiln and its plugin processes at once: no cleanup runs
            proc.wait()
    assert len(case.containers()) == 1
    assert len(os.listdir(case.cwd / ".ktmp")) == 1
    deadline = time.monotonic() + 60  # the plugin processes' journal locks go with them
    while True:
        dry = subprocess.run([*KILN, "cleanup", "-dry-run"], cwd=case.cwd, env=env, capture_output=True, text=True)
        if "2 resource(s) would be removed" in dry.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert dry.returncode == 0 and "2 resource(s) would be removed" in dry.stdout, dry.stdout + dry.stderr
    container = out.read_text().split("Container ID: ")[1].split()[0]
    assert f"docker-container {container}" in dry.stdout and "host-temp-dir " in dry.stdout
    assert len(case.containers()) == 1  # a dry run removes nothing
    done = subprocess.run([*KILN, "cleanup"], cwd=case.cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "==> 2 resource(s) removed." in done.stdout
    assert case.containers() == []
    assert os.listdir(case.cwd / ".ktmp") == []
    again = subprocess.run([*KILN, "cleanup"], cwd=case.cwd, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "Nothing to clean up" in again.stdout


def test_a_finished_build_leaves_nothing_in_the_journal_and_an_aborted_one_is_cleaned_up(case: DockerCase) -> None:
    env = {**_tmp_env(case), "KILN_JOURNAL_DIR": str(case.cwd / "journal")}
    case.write(KILLED.replace('"sleep 300"', '"true"'))
    r = case.kiln("build", "-color=false", "t.pkr.hcl", extra_env=env)
    assert r.code == 0, r.text
    assert not list((case.cwd / "journal").glob("*.journal"))  # everything crossed out, the file removed
    case.write(KILLED.replace('"sleep 300"', '"exit 4"'))
    r = case.kiln("build", "-color=false", "-on-error=abort", "t.pkr.hcl", extra_env=env)
    assert r.code == 1 and len(case.containers()) == 1
    done = case.kiln("cleanup", extra_env=env)
    assert done.code == 0 and "==> 2 resource(s) removed." in done.out, done.text
    assert case.containers() == [] and os.listdir(case.cwd / ".ktmp") == []
