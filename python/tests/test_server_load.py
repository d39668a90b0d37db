"""Short bounded passes of bench/server_load.py against the real server: concurrent clients
doing acquire/run/release cycles through wrk and through the Python client — zero errors,
every cycle done, nothing of the owner left."""

from __future__ import annotations

import importlib.util
import pathlib
from typing import Any

import pytest

from server_support import ALICE, Server


def _load() -> Any:
    path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "server_load.py"
    spec = importlib.util.spec_from_file_location("server_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("driver", ["python", "wrk"])
def test_short_load_pass(tmp_path: pathlib.Path, driver: str) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice-load"}])
    try:
        assert _load().run(server.url, ALICE, "alice-load", driver=driver, clients=10, cycles=40, seconds=300) == 0
    finally:
        assert server.stop() == 0
