"""The busybox scenario's tests: each gets a fresh idle busybox container (the ``sandbox``
fixture of this directory's conftest.py) and execs ``echo hi`` in it. The container scenario
runs the same tests with ``BENCH_SUITE_EXEC=0``: each gets its fresh container and asks nothing
of it (the issue's scenario, against its create+start+remove floor)."""

import pytest

from common import EXEC, TESTS


@pytest.mark.parametrize("n", range(TESTS))
def test_sandbox(sandbox, n: int) -> None:
    if EXEC:
        assert sandbox(["echo", "hi"]) == "hi\n"
