"""ptest-isolation: a Docker environment in service mode per test, through the plugin's
``iso_factory`` (destroyed after the test; the plugin's session manager keeps one standby
container of the spec, as it does for every run)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import COMMAND, IMAGE, PORT, RUN_ID, RUN_LABEL  # noqa: E402
from ptest_isolation import WaitFor  # noqa: E402


@pytest.fixture
def http_service(iso_factory) -> str:
    env = iso_factory(engine="docker", image=IMAGE, mode="service", command=COMMAND, ports=[PORT],
                      wait_for=[WaitFor.http(PORT, "/")], labels={RUN_LABEL: RUN_ID})
    return f"http://127.0.0.1:{env.ports[PORT]}/"
