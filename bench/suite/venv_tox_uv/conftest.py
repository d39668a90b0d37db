"""tox-uv style: one venv for the session (per xdist worker), the packages reinstalled into it
before each test with ``uv pip install --reinstall``; removed at the end of the session."""

import os
import shutil
import sys
import uuid
from typing import Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import VENVS  # noqa: E402
from uvtools import install, make_venv  # noqa: E402


@pytest.fixture(scope="session")
def shared_venv() -> Iterator[str]:
    path = os.path.join(VENVS, uuid.uuid4().hex)
    try:
        make_venv(path)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def venv(shared_venv: str) -> str:
    install(shared_venv, "--reinstall")
    return shared_venv
