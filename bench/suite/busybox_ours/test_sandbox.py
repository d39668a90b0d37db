"""The busybox scenario's tests: each gets a fresh idle busybox container (the ``sandbox``
fixture of this directory's conftest.py) and execs ``echo hi`` in it."""

import pytest

from common import TESTS


@pytest.mark.parametrize("n", range(TESTS))
def test_sandbox(sandbox, n: int) -> None:
    assert sandbox(["echo", "hi"]) == "hi\n"
