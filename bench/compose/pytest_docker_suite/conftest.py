"""pytest-docker: its ``docker_services`` per test (``--container-scope function``) runs
`up -d` and `down -v -t 0` around each test; readiness through ``wait_until_responsive``
checking that every container is healthy and the front answers."""

import os
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import STACK, wait_for_stack_url  # noqa: E402


@pytest.fixture
def docker_compose_command() -> str:
    return os.environ.get("BENCH_COMPOSE") or ("docker-compose" if shutil.which("docker-compose") else "docker compose")


@pytest.fixture
def docker_compose_file() -> str:
    return STACK


@pytest.fixture
def docker_compose_project_name() -> str:
    return os.environ.get("BENCH_PROJECT", f"ptisocompose{os.getpid()}")


@pytest.fixture
def docker_setup() -> list[str]:
    return ["up -d"]


@pytest.fixture
def docker_cleanup() -> list[str]:
    return ["down -v -t 0"]


@pytest.fixture
def stack_url(docker_ip: str, docker_services, docker_compose_project_name: str) -> str:
    return wait_for_stack_url(docker_ip, docker_services, docker_compose_project_name)
