"""Warm pools on a real `ptest-iso serve`: each owner's own, filled only within its max_live,
shared by a suite's xdist workers through the fixtures, in the metrics, drained on SIGTERM."""

from __future__ import annotations

import re
import subprocess
import urllib.request

import pytest

import ptest_isolation as iso
from pool_support import wait_for_pool
from server_support import ALICE, BOB, Server

BUSYBOX = "ptest-iso-test/busybox:latest"
SLEEPER = iso.DockerSpec(image=BUSYBOX, command=["sleep", "3600"])


def containers(server: Server, *filters: str) -> list[str]:
    command = ["docker", "ps", "-aq", "--filter", f"label=ptest-iso.session={server.session}"]
    for extra in filters:
        command += ["--filter", extra]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()


def test_an_owners_pool_is_its_own_and_drains_on_sigterm(tmp_path) -> None:
    server = Server(tmp_path)
    try:
        with iso.Manager(url=server.url, token=ALICE) as alice, iso.Manager(url=server.url, token=BOB) as bob:
            alice.configure_pool("sleepers", SLEEPER, min=2, max=3)
            wait_for_pool(alice, "sleepers", 2)
            assert [p.name for p in alice.pools()] == ["sleepers"] and bob.pools() == []
            taken = alice.acquire("sleepers")
            assert taken.pool_hit and taken.labels["ptest-iso-serve.owner"] == "alice"
            wait_for_pool(alice, "sleepers", 2)
            # A create of the pool's spec is a hit, with the client's own labels on it.
            created = alice.create(SLEEPER)
            assert created.details["pool.state"] == "acquired"
            assert created.labels[iso.manager.REMOTE_SESSION_LABEL] == alice.session
            # Bob neither sees nor takes alice's pool, even with the same spec and name.
            with pytest.raises(iso.NotFound):
                bob.acquire("sleepers")
            bobs = bob.create(SLEEPER)
            assert bobs.pool is None and bobs.labels["ptest-iso-serve.owner"] == "bob"
            with pytest.raises(iso.InvalidArgument) as slash:
                alice.configure_pool("alice/x", SLEEPER, min=0, max=1)
            assert slash.value.field == "name"
            with pytest.raises(iso.Forbidden) as bind:
                alice.configure_pool("binds", iso.DockerSpec(image=BUSYBOX, volumes=[iso.Volume("/etc", "/x")]), min=0, max=1)
            assert bind.value.field == "spec.volumes[0].source"
            with urllib.request.urlopen(f"{server.url}/metrics", timeout=30) as response:
                metrics = response.read().decode()
            assert re.search(r'ptest_iso_pool_ready\{pool="alice/sleepers"\} \d', metrics), metrics
            hits = re.search(r'ptest_iso_pool_acquires_total\{pool="alice/sleepers",result="hit"\} (\d+)', metrics)
            assert hits and int(hits.group(1)) == 2
            assert 'ptest_iso_acquire_duration_seconds_count{method="acquire"}' in metrics
            wait_for_pool(alice, "sleepers", 2)
            assert len(containers(server, "label=ptest-iso.pool=alice/sleepers")) >= 4
    finally:
        assert server.stop() == 0
    # SIGTERM: requests finish, the pools drain, the session's environments go.
    assert containers(server) == []


