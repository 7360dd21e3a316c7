"""``kiln init`` of a plugin with boto3 as a dependency: publish it once (``kiln-sdk new`` + ``kiln-sdk
publish``, its wheels packed from this environment), serve the registry over HTTP on 127.0.0.1, then time
``kiln init`` into an empty plugin directory (cold: download, verify, new environment) and once more into
the same one (warm: nothing to do). Packer has no equivalent offline (its init asks GitHub's API), so
there is no ratio here; docs/registry.md records the numbers.

    .venv/bin/python bench/bench_install.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.registry_fixture import RegistryServer, make_key, publish, scaffold  # noqa: E402

SOURCE = "example.com/bench/cloudy"
TEMPLATE = f"""
packer {{
  required_plugins {{
    cloudy = {{
      source  = "{SOURCE}"
      version = ">= 0.1"
    }}
  }}
}}
"""


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {out.returncode}):\n{out.stdout}{out.stderr}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--installer", choices=["uv", "pip", "both"], default="both",
                        help="what fills the plugin's environment (KILN_PLUGIN_INSTALLER); both: each, side by side")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiln-bench-install-") as tmp_text:
        tmp = Path(tmp_text)
        (tmp / "home").mkdir()
        key = tmp / "key.pem"
        make_key(key)
        project = scaffold("cloudy", tmp / "cloudy", dependencies=["boto3>=1.34"])
        start = time.perf_counter()
        out = publish(project, tmp / "registry", SOURCE, key, tmp / "home")
        publish_s = time.perf_counter() - start
        if out.returncode != 0:
            raise SystemExit(f"kiln-sdk publish failed:\n{out.stdout}{out.stderr}")
        archive = next((tmp / "registry" / SOURCE / "0.1.0").glob("*.zip"))
        folder = tmp / "proj"
        folder.mkdir()
        (folder / "build.pkr.hcl").write_text(TEMPLATE)
        tools = ["uv", "pip"] if args.installer == "both" else [args.installer]
        cold: dict[str, list[float]] = {t: [] for t in tools}
        warm: list[float] = []
        with RegistryServer(tmp / "registry") as server:
            for run in range(args.runs):
                for tool in tools:  # interleaved, so that the machine's load weighs on both alike
                    env = {k: v for k, v in os.environ.items() if not k.startswith(("KILN_", "PACKER_"))}
                    env.update(HOME=str(tmp / "home"), XDG_CACHE_HOME=str(tmp / f"cache-{tool}{run}"),
                               KILN_PLUGIN_PATH=str(tmp / f"plugins-{tool}{run}"), KILN_PLUGIN_MIRROR=server.url,
                               KILN_PLUGIN_INSTALLER=tool)
                    (folder / ".kiln.lock.hcl").unlink(missing_ok=True)
                    cold[tool].append(timed([sys.executable, "-m", "kiln", "init", "."], folder, env))
                    warm.append(timed([sys.executable, "-m", "kiln", "init", "."], folder, env))
        installed = tmp / f"plugins-{tools[0]}0" / SOURCE / "0.1.0"
        size = sum(f.stat().st_size for f in installed.rglob("*") if f.is_file())
        print(f"plugin with boto3: archive {archive.stat().st_size / 1e6:.1f} MB, installed {size / 1e6:.0f} MB")
        print(f"  kiln-sdk publish (once):              {publish_s:6.2f} s")
        for tool in tools:
            times = cold[tool]
            print(f"  kiln init, cold, {tool:<3} (median of {args.runs}):  {statistics.median(times):6.2f} s  "
                  f"(min {min(times):.2f}, max {max(times):.2f})")
        print(f"  kiln init, already installed (median): {statistics.median(warm):6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
