"""Waiting for a warm pool to fill, for the pool tests and bench/server_bench.py."""

from __future__ import annotations

import time

import ptest_isolation as iso


def wait_for_pool(manager: iso.Manager, pool: str, ready: int, seconds: float = 120, poll: float = 0.05) -> iso.PoolStatus:
    """Waits for the positive signal: the pool reports `ready` environments waiting (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        status = next(p for p in manager.pools() if p.name == pool)
        if status.ready >= ready:
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"pool {pool} never had {ready} ready in {seconds:.0f} s: {status}")
        time.sleep(poll)
