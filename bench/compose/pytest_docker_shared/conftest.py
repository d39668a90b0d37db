"""pytest-docker, one stack per run as its docs suggest (``docker_services`` session-scoped):
under ``-n 2`` each xdist worker is its own session, so each starts its own copy — with a
project per worker, since a shared project name lets the first worker's `down` pull the stack
from under the other (pytest-docker #124)."""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import STACK, wait_for_stack_url, record_stack  # noqa: E402


@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    return os.environ.get("BENCH_COMPOSE") or ("docker-compose" if shutil.which("docker-compose") else "docker compose")


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    return STACK


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return os.environ["BENCH_PROJECT"] + os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def docker_setup() -> list[str]:
    return ["up -d"]


@pytest.fixture(scope="session")
def docker_cleanup() -> list[str]:
    return ["down -v -t 0"]


@pytest.fixture
def stack_url(docker_ip: str, docker_services, docker_compose_project_name: str) -> str:
    record_stack(docker_compose_project_name)
    return wait_for_stack_url(docker_ip, docker_services, docker_compose_project_name)
