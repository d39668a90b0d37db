"""The hand-written docker-py suites' one client for the session (imported by their
conftest.py only, so the other suites do not pay for importing docker)."""

from typing import Iterator

import docker
import pytest


@pytest.fixture(scope="session")
def client() -> Iterator[docker.DockerClient]:
    client = docker.from_env()
    yield client
    client.close()
