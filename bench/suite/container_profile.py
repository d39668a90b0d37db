"""Where a fresh-container test's time goes (issue 15): each phase of the busybox scenario's test,
timed one after the other, through the daemon's API directly and through ptest-isolation.

    PYTHONPATH=python python3 bench/suite/container_profile.py [--containers 20] [--json FILE]

(``bench/run-suite.sh`` builds the release library this uses; set ``PTEST_ISO_LIB`` to it.)

Raw phases, with docker-py's low-level client and one kept connection, as the busybox suites'
containers are made (no network, `sleep`): create, start, exec `echo hi` (create + start +
output + inspect), remove (forced). Then ptest-isolation's own calls for the same test, on a
manager with no standby (every create pays the start) and on one with the plugin's standby depth
(the start happens ahead, in the background, and overlaps the test): `create`, `run`, `destroy`
(synchronous and `wait=False`), plus the C ABI round trip (`version`) that each call pays.
Medians and p90 in milliseconds; nothing is left behind (checked at the end).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any, Callable

import docker

import ptest_isolation as iso

IMAGE = "ptest-iso-test/busybox:latest"


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p90": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000, 2),
        "n": len(ordered),
    }


def timed(phases: dict[str, list[float]], name: str, body: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = body()
    phases.setdefault(name, []).append(time.perf_counter() - start)
    return value


def raw_phases(count: int, label: dict[str, str]) -> dict[str, list[float]]:
    client = docker.APIClient(version="auto")
    host_config = client.create_host_config(network_mode="none")
    phases: dict[str, list[float]] = {}
    try:
        for _ in range(count):
            start = time.perf_counter()
            container = timed(phases, "create", lambda: client.create_container(
                IMAGE, command=["sleep", "2147483647"], labels=label, host_config=host_config))["Id"]
            timed(phases, "start", lambda: client.start(container))

            def exec_echo() -> None:
                exec_id = client.exec_create(container, ["echo", "hi"])["Id"]
                assert client.exec_start(exec_id) == b"hi\n"
                assert client.exec_inspect(exec_id)["ExitCode"] == 0

            timed(phases, "exec echo hi", exec_echo)
            timed(phases, "remove (forced)", lambda: client.remove_container(container, force=True))
            phases.setdefault("whole test", []).append(time.perf_counter() - start)
    finally:
        client.close()
    return phases


def ours_phases(count: int, standby: int, label: dict[str, str], background_destroy: bool) -> dict[str, list[float]]:
    phases: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="pti-profile-") as home:
        with iso.Manager(home=home, session=f"profile-{uuid.uuid4().hex[:8]}", docker_standby=standby) as manager:
            spec = iso.DockerSpec(image=IMAGE, mode="sandbox", labels=label)
            # The first environment of a spec is the one that starts the standbys: not a test's cost.
            manager.create(spec).destroy()
            manager.wait_for_background()
            for _ in range(count):
                timed(phases, "Manager.call(version): ABI + JSON", lambda: manager.call("version"))
                start = time.perf_counter()
                env = timed(phases, "create", lambda: manager.create(spec))
                result = timed(phases, "run echo hi", lambda: env.run(["echo", "hi"]))
                assert result.stdout == "hi\n"
                if background_destroy:
                    timed(phases, "destroy (wait=False)", lambda: env.destroy(wait=False))
                else:
                    timed(phases, "destroy", lambda: env.destroy())
                phases.setdefault("whole test", []).append(time.perf_counter() - start)
            manager.wait_for_background()
    return phases


def leftovers(label: dict[str, str]) -> list[str]:
    (key, value), = label.items()
    listed = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={key}={value}"],
                            capture_output=True, text=True, check=True).stdout
    return listed.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--containers", type=int, default=20, help="tests per profile (default 20)")
    parser.add_argument("--json", metavar="FILE", help="also write the summaries here")
    options = parser.parse_args()
    if not 1 <= options.containers <= 1000:
        parser.error("--containers: give 1 to 1000")
    label = {"ptest-iso-bench.profile": uuid.uuid4().hex[:12]}
    profiles = {
        "daemon API (docker-py, kept connection)": raw_phases(options.containers, label),
        "ptest-isolation, no standby": ours_phases(options.containers, 0, label, background_destroy=False),
        "ptest-isolation, standby 2, destroy(wait=False) (the plugin's way)": ours_phases(
            options.containers, 2, label, background_destroy=True),
    }
    report = {name: {phase: summary(samples) for phase, samples in phases.items()} for name, phases in profiles.items()}
    for name, phases in report.items():
        print(f"== {name}: {options.containers} tests, ms")
        print(f"{'phase':44} {'median':>8} {'p90':>8}")
        for phase, numbers in phases.items():
            print(f"{phase:44} {numbers['median']:8.2f} {numbers['p90']:8.2f}")
        print()
    left = leftovers(label)
    if options.json:
        with open(options.json, "w") as out:
            json.dump({"containers": options.containers, "profiles": report, "left": left}, out, indent=2)
    if left:
        print(f"profile: FAILED: containers left behind: {left}", file=sys.stderr)
        return 1
    print("profile: nothing left behind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
