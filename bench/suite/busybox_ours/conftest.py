"""ptest-isolation: a Docker sandbox per test through the plugin's ``iso_factory`` (destroyed
after the test; the session's manager keeps standby containers of the spec)."""

import os
import sys
from typing import Any, Callable

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import IMAGE, RUN_ID, RUN_LABEL  # noqa: E402


@pytest.fixture
def sandbox(iso_factory: Any) -> Callable[[list[str]], str]:
    env = iso_factory(engine="docker", image=IMAGE, mode="sandbox", labels={RUN_LABEL: RUN_ID})

    def run(argv: list[str]) -> str:
        result = env.run(argv)
        assert result.exit_code == 0, result
        return str(result.stdout)

    return run
