"""What the suites share: the images and commands, the run's label, the venv scenario's
packages and where the driver put its wheels and venvs, and the tests' one check each.

Every suite of a scenario runs the same tests; only its conftest.py differs (how the test's
fresh container or venv is made). Nothing here pulls: the image is built by
scripts/test-images.sh, and the wheels are made offline by the driver."""

from __future__ import annotations

import glob
import json
import os
import urllib.request

IMAGE = os.environ.get("BENCH_SUITE_IMAGE", "ptest-iso-test/busybox:latest")
PORT = 8080
COMMAND = ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
#: The busybox scenario's idle container (the test execs in it).
SLEEP = ["sleep", "2147483647"]
#: Whether the busybox suites' tests exec in their container (the container scenario's do not).
EXEC = os.environ.get("BENCH_SUITE_EXEC", "1") != "0"
#: How many tests each suite has (the driver's --tests or the scenario's default).
TESTS = int(os.environ.get("BENCH_SUITE_TESTS", "20"))
#: Every container a suite makes carries this label, so the driver can find leftovers.
RUN_LABEL = "bench.ptest-iso.suite.run"
RUN_ID = os.environ.get("BENCH_SUITE_RUN", "manual")
#: Readiness polling of the two other tools (their defaults are 1 s for testcontainers' wait
#: strategies; pytest-docker has none): 0.1 s, as a tuned user would set it.
POLL_SECONDS = 0.1
READY_TIMEOUT_SECONDS = 30.0

#: The venv scenarios: three tiny wheels the driver builds into WHEELS, installed offline.
PACKAGES = ["bench_one", "bench_two", "bench_three"]
WHEELS = os.environ.get("BENCH_SUITE_WHEELS", "")
#: Where the uv suites make their venvs (the driver checks it is empty after each suite).
VENVS = os.environ.get("BENCH_SUITE_VENVS", "")
UV = os.environ.get("BENCH_SUITE_UV", "uv")
#: The interpreter the uv venvs get (the real one, not a pyenv shim).
PYTHON = os.environ.get("BENCH_SUITE_PYTHON", "python3")
#: Where the snapshot suites write each restore's duration (JSON lines), for the driver.
TIMINGS = os.environ.get("BENCH_SUITE_TIMINGS", "")


def get(url: str) -> str:
    """The http scenario's one request: a GET from the host, bounded in time."""
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return response.read().decode()


def installed(venv: str) -> list[str]:
    """The venv scenario's check: which of PACKAGES the venv's site-packages holds."""
    found = {os.path.basename(os.path.dirname(path))
             for path in glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "bench_*", "__init__.py"))}
    return sorted(found)


def record_timings(kind: str, seconds: list[float]) -> None:
    """Appends one process's restore durations to TIMINGS (no-op when the driver asked for none)."""
    if TIMINGS and seconds:
        with open(TIMINGS, "a") as handle:
            handle.write(json.dumps({"kind": kind, "pid": os.getpid(), "seconds": seconds}) + "\n")
