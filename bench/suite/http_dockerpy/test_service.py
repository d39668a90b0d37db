"""The suite's tests: each gets a fresh HTTP service (the ``http_service`` fixture of this
directory's conftest.py) and does one GET against it from the host."""

import pytest

from common import TESTS, get


@pytest.mark.parametrize("n", range(TESTS))
def test_service(http_service: str, n: int) -> None:
    assert get(http_service).strip() == "ok"
