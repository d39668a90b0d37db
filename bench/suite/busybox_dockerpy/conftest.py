"""docker-py by hand: ``containers.run(detach=True)`` per test, ``exec_run`` in it, and
``remove(force=True)`` after the test, with one client for the session."""

import os
import sys
from typing import Callable, Iterator

import docker
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import IMAGE, RUN_ID, RUN_LABEL, SLEEP  # noqa: E402
from dockerpy_client import client  # noqa: E402, F401 (the session fixture)


@pytest.fixture
def sandbox(client: docker.DockerClient) -> Iterator[Callable[[list[str]], str]]:
    container = client.containers.run(IMAGE, SLEEP, detach=True, labels={RUN_LABEL: RUN_ID})
    try:

        def run(argv: list[str]) -> str:
            code, output = container.exec_run(argv)
            assert code == 0, output
            return output.decode()

        yield run
    finally:
        container.remove(force=True)
