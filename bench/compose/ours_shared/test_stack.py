"""Each test gets a fresh stack, healthy, and does one GET against its web front."""

import pytest

from common import TESTS, get


@pytest.mark.parametrize("n", range(TESTS))
def test_stack(stack_url: str, n: int) -> None:
    assert get(stack_url).strip() == "ok"
