"""Acquiring and releasing environments on one daemon, a 3-node swarm and a 3-host pool, in
one run (issue 13): each engine gets N environments (busybox, `sleep`), acquired and released
by a few concurrent workers through the Python package, each one running `true` once.

    python3 bench/engines_bench.py [--environments 30] [--workers 3] [--json FILE]

The swarm and the pool are the same three namespaced dockerd nodes that
scripts/swarm-cluster.sh makes: the swarm schedules services on them, the pool places
containers on them as plain hosts. On the 2-core machine every node shares the same CPUs, so
the figures are each engine's overhead (scheduling, task start, placement probes), not a
speed-up from more machines. Reported: throughput (environments per second, acquire to
release) and per-environment acquire and release p50/p99. It fails on an error or a leak."""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))

import ptest_isolation as iso  # noqa: E402

IMAGE = "ptest-iso-test/busybox:latest"
CLUSTER = pathlib.Path(os.environ.get("PTEST_ISO_SWARM_DIR", "/tmp/ptest-iso-swarm"))


def settings(engine: str) -> dict:
    if engine == "swarm":
        return {"default_container_engine": "swarm",
                "swarm": {"manager": "tcp://10.215.0.11:2376", "tls_cert_path": str(CLUSTER)}}
    if engine == "pool":
        return {"docker": {"hosts": [
            {"name": f"node{n}", "endpoint": f"unix://{CLUSTER}/node{n}/docker.sock"} for n in (1, 2, 3)]}}
    return {"docker": {"hosts": [{"name": "node1", "endpoint": f"unix://{CLUSTER}/node1/docker.sock"}]}}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def leftovers(session: str) -> list[str]:
    label = f"label=ptest-iso.session={session}"
    found = []
    for n in (1, 2, 3):
        host = ["-H", f"unix://{CLUSTER}/node{n}/docker.sock"]
        found += subprocess.run(["docker", *host, "ps", "-aq", "--filter", label], capture_output=True, text=True,
                                check=True).stdout.split()
    found += subprocess.run(["docker", "-H", f"unix://{CLUSTER}/node1/docker.sock", "service", "ls", "-q", "--filter",
                             label], capture_output=True, text=True, check=True).stdout.split()
    return found


def measure(engine: str, count: int, workers: int, scratch: pathlib.Path) -> dict:
    home = scratch / engine
    home.mkdir()
    path = scratch / f"{engine}.json"
    path.write_text(json.dumps(settings(engine)))
    acquire: list[float] = []
    release: list[float] = []
    nodes: set[str] = set()
    with iso.Manager(str(home), engines=str(path), reaper="") as manager:
        def one(_: int) -> None:
            start = time.perf_counter()
            env = manager.create(iso.DockerSpec(image=IMAGE))
            acquired = time.perf_counter()
            assert env.run(["true"]).exit_code == 0
            ran = time.perf_counter()
            env.destroy()
            acquire.append(acquired - start)
            release.append(time.perf_counter() - ran)
            nodes.add(env.details.get("node") or env.details.get("host") or "?")

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, range(count)))
        elapsed = time.perf_counter() - started
        session = manager.session
    deadline = time.monotonic() + 30
    while leftovers(session) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = leftovers(session)
    if left:
        raise SystemExit(f"{engine}: left behind {left}")
    return {
        "engine": engine, "environments": count, "seconds": elapsed, "per_second": count / elapsed,
        "acquire_p50_ms": statistics.median(acquire) * 1000, "acquire_p99_ms": percentile(acquire, 0.99) * 1000,
        "release_p50_ms": statistics.median(release) * 1000, "release_p99_ms": percentile(release, 0.99) * 1000,
        "nodes": sorted(nodes),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--environments", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ptest-iso-engines-bench-") as scratch:
        for engine in ("daemon", "swarm", "pool"):
            rows.append(measure(engine, args.environments, args.workers, pathlib.Path(scratch)))
    print(f"{args.environments} environments per engine, {args.workers} workers, each: acquire, run `true`, release")
    print(f"{'engine':8} {'env/s':>7} {'acquire p50':>12} {'p99':>8} {'release p50':>12} {'p99':>8}  nodes")
    for row in rows:
        print(f"{row['engine']:8} {row['per_second']:7.2f} {row['acquire_p50_ms']:10.0f}ms {row['acquire_p99_ms']:6.0f}ms "
              f"{row['release_p50_ms']:10.0f}ms {row['release_p99_ms']:6.0f}ms  {','.join(row['nodes'])}")
    print("(the three nodes share this machine's CPUs: the figures are each engine's overhead, not a speed-up)")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
