"""The cleanup guarantee, shown: a pytest run holding virtualenvs (and
containers, when a daemon answers) is killed with SIGKILL, and the
session's reaper removes everything it left. Checked from the outside —
the filesystem and the `docker` CLI — not through the library.

    python3 examples/killed_run.py
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SUITE = '''
import json, pathlib, time
import ptest_isolation as iso

def test_holds_environments_until_killed(iso_manager):
    made = [iso_manager.create() for _ in range(3)]
    if WITH_DOCKER:
        made += [iso_manager.create(iso.DockerSpec(image="ptest-iso-test/busybox:latest", network=n)) for n in ("none", "isolated")]
    pathlib.Path(MARKER).write_text(json.dumps({"session": iso_manager.session,
        "venvs": [e.location for e in made if e.engine == "virtualenv"],
        "containers": [e.location for e in made if e.engine == "docker"]}))
    time.sleep(600)
'''


def docker_leftovers(session: str) -> list[str]:
    label = f"label=ptest-iso.session={session}"
    found = []
    for command in (["ps", "-aq"], ["network", "ls", "-q"], ["volume", "ls", "-q"]):
        found += subprocess.run(["docker", *command, "--filter", label], capture_output=True, text=True).stdout.split()
    return found


def main() -> int:
    with_docker = bool(shutil.which("docker")) and subprocess.run(
        ["docker", "image", "inspect", "ptest-iso-test/busybox:latest"], capture_output=True).returncode == 0
    with tempfile.TemporaryDirectory(prefix="ptest-iso-killed-run-") as scratch:
        root = pathlib.Path(scratch)
        marker = root / "ready.json"
        (root / "test_killed.py").write_text(f"MARKER = {str(marker)!r}\nWITH_DOCKER = {with_docker!r}\n" + SUITE)
        env = dict(os.environ, PTEST_ISO_HOME=str(root / "home"))
        env.pop("PTEST_ISO_SESSION", None)
        run = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)], cwd=root,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not marker.exists():
            if run.poll() is not None or time.monotonic() > deadline:
                print("killed-run: the run did not get its environments")
                return 1
            time.sleep(0.1)
        time.sleep(0.2)
        held = json.loads(marker.read_text())
        before = len(held["venvs"]) + (len(docker_leftovers(held["session"])) if with_docker else 0)
        run.send_signal(signal.SIGKILL)
        run.wait()
        killed_at = time.monotonic()
        while True:
            left = [path for path in held["venvs"] if pathlib.Path(path).exists()]
            if with_docker:
                left += docker_leftovers(held["session"])
            if not left or time.monotonic() - killed_at > 30:
                break
            time.sleep(0.2)
        what = "venvs, containers and networks" if with_docker else "venvs"
        print(f"killed-run: session {held['session']} held {before} {what}; killed with SIGKILL; "
              f"{len(left)} left {time.monotonic() - killed_at:.1f} s later")
        return 0 if not left else 1


if __name__ == "__main__":
    sys.exit(main())
