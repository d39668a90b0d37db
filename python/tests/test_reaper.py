"""The cleanup guarantee under faults: a test run killed with SIGKILL, and
its reaper killed too, leave nothing behind (checked with the `docker` CLI
and the filesystem, not through the library)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

import ptest_isolation as iso

IMAGE = "ptest-iso-test/busybox:latest"

SUITE = """
import json, os, pathlib, time
import pytest
import ptest_isolation as iso

def test_holds_environments(iso_manager):
    venvs = [iso_manager.create() for _ in range(3)]
    containers = [iso_manager.create(iso.DockerSpec(image=IMAGE, network=network))
                  for network in ("none", "isolated", "none")] if WITH_DOCKER else []
    pathlib.Path(MARKER).write_text(json.dumps({
        "session": iso_manager.session,
        "venvs": [env.location for env in venvs],
        "containers": [env.location for env in containers],
    }))
    time.sleep(600)
"""


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    probe = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True)
    return probe.returncode == 0


def session_leftovers(session: str) -> list[str]:
    """Containers, networks and volumes of `session`, as the docker CLI sees them."""
    found = []
    label = f"label=ptest-iso.session={session}"
    for command in (["ps", "-aq"], ["network", "ls", "-q"], ["volume", "ls", "-q"]):
        listed = subprocess.run(["docker", *command, "--filter", label], capture_output=True, text=True, check=True).stdout
        found += listed.split()
    return found


def reaper_pids(session: str) -> list[int]:
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"reap" in argv and session.encode() in argv and b"--detach" not in argv:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def killed_run(tmp_path):
    """Starts a pytest run that holds 3 venv and (with a daemon) 3 Docker
    environments, and returns it once they exist."""
    with_docker = docker_answers()
    marker = tmp_path / "ready.json"
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_hold.py").write_text(
        f"IMAGE = {IMAGE!r}\nMARKER = {str(marker)!r}\nWITH_DOCKER = {with_docker!r}\n" + SUITE
    )
    home = tmp_path / "home"
    env = dict(os.environ, PTEST_ISO_HOME=str(home))
    env.pop("PTEST_ISO_SESSION", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(suite)],
        cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"the run ended early:\n{process.stdout.read().decode()}")
        assert time.monotonic() < deadline, "the run made no environments within 180 s"
        time.sleep(0.1)
    time.sleep(0.1)
    held = json.loads(marker.read_text())
    yield process, held, home
    if process.poll() is None:
        process.kill()
    process.wait()


def wait_until_gone(held: dict, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        left = [path for path in held["venvs"] if pathlib.Path(path).exists()]
        if held["containers"]:
            left += session_leftovers(held["session"])
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def test_a_killed_test_run_leaves_nothing_within_ten_seconds(killed_run):
    process, held, _ = killed_run
    assert all(pathlib.Path(path).is_dir() for path in held["venvs"])
    if held["containers"]:
        assert len(session_leftovers(held["session"])) >= 3
    assert len(reaper_pids(held["session"])) == 1
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_until_gone(held, 10) == []
    assert reaper_pids(held["session"]) == [], "the reaper outlived its work"


def test_a_killed_reaper_and_client_are_cleaned_by_the_next_client(killed_run):
    process, held, home = killed_run
    (reaper,) = reaper_pids(held["session"])
    os.kill(reaper, signal.SIGKILL)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(3)
    assert len([path for path in held["venvs"] if pathlib.Path(path).exists()]) == 3, "nothing should have reaped yet"
    # The next client of the same home, in another session: its reaper finds the orphaned session.
    with iso.Manager(home=str(home)) as manager:
        with manager.environment():
            assert wait_until_gone(held, 30) == []
