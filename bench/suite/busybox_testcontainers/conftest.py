"""testcontainers-python: a DockerContainer per test running ``sleep``, ``exec`` in it, removed
after the test (``stop()``). Ryuk is disabled by the driver: its image would be pulled."""

import os
import sys
from typing import Callable, Iterator

import pytest
from testcontainers.core.container import DockerContainer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import IMAGE, RUN_ID, RUN_LABEL, SLEEP  # noqa: E402


@pytest.fixture
def sandbox() -> Iterator[Callable[[list[str]], str]]:
    with DockerContainer(IMAGE, labels={RUN_LABEL: RUN_ID}).with_command(SLEEP) as container:

        def run(argv: list[str]) -> str:
            code, output = container.exec(argv)
            assert code == 0, output
            return output.decode()

        yield run
