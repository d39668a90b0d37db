"""Warm pools through the library: environments made ahead of need and handed over as hits,
on demand as misses, never twice, and drained with nothing left — against the real daemon
and a real interpreter."""

from __future__ import annotations

import concurrent.futures
import json
import os
import pathlib
import subprocess

import pytest

import ptest_isolation as iso
from pool_support import wait_for_pool
from ptest_isolation import _cli

BUSYBOX = "ptest-iso-test/busybox:latest"


def pool_containers(pool: str) -> list[str]:
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=ptest-iso.pool={pool}"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_a_venv_pool_hands_over_ready_venvs_and_create_of_its_spec_takes_from_it(manager: iso.Manager) -> None:
    manager.configure_pool("venvs", iso.VenvSpec(), min=2, max=3)
    status = wait_for_pool(manager, "venvs", 2)
    assert (status.min, status.max, status.target, status.hits, status.misses) == (2, 3, 2, 0, 0)
    env = manager.acquire("venvs", test_id="tests/test_x.py::test_one")
    assert env.pool_hit is True and env.pool == "venvs" and env.test_id == "tests/test_x.py::test_one"
    assert env.details["pool.state"] == "acquired" and env.status == "ready"
    assert env.python("import sys; print(sys.prefix != sys.base_prefix)").stdout == "True\n"
    # A create of the pool's spec (another name and labels) is a hit too, with the asked labels.
    wait_for_pool(manager, "venvs", 2)
    named = manager.create(iso.VenvSpec(name="mine", labels={"team": "a"}))
    assert named.pool == "venvs" and named.details["pool.state"] == "acquired"
    assert named.labels["team"] == "a" and named.spec.get("name") == "mine"
    # Another spec is not the pool's.
    other = manager.create(iso.VenvSpec(env={"OTHER": "1"}))
    assert other.pool is None
    assert next(p for p in manager.pools() if p.name == "venvs").hits == 2
    for made in (env, named, other):
        made.destroy()
    waiting = [e for e in manager.list() if e.details.get("pool.state") == "waiting"]
    assert manager.drain_pool("venvs") == sorted(e.id for e in waiting)
    assert manager.pools() == []
    for environment in waiting:
        assert not os.path.exists(environment.location)


def test_misses_are_made_on_demand_and_grow_the_pool_toward_max(manager: iso.Manager) -> None:
    manager.configure_pool("grow", iso.DockerSpec(image=BUSYBOX, command=["sleep", "3600"]), min=0, max=2)
    first = manager.acquire("grow")
    assert first.pool_hit is False and first.pool is None
    status = wait_for_pool(manager, "grow", 1)
    assert (status.misses, status.target) == (1, 1)
    second = manager.acquire("grow")
    assert second.pool_hit is True and second.pool == "grow"
    assert second.run("echo ok").stdout == "ok\n"
    first.destroy()
    second.destroy()
    manager.drain_pool("grow")
    assert pool_containers("grow") == []


def test_concurrent_acquirers_never_get_the_same_environment(manager: iso.Manager) -> None:
    manager.configure_pool("race", iso.DockerSpec(image=BUSYBOX, command=["sleep", "3600"]), min=4, max=4)
    wait_for_pool(manager, "race", 4)
    with concurrent.futures.ThreadPoolExecutor(8) as workers:
        acquired = list(workers.map(lambda _: manager.acquire("race"), range(8)))
    assert len({env.id for env in acquired}) == 8
    assert sum(bool(env.pool_hit) for env in acquired) >= 4
    status = next(p for p in manager.pools() if p.name == "race")
    assert status.hits + status.misses == 8 and status.hits >= 4
    assert all(env.run("true").exit_code == 0 for env in acquired)
    for env in acquired:
        env.destroy()


