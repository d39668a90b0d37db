"""The floors, measured by the driver itself in the same run as the suites (no pytest):

- ``docker``: the daemon's throughput of container create + start + remove (forced), through
  docker-py's low-level client, one client per worker, at 1, 2 and 4 concurrent workers; the
  floor is the best per-container time. The containers have no network (the cheapest start
  the daemon offers) and carry the run's label.
- ``venv``: ``cp -al`` of a prepared venv (a hard-linked tree copy) plus its removal, per test.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import subprocess
import time
from typing import Callable

import docker

PARALLELISM = (1, 2, 4)


def docker_lifecycles(image: str, labels: dict[str, str], count: int, workers: int) -> float:
    """Seconds for ``count`` create+start+remove cycles spread over ``workers`` threads."""
    clients = [docker.APIClient(version="auto") for _ in range(workers)]
    host_config = clients[0].create_host_config(network_mode="none")

    def cycles(client: docker.APIClient, n: int) -> None:
        for _ in range(n):
            container = client.create_container(image, command=["sleep", "2147483647"], labels=labels,
                                                host_config=host_config)
            try:
                client.start(container["Id"])
            finally:
                client.remove_container(container["Id"], force=True)

    shares = [count // workers + (1 if index < count % workers else 0) for index in range(workers)]
    try:
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            start = time.perf_counter()
            for future in [pool.submit(cycles, client, n) for client, n in zip(clients, shares)]:
                future.result()
            return time.perf_counter() - start
    finally:
        for client in clients:
            client.close()


def docker_floor(image: str, labels: dict[str, str], count: int) -> dict[str, float]:
    """Per-container seconds at each parallelism, keyed ``p1``, ``p2``, ``p4``."""
    return {f"p{workers}": docker_lifecycles(image, labels, count, workers) / count for workers in PARALLELISM}


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