def test_a_pool_fills_only_the_room_max_live_leaves(tmp_path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice", "max_live": 3}])
    try:
        with iso.Manager(url=server.url, token=ALICE) as alice:
            alice.configure_pool("big", SLEEPER, min=5, max=5)
            status = wait_for_pool(alice, "big", 3)
            assert (status.ready, status.creating, status.target) == (3, 0, 5), status
            # The waiting three are not in use: taking them stays within max_live.
            taken = [alice.acquire("big") for _ in range(3)]
            assert all(env.pool_hit for env in taken)
            with pytest.raises(iso.QuotaExceeded) as quota:
                alice.acquire("big")
            assert quota.value.field == "max_live" and quota.value.status == 403
            with pytest.raises(iso.QuotaExceeded):
                alice.create(iso.DockerSpec(image=BUSYBOX))
            for env in taken:
                env.destroy()
            alice.drain_pool("big")
            assert alice.list() == []
    finally:
        assert server.stop() == 0
    assert containers(server) == []


def test_concurrent_creates_get_exactly_max_live(tmp_path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice", "max_live": 3}])
    try:
        import concurrent.futures

        def create(_: int) -> object:
            with iso.Manager(url=server.url, token=ALICE, session="burst", cleanup=False) as client:
                try:
                    return client.create(iso.DockerSpec(image=BUSYBOX)).id
                except iso.QuotaExceeded as error:
                    return error

        with concurrent.futures.ThreadPoolExecutor(10) as workers:
            outcomes = list(workers.map(create, range(10)))
        made = [o for o in outcomes if isinstance(o, str)]
        assert len(made) == 3, outcomes
        assert all(isinstance(o, iso.QuotaExceeded) for o in outcomes if not isinstance(o, str))
        with iso.Manager(url=server.url, token=ALICE) as alice:
            assert sorted(env.id for env in alice.list()) == sorted(made)
            assert alice.destroy_session("burst") and alice.list() == []
    finally:
        assert server.stop() == 0
    assert containers(server) == []


def test_max_cpus_and_max_memory_bound_an_owners_containers(tmp_path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice", "max_cpus": 1.0, "max_memory": 64 << 20}])
    try:
        with iso.Manager(url=server.url, token=ALICE) as alice:
            with pytest.raises(iso.QuotaExceeded) as unlimited:
                alice.create(iso.DockerSpec(image=BUSYBOX, memory="16m"))
            assert unlimited.value.field == "resources.cpus"
            with pytest.raises(iso.QuotaExceeded) as no_memory:
                alice.create(iso.DockerSpec(image=BUSYBOX, cpus="0.5"))
            assert no_memory.value.field == "resources.memory"
            first = alice.create(iso.DockerSpec(image=BUSYBOX, cpus="0.5", memory="32m"))
            second = alice.create(iso.DockerSpec(image=BUSYBOX, cpus="0.5", memory="16m"))
            with pytest.raises(iso.QuotaExceeded) as cpus:
                alice.create(iso.DockerSpec(image=BUSYBOX, cpus="0.1", memory="8m"))
            assert cpus.value.field == "max_cpus"
            first.destroy()
            with pytest.raises(iso.QuotaExceeded) as memory:
                alice.create(iso.DockerSpec(image=BUSYBOX, cpus="0.25", memory="64m"))
            assert memory.value.field == "max_memory"
            third = alice.create(iso.DockerSpec(image=BUSYBOX, cpus="0.5", memory="48m"))
            # A virtualenv has no limits to count: max_live bounds it.
            venv = alice.create(iso.VenvSpec())
            assert sorted(e.id for e in alice.list()) == sorted([second.id, third.id, venv.id])
            for env in (second, third, venv):
                env.destroy()
    finally:
        assert server.stop() == 0
    assert server.containers() == []


def test_a_failed_create_holds_no_place(tmp_path) -> None:
    server = Server(tmp_path, tokens=[{"token": ALICE, "owner": "alice", "max_live": 1}])
    try:
        with iso.Manager(url=server.url, token=ALICE) as alice:
            # Ready when port 9 answers, which it never does: the create fails at its 1 s bound.
            never_ready = iso.DockerSpec(image=BUSYBOX, command=["sleep", "600"], ports=[9], wait_for=[iso.WaitFor.tcp(9)],
                                         ready_timeout_seconds=1)
            with pytest.raises(iso.IsolationError) as failed:
                alice.create(never_ready)
            assert not isinstance(failed.value, iso.QuotaExceeded)
            assert [e.status for e in alice.list()] == ["failed"]
            made = alice.create(iso.DockerSpec(image=BUSYBOX))
            assert made.status == "ready"
            made.destroy()
    finally:
        assert server.stop() == 0
    assert server.containers() == []
