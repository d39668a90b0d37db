"""A short bounded pass of bench/server_load.py: concurrent clients, zero errors, zero leaks."""

from __future__ import annotations

import importlib.util
import pathlib

from server_support import ALICE, Server


def test_short_load_pass(tmp_path: pathlib.Path) -> None:
    path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "server_load.py"
    spec = importlib.util.spec_from_file_location("server_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice-load"}])
    try:
        assert module.run(server.url, ALICE, "alice-load", clients=10, cycles=40) == 0
    finally:
        assert server.stop() == 0
