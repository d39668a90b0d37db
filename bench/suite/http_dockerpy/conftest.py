"""docker-py by hand: ``containers.run(detach=True)`` of the HTTP service per test with its port
published on 127.0.0.1, its answer awaited (a GET every 0.1 s, as the testcontainers suite
polls), and ``remove(force=True)`` after the test, with one client for the session."""

import os
import sys
import time
import urllib.error
import urllib.request
from typing import Iterator

import docker
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import COMMAND, IMAGE, POLL_SECONDS, PORT, READY_TIMEOUT_SECONDS, RUN_ID, RUN_LABEL  # noqa: E402
from dockerpy_client import client  # noqa: E402, F401 (the session fixture)


def _await_answer(url: str) -> None:
    # The published port accepts before the service listens (the proxy then drops the
    # connection): ready is an answer, not a connect.
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {READY_TIMEOUT_SECONDS:g} s")
        time.sleep(POLL_SECONDS)


@pytest.fixture
def http_service(client: docker.DockerClient) -> Iterator[str]:
    container = client.containers.run(IMAGE, COMMAND, detach=True, ports={f"{PORT}/tcp": ("127.0.0.1", None)},
                                      labels={RUN_LABEL: RUN_ID})
    try:
        container.reload()
        url = f"http://127.0.0.1:{container.ports[f'{PORT}/tcp'][0]['HostPort']}/"
        _await_answer(url)
        yield url
    finally:
        container.remove(force=True)
