"""The floors, measured by the driver itself in the same run as the suites (no pytest):

- ``docker``: the daemon's throughput of container create + start + remove (forced), through
  docker-py's low-level client, one client per worker, at 1, 2 and 4 concurrent workers; the
  floor is the best per-container time. The containers have no network (the cheapest start
  the daemon offers) and carry the run's label.
- ``docker-exec``: the same with the busybox test's own exec (``echo hi``) between the start
  and the removal: what that test asks of the daemon at the least.
- ``docker-http``: the http test's own work: the HTTP service's container on the default bridge
  (no network of its own: the cheapest that a host can reach) with its port published on
  127.0.0.1, its answer awaited (a GET every 5 ms, the test's GET being the one that answers),
  then its removal.
- ``docker-http-held``: the same service joining a running holder's network namespace
  (``container:<holder>``; decision 0023), the holder publishing its port: one holder per
  worker, made before the clock starts and removed after it stops.
- ``venv``: ``cp -al`` of a prepared venv (a hard-linked tree copy) plus its removal, per test.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from typing import Callable

import docker

from common import COMMAND, PORT, SLEEP
from scenarios import DOCKER_EXEC_FLOOR, DOCKER_FLOOR, DOCKER_HTTP_FLOOR, DOCKER_HTTP_HELD_FLOOR

PARALLELISM = (1, 2, 4)
#: How long the http floor waits for one service to answer.
ANSWER_TIMEOUT_SECONDS = 30.0


def docker_lifecycles(kind: str, image: str, labels: dict[str, str], count: int, workers: int) -> float:
    """Seconds for ``count`` lifecycles of the floor ``kind`` spread over ``workers`` threads."""
    clients = [docker.APIClient(version="auto") for _ in range(workers)]
    holders: list[tuple[str, str]] = []
    if kind == DOCKER_HTTP_HELD_FLOOR:
        held = clients[0].create_host_config(network_mode="bridge", port_bindings={PORT: ("127.0.0.1", None)},
                                             sysctls={"net.ipv4.tcp_max_tw_buckets": "0"})
        try:
            for client in clients:
                holder = client.create_container(image, command=SLEEP, labels=labels, host_config=held, ports=[PORT])
                holders.append((holder["Id"], ""))
                client.start(holder["Id"])
                holders[-1] = (holder["Id"], client.port(holder["Id"], PORT)[0]["HostPort"])
        except BaseException:
            _remove_holders(clients[0], holders)
            raise
        command, ports, host_config = COMMAND, None, None
    elif kind == DOCKER_HTTP_FLOOR:
        host_config = clients[0].create_host_config(network_mode="bridge", port_bindings={PORT: ("127.0.0.1", None)})
        command, ports = COMMAND, [PORT]
    else:
        host_config = clients[0].create_host_config(network_mode="none")
        command, ports = SLEEP, None

    def cycles(client: docker.APIClient, n: int, holder: tuple[str, str] | None) -> None:
        config = client.create_host_config(network_mode=f"container:{holder[0]}") if holder else host_config
        for _ in range(n):
            container = client.create_container(image, command=command, labels=labels, host_config=config,
                                                ports=ports)
            try:
                client.start(container["Id"])
                if kind == DOCKER_EXEC_FLOOR:
                    exec_id = client.exec_create(container["Id"], ["echo", "hi"])["Id"]
                    output = client.exec_start(exec_id)
                    # Docker 20.10 may lose a short exec's output when the machine is loaded (the
                    # process ends before the attach): it ran all the same, which is the cost measured.
                    lost = output == b"" and client.exec_inspect(exec_id)["ExitCode"] == 0
                    if output != b"hi\n" and not lost:
                        raise RuntimeError(f"docker-exec floor: `echo hi` printed {output!r}")
                elif holder:
                    await_answer(f"http://127.0.0.1:{holder[1]}/")
                elif kind == DOCKER_HTTP_FLOOR:
                    host_port = client.port(container["Id"], PORT)[0]["HostPort"]
                    await_answer(f"http://127.0.0.1:{host_port}/")
            finally:
                client.remove_container(container["Id"], force=True)

    shares = [count // workers + (1 if index < count % workers else 0) for index in range(workers)]
    try:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            start = time.perf_counter()
            futures = [pool.submit(cycles, client, n, holders[index] if holders else None)
                       for index, (client, n) in enumerate(zip(clients, shares))]
            for future in futures:
                future.result()
            return time.perf_counter() - start
    finally:
        _remove_holders(clients[0], holders)
        for client in clients:
            client.close()


def _remove_holders(client: docker.APIClient, holders: list[tuple[str, str]]) -> None:
    for holder_id, _ in holders:
        client.remove_container(holder_id, force=True)


def await_answer(url: str) -> None:
    """GETs ``url`` every 5 ms until it answers ``ok`` (the published port accepts before the
    service listens: the proxy then drops the connection)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200 and response.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"docker-http floor: {url} did not answer in {ANSWER_TIMEOUT_SECONDS:g} s")
        time.sleep(0.005)


def docker_floor(kind: str, image: str, labels: dict[str, str], count: int) -> dict[str, float]:
    """Per-container seconds at each parallelism, keyed ``p1``, ``p2``, ``p4``."""
    if kind not in (DOCKER_FLOOR, DOCKER_EXEC_FLOOR, DOCKER_HTTP_FLOOR, DOCKER_HTTP_HELD_FLOOR):
        raise ValueError(f"unknown docker floor {kind!r}")
    return {f"p{workers}": docker_lifecycles(kind, image, labels, count, workers) / count for workers in PARALLELISM}


def venv_floor(prepared: str, scratch: str, count: int) -> dict[str, float]:
    """Per-copy seconds of ``cp -al PREPARED COPY`` followed by removing the copy."""
    def one(index: int) -> None:
        copy = os.path.join(scratch, f"floor-{index}")
        subprocess.run(["cp", "-al", prepared, copy], check=True)
        shutil.rmtree(copy)

    return {"cp -al": _per_item(one, count)}


def _per_item(step: Callable[[int], None], count: int) -> float:
    start = time.perf_counter()
    for index in range(count):
        step(index)
    return (time.perf_counter() - start) / count
