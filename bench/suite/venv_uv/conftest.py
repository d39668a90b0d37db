"""uv per test: ``uv venv`` + ``uv pip install --offline --find-links`` into a new venv for each
test (uv's cache warmed by the driver), removed after the test."""

import os
import shutil
import sys
import uuid
from typing import Iterator

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import VENVS  # noqa: E402
from uvtools import install, make_venv  # noqa: E402


@pytest.fixture
def venv() -> Iterator[str]:
    path = os.path.join(VENVS, uuid.uuid4().hex)
    try:
        make_venv(path)
        install(path)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
