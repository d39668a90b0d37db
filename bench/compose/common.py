"""What the compose suites share: the stack file, the test's check and the run's label."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request

STACK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stack.yml")
TESTS = int(os.environ.get("BENCH_TESTS", "3"))
RUN_LABEL = "bench.ptest-iso.compose.run"
RUN_ID = os.environ.get("BENCH_RUN", "manual")
POLL_SECONDS = 0.1
READY_TIMEOUT_SECONDS = 120.0


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return response.read().decode()


def record_stack(project: str) -> None:
    """Notes which stack (compose project) a test used, for the driver to count stacks started."""
    records = os.environ.get("BENCH_RECORDS")
    if records:
        with open(os.path.join(records, f"{os.getpid()}-{project}"), "w") as handle:
            handle.write(project)


def stack_ready(project: str, url: str) -> bool:
    """Every container of the project is up (healthy where it has a check) and the front answers."""
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"],
                         capture_output=True, text=True).stdout.split()
    if len(ids) < 3:
        return False
    for inspect in json.loads(subprocess.run(["docker", "inspect", *ids], capture_output=True, text=True).stdout or "[]"):
        health = inspect["State"].get("Health")
        if health is not None and health["Status"] != "healthy":
            return False
    try:
        return get(url).strip() == "ok"
    except (urllib.error.URLError, ConnectionError, OSError, AssertionError):
        return False


def wait_for_stack_url(docker_ip: str, docker_services, project: str) -> str:
    """The web front's URL once pytest-docker's ``wait_until_responsive`` saw the stack ready."""
    url = f"http://{docker_ip}:{docker_services.port_for('web', 8080)}/"
    docker_services.wait_until_responsive(check=lambda: stack_ready(project, url), timeout=READY_TIMEOUT_SECONDS, pause=POLL_SECONDS)
    return url
