"""What the compose suites share: the stack file, the test's check and the run's label."""

from __future__ import annotations

import os
import urllib.request

STACK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stack.yml")
TESTS = int(os.environ.get("BENCH_TESTS", "3"))
RUN_LABEL = "bench.ptest-iso.compose.run"
RUN_ID = os.environ.get("BENCH_RUN", "manual")
POLL_SECONDS = 0.1
READY_TIMEOUT_SECONDS = 120.0


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return response.read().decode()
