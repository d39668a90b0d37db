"""Copies of a restored venv snapshot kept restored ahead of need (decision 0018)."""

from __future__ import annotations

import os
import pathlib

import pytest

import ptest_isolation as iso


def test_the_next_restore_takes_a_copy_made_ahead(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    with iso.Manager(home=str(home), session="ahead") as manager:
        source = manager.create()
        source.run("echo original > state.txt", check=True)
        snapshot = source.snapshot(name="prepared")
        pool = f"restore:{snapshot.id}"

        first = manager.restore("prepared")
        manager.wait_for_background()
        (status,) = [status for status in manager.pools() if status.name == pool]
        assert status.ready == 1 and status.engine == "virtualenv"

        second = manager.restore("prepared", test_id="tests/test_x.py::test_second")
        assert second.details["pool.state"] == "acquired" and second.test_id == "tests/test_x.py::test_second"
        assert second.run("cat state.txt").stdout == "original\n"
        second.run("echo changed > state.txt", check=True)
        assert first.run("cat state.txt").stdout == "original\n"
        assert len({first.location, second.location}) == 2

        # A pool for restores only: acquire and drain_pool do not take its name.
        with pytest.raises(iso.InvalidSpec) as refused:
            manager.acquire(pool)
        assert refused.value.field == "pool"
    # close() removed the copy made ahead with the rest: no venv directory is left.
    assert os.listdir(home / "envs") == []


def test_restore_ahead_off_and_out_of_range(tmp_path: pathlib.Path) -> None:
    with iso.Manager(home=str(tmp_path / "home"), session="off", restore_ahead=0) as manager:
        manager.create().snapshot(name="plain")
        manager.restore("plain")
        manager.restore("plain")
        manager.wait_for_background()
        assert manager.pools() == []
    # Every wrong value is refused, naming the setting: out of range, of the wrong type, too large
    # for any whole number, a fraction, a runaway string.
    for wrong, says in [
        (9, "must be from 0 to 8"), (-1, "must be from 0 to 8"), ("2", "must be a whole number"),
        (True, "must be a whole number"), (1e300, "does not fit its field"), (2**70, "does not fit its field"),
        (1.5, "must be a whole number, not 1.5"), ("x" * 2_000_000, "must be a whole number"),
    ]:
        with pytest.raises(iso.InvalidArgument) as bad:
            iso.Manager(home=str(tmp_path / "home"), restore_ahead=wrong)  # type: ignore[arg-type]
        assert bad.value.field == "config.restore_ahead_depth", wrong
        assert says in bad.value.message and len(bad.value.message) < 300, bad.value.message
