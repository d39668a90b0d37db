"""ptest-isolation, snapshot per test: one prepared virtualenv environment for the session,
and for each test a fresh copy of it through ``iso_fresh_copy`` (snapshotted on first use,
restored per test). Each restore's duration is recorded for the driver (the first one of a
process also takes the snapshot)."""

import os
import sys
import time
from typing import Any, Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import PACKAGES, WHEELS, record_timings  # noqa: E402

_RESTORES: list[float] = []


@pytest.fixture(scope="session")
def prepared(iso_session_factory: Any) -> Iterator[Any]:
    yield iso_session_factory(requirements=PACKAGES, find_links=[WHEELS], offline=True)
    record_timings("venv", _RESTORES)


@pytest.fixture
def venv(iso_fresh_copy: Any, prepared: Any) -> str:
    start = time.perf_counter()
    copy = iso_fresh_copy(prepared)
    _RESTORES.append(time.perf_counter() - start)
    return os.path.join(copy.location, "venv")
