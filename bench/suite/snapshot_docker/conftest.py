"""ptest-isolation, snapshot per test: one prepared Docker sandbox for the session (a file
written into it), and for each test a fresh copy of it through ``iso_fresh_copy`` (committed
on first use, a new container of that image per test). Each restore's duration is recorded
for the driver (the first one of a process also takes the snapshot)."""

import os
import sys
import time
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import IMAGE, RUN_ID, RUN_LABEL, record_timings  # noqa: E402

_RESTORES: list[float] = []


@pytest.fixture(scope="session")
def prepared(iso_session_factory: Any) -> Iterator[Any]:
    env = iso_session_factory(engine="docker", image=IMAGE, mode="sandbox", labels={RUN_LABEL: RUN_ID})
    assert env.run(["sh", "-c", "echo prepared > /state"]).exit_code == 0
    yield env
    record_timings("docker", _RESTORES)


@pytest.fixture
def sandbox(iso_fresh_copy: Any, prepared: Any) -> Callable[[list[str]], str]:
    start = time.perf_counter()
    copy = iso_fresh_copy(prepared)
    _RESTORES.append(time.perf_counter() - start)

    def run(argv: list[str]) -> str:
        result = copy.run(argv)
        assert result.exit_code == 0, result
        return str(result.stdout)

    return run
