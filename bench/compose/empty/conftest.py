"""The baseline: pytest's own cost, with a fixture that makes nothing."""

import pytest


@pytest.fixture
def stack_url() -> str:
    return "unused"
