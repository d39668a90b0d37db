"""The docker-compose CLI by hand: `up -d`, then polling `docker inspect` until every
container with a healthcheck is healthy and the front answers, then `down -v -t 0`."""

import json
import os
import shutil
import subprocess
import time
import uuid

import pytest

from common import POLL_SECONDS, READY_TIMEOUT_SECONDS, STACK, get

COMPOSE = os.environ.get("BENCH_COMPOSE") or ("docker-compose" if shutil.which("docker-compose") else "docker compose")


def _healthy(project: str) -> bool:
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"],
                         check=True, capture_output=True, text=True).stdout.split()
    if len(ids) < 3:
        return False
    for inspect in json.loads(subprocess.run(["docker", "inspect", *ids], check=True, capture_output=True, text=True).stdout):
        health = inspect["State"].get("Health")
        if not inspect["State"]["Running"] or (health is not None and health["Status"] != "healthy"):
            return False
    return True


@pytest.fixture
def stack_url():
    project = f"{os.environ.get('BENCH_PROJECT', 'ptisocompose')}{uuid.uuid4().hex[:6]}"
    command = [*COMPOSE.split(), "-p", project, "-f", STACK]
    subprocess.run([*command, "up", "-d"], check=True, capture_output=True)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not _healthy(project):
            assert time.monotonic() < deadline, "the stack was not healthy in time"
            time.sleep(POLL_SECONDS)
        port = subprocess.run([*command, "port", "web", "8080"], check=True, capture_output=True, text=True).stdout.strip()
        yield f"http://127.0.0.1:{port.rsplit(':', 1)[1]}/"
    finally:
        subprocess.run([*command, "down", "-v", "-t", "0"], capture_output=True)
