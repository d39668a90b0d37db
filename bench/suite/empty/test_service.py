"""The baseline: as many tests as the service suites, doing nothing (pytest's own cost per test)."""

import pytest

from common import TESTS


@pytest.mark.parametrize("n", range(TESTS))
def test_service(n: int) -> None:
    pass
