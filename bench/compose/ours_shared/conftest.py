"""ptest-isolation, one stack for the whole run: ``iso_session_compose`` under ``-n 2`` starts it
once, shared by both xdist workers, and the controller removes it after the last one."""

import pytest

from common import STACK, record_stack


@pytest.fixture(scope="session")
def stack(iso_session_compose):
    return iso_session_compose(STACK)


@pytest.fixture
def stack_url(stack) -> str:
    record_stack(stack.details["compose.project"])
    return f"http://127.0.0.1:{stack.ports[8080]}/"
