"""What the three service suites share: the service, the test's request and the run's label.

Every suite gets the same HTTP service: the locally built busybox image running ``httpd`` on
port 8080 with an index file, started fresh for each test, and each test does one real GET
against it from the host. Nothing here pulls: the image is built by scripts/test-images.sh."""

from __future__ import annotations

import os
import urllib.request

IMAGE = os.environ.get("BENCH_SUITE_IMAGE", "ptest-iso-test/busybox:latest")
PORT = 8080
COMMAND = ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
#: How many tests each suite has (the driver's --tests).
TESTS = int(os.environ.get("BENCH_SUITE_TESTS", "20"))
#: Every container a suite makes carries this label, so the driver can find leftovers.
RUN_LABEL = "bench.ptest-iso.suite.run"
RUN_ID = os.environ.get("BENCH_SUITE_RUN", "manual")
#: Readiness polling of the two other tools (their defaults are 1 s for testcontainers' wait
#: strategies; pytest-docker has none): 0.1 s, as a tuned user would set it.
POLL_SECONDS = 0.1
READY_TIMEOUT_SECONDS = 30.0


def get(url: str) -> str:
    """The test's one request: a GET from the host, bounded in time."""
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return response.read().decode()
