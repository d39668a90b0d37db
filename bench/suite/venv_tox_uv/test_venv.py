"""The venv scenarios' tests: each gets a venv of its own with the three packages (the
``venv`` fixture of this directory's conftest.py, a path) and checks they are installed."""

import pytest

from common import PACKAGES, TESTS, installed


@pytest.mark.parametrize("n", range(TESTS))
def test_venv(venv: str, n: int) -> None:
    assert installed(venv) == sorted(PACKAGES)
