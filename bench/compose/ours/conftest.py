"""ptest-isolation: the stack as one environment through the plugin's ``iso_factory``
(destroyed after the test)."""

import pytest

from common import STACK


@pytest.fixture
def stack_url(iso_factory) -> str:
    stack = iso_factory(compose=STACK)
    return f"http://127.0.0.1:{stack.ports[8080]}/"
