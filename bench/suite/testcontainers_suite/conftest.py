"""testcontainers-python: a DockerContainer per test with its HTTP wait strategy (polling every
0.1 s instead of its default 1 s), removed after the test. Ryuk is disabled by the driver
(TESTCONTAINERS_RYUK_DISABLED=true): its image would have to be pulled, and no registry is
reachable here."""

import os
import sys

import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import HttpWaitStrategy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import COMMAND, IMAGE, POLL_SECONDS, PORT, READY_TIMEOUT_SECONDS, RUN_ID, RUN_LABEL  # noqa: E402


@pytest.fixture
def http_service():
    wait = HttpWaitStrategy(PORT, "/").for_status_code(200).with_poll_interval(POLL_SECONDS).with_startup_timeout(READY_TIMEOUT_SECONDS)
    container = DockerContainer(IMAGE, labels={RUN_LABEL: RUN_ID}).with_command(COMMAND).with_exposed_ports(PORT).waiting_for(wait)
    with container:
        yield f"http://{container.get_container_host_ip()}:{container.get_exposed_port(PORT)}/"