def test_closing_the_manager_drains_its_pools_and_leaves_nothing(tmp_path: pathlib.Path) -> None:
    home = tmp_path / "home"
    with iso.Manager(home=str(home), session="pool-close") as manager:
        manager.configure_pool("closing-c", iso.DockerSpec(image=BUSYBOX, command=["sleep", "3600"]), min=2, max=2)
        manager.configure_pool("closing-v", iso.VenvSpec(), min=1, max=1)
        wait_for_pool(manager, "closing-c", 2)
        wait_for_pool(manager, "closing-v", 1)
        # The CLI, another process, sees the waiting environments in the state directory.
        listed = subprocess.run([str(_cli.binary()), "ls", "--home", str(home)], capture_output=True, text=True, check=True).stdout
        assert listed.count("waiting") == 3, listed
        pools = json.loads(subprocess.run([str(_cli.binary()), "pools", "--home", str(home), "--json"],
                                          capture_output=True, text=True, check=True).stdout)
        assert sorted((row["pool"], row["waiting"], row["in_use"]) for row in pools) == [("closing-c", 2, 0), ("closing-v", 1, 0)]
        venvs = [e.location for e in manager.list() if e.engine == "virtualenv"]
    assert pool_containers("closing-c") == []
    assert venvs and not any(os.path.exists(location) for location in venvs)
    with iso.Manager(home=str(home), session="pool-close") as again:
        assert again.list() == []


def test_bad_pools_are_refused_naming_the_field(manager: iso.Manager) -> None:
    with pytest.raises(iso.InvalidSpec) as sizes:
        manager.configure_pool("bad", iso.VenvSpec(), min=3, max=2)
    assert sizes.value.field == "min"
    with pytest.raises(iso.InvalidSpec) as big:
        manager.configure_pool("bad", iso.VenvSpec(), min=1, max=100000)
    assert big.value.field == "max"
    with pytest.raises(iso.InvalidSpec) as name:
        manager.configure_pool("bad name!", iso.VenvSpec(), min=1, max=1)
    assert name.value.field == "name"
    with pytest.raises(iso.InvalidSpec) as reuse:
        manager.configure_pool("bad", iso.VenvSpec(reuse=True), min=1, max=1)
    assert reuse.value.field == "reuse"
    with pytest.raises(iso.InvalidSpec) as spec_field:
        manager.call("configure_pool", name="bad", spec={"imagee": BUSYBOX}, min=1, max=1)
    assert spec_field.value.field == "imagee"  # relative to the spec, as create names it
    with pytest.raises((iso.InvalidArgument, iso.InvalidSpec)) as unknown:
        manager.call("configure_pool", name="bad", spec={}, min=1, max=1, size=3)
    assert unknown.value.field == "size"
    with pytest.raises(iso.NotFound) as missing:
        manager.acquire("no-such-pool")
    assert missing.value.field == "pool"
    with pytest.raises(iso.InvalidSpec) as huge:
        manager.acquire("p" * 1_000_000)
    assert huge.value.field == "pool" and len(huge.value.message) < 300
    with pytest.raises(iso.InvalidArgument) as sizes_overflow:
        manager.call("configure_pool", name="bad", spec={}, min=0, max=1e300)
    assert sizes_overflow.value.field == "max"
    with pytest.raises(iso.NotFound):
        manager.drain_pool("no-such-pool")
    manager.configure_pool("spec-held", iso.VenvSpec(), min=0, max=1)
    with pytest.raises(iso.InvalidSpec) as other_spec:
        manager.configure_pool("spec-held", iso.DockerSpec(image=BUSYBOX), min=0, max=1)
    assert other_spec.value.field == "spec"
    manager.drain_pool("spec-held")


def test_a_pools_containers_get_no_standby(tmp_path: pathlib.Path) -> None:
    with iso.Manager(home=str(tmp_path / "home"), session="pool-standby", docker_standby=2) as manager:
        manager.configure_pool("no-standby", iso.DockerSpec(image=BUSYBOX, command=["sleep", "3600"]), min=2, max=2)
        wait_for_pool(manager, "no-standby", 2)
        manager.wait_for_background()
        session = subprocess.run(["docker", "ps", "-aq", "--filter", "label=ptest-iso.session=pool-standby"],
                                 capture_output=True, text=True, check=True).stdout.split()
        assert sorted(session) == sorted(pool_containers("no-standby")) and len(session) == 2
    assert pool_containers("no-standby") == []
