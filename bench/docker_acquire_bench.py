"""Acquiring a ready Docker environment and releasing it: ptest-isolation's
manager versus testcontainers-python and docker-py, measured in one run,
interleaved so that every tool sees the same daemon load.

    python3 bench/docker_acquire_bench.py [--iterations N] [--json FILE]

Each tool starts a busybox container running `sleep` and waits until it
runs; release is the call that gives it back (testcontainers' `stop()`,
docker-py's `remove(force=True)`, the environment's `destroy(wait=False)`,
which returns once the environment is recorded as going and removes it in
the background). The manager runs as the Python package makes it: with one
standby container per used spec, started in the background after each
acquire, so acquiring takes a running container. Background work is waited
for, untimed, before the next tool runs, so no tool is measured on a busier
daemon than another. That excluded work is timed too and printed next to the numbers
(`background ms`: the wait after each of the manager's iterations; and the manager's close at
the end, per acquire), so the acquire column is not read as more than it is: in a suite whose
tests are shorter than a container start, the background work is what the next test waits for.
testcontainers runs with Ryuk off: its image cannot be pulled here.
Targets: the manager faster than both on acquire and on release."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))

import docker  # noqa: E402
from testcontainers.core.container import DockerContainer  # noqa: E402

import ptest_isolation as iso  # noqa: E402

IMAGE = "ptest-iso-test/busybox:latest"
COMMAND = ["sleep", "2147483647"]


def timed(call):
    start = time.perf_counter()
    value = call()
    return value, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--json", help="also write the medians to this file")
    args = parser.parse_args()

    client = docker.from_env()
    samples: dict[str, dict[str, list[float]]] = {
        tool: {"acquire": [], "release": [], "background": []} for tool in ("ptest-isolation", "testcontainers", "docker-py")
    }
    close_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="ptest-iso-acquire-bench-") as home:
        # One standby per used spec, as this benchmark has always measured (the Python default
        # was 1 until the core's default, 0, took over; the pytest plugin asks for 2).
        manager = iso.Manager(home=home, session="acquire-bench", docker_standby=1)
        try:
            spec = iso.DockerSpec(image=IMAGE)

            def ours():
                env, acquire = timed(lambda: manager.create(spec))
                _, release = timed(lambda: env.destroy(wait=False))
                # Untimed, before the next tool runs: the background removal and the standby's start
                # must not load the daemon under another tool's measurement (in a suite, the
                # tests' own run time covers them). Timed apart: what the acquire leaves out.
                _, background = timed(manager.wait_for_background)
                return acquire, release, background

            def testcontainers():
                container = DockerContainer(IMAGE).with_command(" ".join(COMMAND))
                _, acquire = timed(container.start)
                _, release = timed(container.stop)
                return acquire, release, 0.0

            def docker_py():
                container, acquire = timed(lambda: client.containers.run(IMAGE, COMMAND, detach=True))
                _, release = timed(lambda: container.remove(force=True))
                return acquire, release, 0.0

            tools = {"ptest-isolation": ours, "testcontainers": testcontainers, "docker-py": docker_py}
            for tool in tools.values():  # warm up: first-call costs are not what a suite pays per test
                tool()
            for _ in range(args.iterations):
                for name, tool in tools.items():
                    acquire, release, background = tool()
                    samples[name]["acquire"].append(acquire)
                    samples[name]["release"].append(release)
                    samples[name]["background"].append(background)
        finally:
            manager.destroy_created()  # nothing normally: every iteration destroyed its own
            # The last standby's removal and the session's bookkeeping: background work too.
            _, close_seconds = timed(manager.close)

    medians = {
        tool: {phase: statistics.median(values) * 1e3 for phase, values in phases.items()}
        for tool, phases in samples.items()
    }
    close_per_acquire_ms = close_seconds * 1e3 / (args.iterations + 1)
    print(f"{'tool':<18}{'acquire ms':>12}{'release ms':>12}{'total ms':>12}{'background ms':>15}"
          f"   ({args.iterations} iterations, medians; background = excluded from acquire and release)")
    for tool, phases in medians.items():
        total = phases["acquire"] + phases["release"]
        print(f"{tool:<18}{phases['acquire']:>12.1f}{phases['release']:>12.1f}{total:>12.1f}{phases['background']:>15.1f}")
    ours = medians["ptest-isolation"]
    print(
        f"ptest-isolation's excluded background work: {ours['background']:.1f} ms per acquire waited for untimed after "
        f"each iteration (the standby's start and the removal), plus {close_seconds * 1e3:.1f} ms for close() at the end "
        f"({close_per_acquire_ms:.1f} ms per acquire); with it, an acquire+release costs "
        f"{ours['acquire'] + ours['release'] + ours['background'] + close_per_acquire_ms:.1f} ms"
    )
    ours_all = ours["acquire"] + ours["release"] + ours["background"] + close_per_acquire_ms
    for other in ("testcontainers", "docker-py"):
        theirs = medians[other]
        print(
            f"ptest-isolation vs {other}: acquire {theirs['acquire'] / ours['acquire']:.2f}x faster, "
            f"release {theirs['release'] / ours['release']:.2f}x faster; "
            f"with the background work counted, {(theirs['acquire'] + theirs['release']) / ours_all:.2f}x"
        )
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"iterations": args.iterations, "medians_ms": medians, "close_ms": close_seconds * 1e3,
                       "close_per_acquire_ms": close_per_acquire_ms}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
