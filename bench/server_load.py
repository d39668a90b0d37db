#!/usr/bin/env python3
"""Load on a live `ptest-iso serve`: CLIENTS concurrent clients share CYCLES acquire/run/release
cycles — acquire an environment (from the warm pool POOL, or create one of SPEC), run `true`,
destroy it — through one of two drivers:

- ``wrk``: wrk (Debian) with bench/server_load.lua, one connection per client thread;
- ``python``: the package's own remote client, ``Manager(url=..., token=...)``, one per thread.

Prints one JSON line (cycles, errors, p50/p99 in ms, pool hits) and exits non-zero on any error,
on any cycle short, or on anything of the owner left once the pool is drained.

    python3 bench/server_load.py --url http://127.0.0.1:8080 --token TOKEN \\
        --driver wrk --clients 50 --cycles 1000 --pool load --pool-min 8 --pool-max 16
"""

from __future__ import annotations

import argparse
import json
import math
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Optional

IMAGE = "ptest-iso-test/busybox:latest"
SCRIPT = Path(__file__).resolve().parent / "server_load.lua"


class Server:
    """The raw protocol, for setting up and checking (the drivers under test do the load)."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url.rstrip("/"), token

    def call(self, method: str, request: dict[str, Any]) -> Any:
        http = urllib.request.Request(f"{self.url}/v1/call/{method}", data=json.dumps(request).encode(), method="POST",
                                      headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(http, timeout=300) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method}: HTTP {error.code}: {error.read().decode()[:300]}") from None

    def counter(self, name: str, method: str) -> float:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=30) as response:
            text = response.read().decode()
        pattern = re.compile(rf'^{name}\{{[^}}]*method="{method}"[^}}]*\}} (\S+)$', re.M)
        return sum(float(value) for value in pattern.findall(text))


def wait_until_ready(server: Server, pool: str, ready: int, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while True:
        status = next((p for p in server.call("pools", {})["pools"] if p["name"] == pool), None)
        if status is not None and status["ready"] >= ready:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"pool {pool}: {status} did not reach {ready} ready in {seconds:.0f} s")
        time.sleep(0.1)


def run_wrk(server: Server, clients: int, cycles: int, method: str, body: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Runs wrk until the server has destroyed `cycles` more environments (or wrk stops), then
    stops it with SIGINT — wrk's way to end early and still report."""
    per_client = math.ceil(cycles / clients)
    destroyed = server.counter("ptest_iso_operations_total", "destroy")
    process = subprocess.Popen(
        ["wrk", f"-t{clients}", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "120s", "-s", str(SCRIPT), server.url,
         "--", server.token, str(per_client), method, json.dumps(body)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    while process.poll() is None:
        if server.counter("ptest_iso_operations_total", "destroy") - destroyed >= per_client * clients:
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.2)
    out, err = process.communicate(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"wrk printed no summary (exit {process.returncode}): {err[-500:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["seconds"] = round(elapsed, 2)
    result["wanted"] = per_client * clients
    return result


def run_python(server: Server, clients: int, cycles: int, pool: Optional[str], spec: dict[str, Any]) -> dict[str, Any]:
    import ptest_isolation as iso

    lock = threading.Lock()
    remaining = [cycles]
    durations: list[float] = []
    errors: list[str] = []

    def client() -> None:
        with iso.Manager(url=server.url, token=server.token) as manager:
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                started = time.monotonic()
                try:
                    env = manager.acquire(pool) if pool else manager.create(spec)
                    try:
                        env.run(["true"], check=True)
                    finally:
                        env.destroy()
                    with lock:
                        durations.append(time.monotonic() - started)
                except iso.IsolationError as error:
                    with lock:
                        errors.append(f"{error.code}: {error.message}")

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(durations)
    return {
        "cycles": len(ordered), "wanted": cycles, "errors": len(errors), "seconds": round(time.monotonic() - started, 2),
        "latency_ms": {
            "p50": round(statistics.median(ordered) * 1000, 3) if ordered else None,
            "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3) if ordered else None,
        },
        "last_error": errors[-1] if errors else "",
    }


def leftovers(server: Server, owner: str) -> list[str]:
    """The owner's environments and containers once its pool is drained: none, or a leak."""
    live = [env["id"] for env in server.call("list", {})["environments"]]
    containers = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=ptest-iso-serve.owner={owner}"],
                                check=True, capture_output=True, text=True).stdout.split()
    return live + containers


def run(url: str, token: str, owner: str, *, driver: str = "python", clients: int = 50, cycles: int = 1000,
        pool: Optional[str] = None, pool_min: int = 8, pool_max: int = 16, spec: Optional[dict[str, Any]] = None,
        seconds: float = 600) -> int:
    server = Server(url, token)
    spec = spec or {"image": IMAGE}
    if pool:
        server.call("configure_pool", {"name": pool, "spec": spec, "min": pool_min, "max": pool_max})
        wait_until_ready(server, pool, pool_min)
        hits_before = {p["name"]: p["hits"] for p in server.call("pools", {})["pools"]}.get(pool, 0)
    try:
        if driver == "wrk":
            method, body = ("acquire", {"pool": pool}) if pool else ("create", {"spec": spec})
            result = run_wrk(server, clients, cycles, method, body, seconds)
        else:
            result = run_python(server, clients, cycles, pool, spec)
        if pool:
            status = next(p for p in server.call("pools", {})["pools"] if p["name"] == pool)
            result["pool"] = {"hits": status["hits"] - hits_before, "min": pool_min, "max": pool_max}
    finally:
        if pool:
            server.call("drain_pool", {"name": pool})
    left = leftovers(server, owner)
    result.update(driver=driver, clients=clients, leaked=len(left))
    print(json.dumps(result))
    return 1 if result["errors"] or left or result["cycles"] < result["wanted"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--owner", required=True, help="the token's owner, to find its containers in Docker")
    parser.add_argument("--driver", choices=["python", "wrk"], default="python")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--pool", help="acquire from this warm pool (configured here) instead of creating")
    parser.add_argument("--pool-min", type=int, default=8)
    parser.add_argument("--pool-max", type=int, default=16)
    parser.add_argument("--spec", type=json.loads, help="the environment spec as JSON (default: busybox)")
    parser.add_argument("--seconds", type=float, default=600, help="bound on the whole load")
    arguments = parser.parse_args()
    return run(arguments.url, arguments.token, arguments.owner, driver=arguments.driver, clients=arguments.clients,
               cycles=arguments.cycles, pool=arguments.pool, pool_min=arguments.pool_min, pool_max=arguments.pool_max,
               spec=arguments.spec, seconds=arguments.seconds)


if __name__ == "__main__":
    sys.exit(main())
