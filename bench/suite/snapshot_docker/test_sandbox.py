"""The container snapshot scenario's tests: each gets a fresh copy of the prepared container
(the ``sandbox`` fixture of this directory's conftest.py) and reads the file prepared in it."""

import pytest

from common import TESTS


@pytest.mark.parametrize("n", range(TESTS))
def test_sandbox(sandbox, n: int) -> None:
    assert sandbox(["cat", "/state"]) == "prepared\n"
