"""pytest-docker: `docker compose up -d` and `down -v` around every test (the driver passes
``--container-scope function``, pytest-docker's own option, so ``docker_services`` and its
fixtures are per test), readiness through ``docker_services.wait_until_responsive`` polling
every 0.1 s. Compose v1 (`docker-compose`, Debian's 1.29.2) has no `up --wait`, so setup is
`up -d` with either version. Teardown is `down -v -t 0`: httpd runs as PID 1 and ignores
SIGTERM, so the default `down -v` waits out compose's 10 s stop timeout on every test;
testcontainers and ptest-isolation remove with a kill, and so does this. The compose command is `docker-compose` when it is installed,
else `docker compose` (BENCH_COMPOSE overrides)."""

import os
import shutil
import sys
import urllib.error

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import POLL_SECONDS, PORT, READY_TIMEOUT_SECONDS, get  # noqa: E402


@pytest.fixture
def docker_compose_command() -> str:
    return os.environ.get("BENCH_COMPOSE") or ("docker-compose" if shutil.which("docker-compose") else "docker compose")


@pytest.fixture
def docker_compose_file() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "docker-compose.yml")


@pytest.fixture
def docker_compose_project_name() -> str:
    # Under xdist every worker brings up its own project: the same name would make the workers'
    # `up` and `down` act on one another's containers.
    project = os.environ.get("BENCH_COMPOSE_PROJECT", f"ptestisobench{os.getpid()}")
    return project + os.environ.get("PYTEST_XDIST_WORKER", "")


@pytest.fixture
def docker_setup() -> list[str]:
    return ["up -d"]


@pytest.fixture
def docker_cleanup() -> list[str]:
    return ["down -v -t 0"]


def _responsive(url: str) -> bool:
    try:
        return get(url).strip() == "ok"
    except (urllib.error.URLError, ConnectionError, OSError, AssertionError):
        return False


@pytest.fixture
def http_service(docker_ip: str, docker_services) -> str:
    url = f"http://{docker_ip}:{docker_services.port_for('web', PORT)}/"
    docker_services.wait_until_responsive(check=lambda: _responsive(url), timeout=READY_TIMEOUT_SECONDS, pause=POLL_SECONDS)
    return url
