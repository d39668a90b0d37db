"""The suite benchmark's scenarios (issue 15): which pytest suites each one runs, against which
floor, and how many tests by default.

A suite is a directory of bench/suite holding a conftest.py (the tool's fixture) and the
scenario's test file; the driver runs it as one ``python -m pytest`` process per sample. The
``empty`` suite (tests that do nothing) is every scenario's baseline."""

from __future__ import annotations

import dataclasses
from typing import Optional

#: A floor the driver measures itself, without pytest: the daemon's container lifecycle, or a
#: hard-linked copy of a prepared venv.
DOCKER_FLOOR = "docker"
#: The busybox test's own work on the daemon: the floor above plus the test's `echo hi` exec.
DOCKER_EXEC_FLOOR = "docker-exec"
#: The http test's own work on the daemon: the service on the default bridge with its port
#: published, its answer awaited (polled every 5 ms), the test's GET, then its removal.
DOCKER_HTTP_FLOOR = "docker-http"
#: The same service joining a running holder's network namespace (decision 0023), which
#: publishes its port: the least the daemon does for this test. One holder per client, made
#: and removed outside the clock.
DOCKER_HTTP_HELD_FLOOR = "docker-http-held"
VENV_FLOOR = "venv"
FLOOR_TITLES = {
    DOCKER_FLOOR: "daemon create+start+remove (docker-py, no network, best parallelism)",
    DOCKER_EXEC_FLOOR: "the same with the test's exec (create+start+exec+remove)",
    DOCKER_HTTP_FLOOR: "daemon create+start+answer+remove of the HTTP service (default bridge, port published)",
    DOCKER_HTTP_HELD_FLOOR: "the same joining a held namespace (container:<holder>, port published by the holder)",
    VENV_FLOOR: "cp -al of a prepared venv + its removal",
}


@dataclasses.dataclass(frozen=True)
class Suite:
    key: str
    title: str
    directory: str
    #: "baseline", "ours" or "other": ratios are ours over each other.
    role: str
    #: What the driver checks for leftovers after it: "docker" (labels), "venv" (directories), both, none.
    resources: tuple[str, ...] = ()
    #: Which floor its per-test cost is compared with.
    floor: Optional[str] = None
    #: Loads ptest_isolation's plugin.
    plugin: bool = False
    pytest_args: tuple[str, ...] = ()
    #: pytest-xdist workers (0: none).
    workers: int = 0
    #: The snapshot suites write each restore's duration for the driver.
    timings: bool = False

    @property
    def name(self) -> str:
        return f"{self.key} -n {self.workers}" if self.workers else self.key

    @property
    def label(self) -> str:
        return f"{self.title} -n {self.workers}" if self.workers else self.title

    def with_workers(self, workers: int) -> "Suite":
        return dataclasses.replace(self, workers=workers)


EMPTY = Suite("empty", "empty (baseline)", "empty", "baseline")


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    default_tests: int
    suites: tuple[Suite, ...]
    #: Whether --xdist adds ``-n`` rows of every suite.
    xdist: bool = False
    #: Floors measured and shown beside the suites' own (not their × floor column).
    shown_floors: tuple[str, ...] = ()
    #: Variables its suites' processes get besides the run's (the tests read them).
    environment: tuple[tuple[str, str], ...] = ()

    def floors(self) -> list[str]:
        return sorted({suite.floor for suite in self.suites if suite.floor} | set(self.shown_floors))

    def with_xdist(self, workers: int) -> "Scenario":
        extra = tuple(suite.with_workers(workers) for suite in self.suites)
        return dataclasses.replace(self, suites=self.suites + extra)


def _busybox_suites(floor: str) -> tuple[Suite, ...]:
    """The busybox suites, judged against ``floor``."""
    return (EMPTY,
            Suite("ours", "ptest-isolation", "busybox_ours", "ours", ("docker",), floor, plugin=True),
            Suite("testcontainers", "testcontainers", "busybox_testcontainers", "other", ("docker",), floor),
            Suite("docker-py", "docker-py fixture", "busybox_dockerpy", "other", ("docker",), floor))


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "busybox", "a fresh busybox container per test, `echo hi` exec'd in it", 20,
            _busybox_suites(DOCKER_EXEC_FLOOR), xdist=True, shown_floors=(DOCKER_FLOOR,)),
        # The issue's own scenario, to the letter: a fresh container per test and nothing asked
        # of it, against the floor (create+start+remove). The same suites as busybox,
        # whose tests skip their exec here.
        Scenario(
            "container", "a fresh busybox container per test, nothing asked of it", 20,
            _busybox_suites(DOCKER_FLOOR), xdist=True, environment=(("BENCH_SUITE_EXEC", "0"),)),
        Scenario(
            "http", "a fresh HTTP service per test (readiness checked), one GET from the host", 20,
            (EMPTY,
             Suite("ours", "ptest-isolation", "ours", "ours", ("docker",), DOCKER_HTTP_HELD_FLOOR, plugin=True),
             Suite("testcontainers", "testcontainers", "testcontainers_suite", "other", ("docker",),
                   DOCKER_HTTP_HELD_FLOOR),
             Suite("docker-py", "docker-py fixture", "http_dockerpy", "other", ("docker",), DOCKER_HTTP_HELD_FLOOR),
             Suite("pytest-docker", "pytest-docker", "pytest_docker_suite", "other", ("docker", "compose"),
                   DOCKER_HTTP_HELD_FLOOR, pytest_args=("-p", "pytest_docker", "--container-scope", "function"))),
            xdist=True, shown_floors=(DOCKER_HTTP_FLOOR,)),
        Scenario(
            "venv", "a fresh venv with 3 packages (offline, local wheels) per test", 50,
            (EMPTY,
             Suite("ours", "ptest-isolation", "venv_ours", "ours", ("venv",), VENV_FLOOR, plugin=True),
             Suite("uv", "uv per test", "venv_uv", "other", ("venv",), VENV_FLOOR),
             Suite("tox-uv", "tox-uv style", "venv_tox_uv", "other", ("venv",), VENV_FLOOR)),
            xdist=True),
        Scenario(
            "snapshot", "a fresh copy of a prepared venv / container per test (iso_fresh_copy)", 50,
            (EMPTY,
             Suite("ours-venv", "ptest-isolation venv", "snapshot_venv", "ours", ("venv",), VENV_FLOOR, plugin=True,
                   timings=True),
             Suite("ours-docker", "ptest-isolation container", "snapshot_docker", "ours", ("docker", "venv"),
                   DOCKER_FLOOR, plugin=True, timings=True)),
            xdist=True),
    )
}
