"""ptest-isolation: a virtualenv environment per test through the plugin's ``iso_factory``,
the three packages installed offline from the driver's wheels (a template hit after the
first), destroyed after the test."""

import os
import sys
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import PACKAGES, WHEELS  # noqa: E402


@pytest.fixture
def venv(iso_factory: Any) -> str:
    env = iso_factory(requirements=PACKAGES, find_links=[WHEELS], offline=True)
    return os.path.join(env.location, "venv")
