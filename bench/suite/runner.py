"""One run of the suite benchmark: its private directories, the suites' processes, the floors,
the leak check after every suite, and the cleanup at the end (also after a failure)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any, Callable

import floors
import leaks
import wheels
from leaks import BenchError
from scenarios import (DOCKER_EXEC_FLOOR, DOCKER_FLOOR, DOCKER_HTTP_FLOOR, DOCKER_HTTP_HELD_FLOOR, VENV_FLOOR, Scenario,
                       Suite)

HERE = os.path.dirname(os.path.abspath(__file__))
INI = os.path.join(HERE, "pytest.ini")
#: ptest_isolation's plugin as Python imports it: the name of an installed package's pytest11 entry
#: point is blocked and the module is loaded by name, so the same flags work installed or not
#: (``-p`` alone would register it twice when it is installed).
PLUGIN_FLAGS = ["-p", "no:ptest_isolation", "-p", "ptest_isolation.pytest_plugin"]


def log(message: str) -> None:
    print(f"suite-bench: {message}", file=sys.stderr, flush=True)


def rotate(items: list[Any], by: int) -> list[Any]:
    """Round r starts with item r mod n: none always follows the same one."""
    shift = by % len(items) if items else 0
    return items[shift:] + items[:shift]


class Run:
    def __init__(self, args: argparse.Namespace, scenarios: list[Scenario]) -> None:
        self.args = args
        self.scenarios = scenarios
        self.run_id = uuid.uuid4().hex[:10]
        self.workdir = tempfile.mkdtemp(prefix="ptest-iso-suite-bench.")
        self.home = os.path.join(self.workdir, "home")
        self.wheels = os.path.join(self.workdir, "wheels")
        self.prepared_venv = os.path.join(self.workdir, "prepared-venv")
        self.uv = wheels.find_uv() if self.needs(VENV_FLOOR) else "uv"
        self.counter = 0
        #: (scenario, suite name) → wall seconds per round.
        self.samples: dict[tuple[str, str], list[float]] = {}
        #: floor kind → one {method: per-item seconds} per round.
        self.floors: dict[str, list[dict[str, float]]] = {}
        #: (scenario, suite name) → restore seconds (the first of each process left out: it also snapshots).
        self.restores: dict[tuple[str, str], list[float]] = {}
        self.first_restores: dict[tuple[str, str], list[float]] = {}
        #: Label filters of every suite run, for the final cleanup.
        self.filters: list[list[str]] = []

    def needs(self, floor: str) -> bool:
        return any(floor in scenario.floors() for scenario in self.scenarios)

    def tests(self, scenario: Scenario) -> int:
        return int(self.args.tests or scenario.default_tests)

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "BENCH_SUITE_RUN": self.run_id,
            "BENCH_SUITE_IMAGE": self.args.image,
            "BENCH_SUITE_WHEELS": self.wheels,
            "BENCH_SUITE_UV": self.uv,
            "BENCH_SUITE_PYTHON": sys.executable,
            "UV_CACHE_DIR": os.path.join(self.workdir, "uv-cache"),
            # Ryuk's image would be pulled, and no registry is reachable: the suites remove
            # their containers themselves (and the driver checks that they did).
            "TESTCONTAINERS_RYUK_DISABLED": "true",
            "PTEST_ISO_HOME": self.home,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        return env

    @staticmethod
    def suite_env(env: dict[str, str]) -> dict[str, str]:
        # Only the plugins a suite names (-p): the ones this machine happens to have installed
        # (hypothesis, schemathesis, faker, ...) cost every process ≈ 2.3 s and most of the
        # samples' noise, for no test of any suite.
        return {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}

    def prepare(self) -> None:
        """Untimed: ptest-isolation's bytecode, the wheels, a venv made by uv (the venv floor's
        source; fills uv's cache), and ptest-isolation's template of the same spec (its cache),
        so no suite pays a cold cache."""
        self.compile_package()
        if any(s.name in ("venv", "snapshot") for s in self.scenarios):
            wheels.make_wheels(self.wheels)
            wheels.prepare_venv(self.uv, self.prepared_venv, self.wheels, self.base_env())
            warm = subprocess.run(
                [sys.executable, "-c",
                 "import sys, ptest_isolation as iso\n"
                 "with iso.Manager(session=sys.argv[1]) as manager:\n"
                 "    manager.create(iso.VenvSpec(requirements=sys.argv[3:], find_links=[sys.argv[2]], offline=True)).destroy()",
                 f"ptestisobench{self.run_id}warm", self.wheels, *wheels.PACKAGES],
                env=self.base_env(), capture_output=True, text=True, timeout=300)
            if warm.returncode != 0:
                raise BenchError(f"warming ptest-isolation's template failed:\n{warm.stderr[-3000:]}")
            left = leaks.directory_leftovers([os.path.join(self.home, "envs")])
            if left:
                raise BenchError("warming ptest-isolation's template: LEAK:\n  " + "\n  ".join(left))

    def compile_package(self) -> None:
        """Compiles ptest_isolation's modules as pip does when it installs a package. The suites
        run with PYTHONDONTWRITEBYTECODE (nothing written into the checkout), so a package used
        from its source tree was compiled again by every pytest process (≈ 14 ms each), while
        the other tools, installed, load their bytecode."""
        found = subprocess.run(
            [sys.executable, "-c", "import os, ptest_isolation; print(os.path.dirname(ptest_isolation.__file__))"],
            env=self.base_env(), capture_output=True, text=True, timeout=60)
        if found.returncode != 0:
            raise BenchError(f"finding ptest_isolation failed:\n{found.stderr[-3000:]}")
        compiled = subprocess.run([sys.executable, "-m", "compileall", "-q", found.stdout.strip()],
                                  capture_output=True, text=True, timeout=120)
        if compiled.returncode != 0:
            raise BenchError(f"compiling ptest_isolation failed:\n{compiled.stdout[-3000:]}{compiled.stderr[-3000:]}")

    # -- suites -----------------------------------------------------------------------------

    def run_suite(self, scenario: Scenario, suite: Suite) -> float:
        self.counter += 1
        tag = f"ptestisobench{self.run_id}n{self.counter}"
        tests = self.tests(scenario)
        venvs = os.path.join(self.workdir, "venvs", tag)
        os.makedirs(venvs)
        timings = os.path.join(self.workdir, f"timings-{tag}.jsonl")
        env = self.base_env()
        env.update({
            "BENCH_SUITE_TESTS": str(tests),
            "BENCH_SUITE_VENVS": venvs,
            "BENCH_SUITE_TIMINGS": timings if suite.timings else "",
            "PTEST_ISO_SESSION": tag,
            "BENCH_COMPOSE_PROJECT": tag,
            **dict(scenario.environment),
        })
        directory = os.path.join(HERE, suite.directory)
        command = [sys.executable, "-m", "pytest", "-q", "-c", INI, "--rootdir", directory]
        command += PLUGIN_FLAGS if suite.plugin else []
        command += ["-p", "xdist.plugin", "-n", str(suite.workers)] if suite.workers else ["-p", "no:xdist"]
        command += [*suite.pytest_args, directory]
        filters = leaks.label_filters(self.run_id, tag, suite.plugin, "compose" in suite.resources, suite.workers)
        self.filters.append(filters)
        directories = [venvs] + ([os.path.join(self.home, "envs"), os.path.join(self.home, "snapshots")]
                                 if suite.plugin else [])
        start = time.perf_counter()
        try:
            result = subprocess.run(command, env=self.suite_env(env), capture_output=True, text=True,
                                    timeout=self.args.suite_timeout,
                                    cwd=HERE)
        except subprocess.TimeoutExpired:
            self.clean(filters, directories)
            raise BenchError(f"{scenario.name}/{suite.name}: the suite took longer than {self.args.suite_timeout:g} s") from None
        wall = time.perf_counter() - start
        expected = f"{tests} passed"
        if result.returncode != 0 or expected not in result.stdout:
            self.clean(filters, directories)
            raise BenchError(f"{scenario.name}/{suite.name}: pytest exited {result.returncode} without `{expected}`:\n"
                             f"{result.stdout[-6000:]}{result.stderr[-3000:]}")
        left = leaks.docker_leftovers(filters) + leaks.directory_leftovers(directories)
        if left:
            self.clean(filters, directories)
            raise BenchError(f"{scenario.name}/{suite.name}: LEAK: the suite left {len(left)} resource(s) behind "
                             "(removed now):\n  " + "\n  ".join(left))
        os.rmdir(venvs)
        if suite.timings:
            self.read_timings(scenario, suite, timings)
        return wall

    def clean(self, filters: list[str], directories: list[str]) -> None:
        leaks.remove_docker(filters)
        leaks.empty_directories(directories)

    def read_timings(self, scenario: Scenario, suite: Suite, path: str) -> None:
        if not os.path.exists(path):
            raise BenchError(f"{scenario.name}/{suite.name}: the suite recorded no restore times in {path}")
        key = (scenario.name, suite.name)
        with open(path) as handle:
            for line in handle:
                seconds = json.loads(line)["seconds"]
                self.first_restores.setdefault(key, []).append(seconds[0])
                self.restores.setdefault(key, []).extend(seconds[1:])
        os.unlink(path)

    # -- floors -----------------------------------------------------------------------------

    def measure_floor(self, kind: str) -> dict[str, float]:
        if kind in (DOCKER_FLOOR, DOCKER_EXEC_FLOOR, DOCKER_HTTP_FLOOR, DOCKER_HTTP_HELD_FLOOR):
            labels = {leaks.RUN_LABEL: self.run_id}
            try:
                return floors.docker_floor(kind, self.args.image, labels, self.args.floor_containers)
            finally:
                left = leaks.docker_leftovers([f"label={leaks.RUN_LABEL}={self.run_id}"])
                if left:
                    leaks.remove_docker([f"label={leaks.RUN_LABEL}={self.run_id}"])
                    raise BenchError(f"{kind} floor: LEAK: left behind (removed now):\n  " + "\n  ".join(left))
        if kind == VENV_FLOOR:
            scratch = os.path.join(self.workdir, "floor")
            os.makedirs(scratch, exist_ok=True)
            count = max(self.tests(s) for s in self.scenarios if VENV_FLOOR in s.floors())
            found = floors.venv_floor(self.prepared_venv, scratch, count)
            left = leaks.directory_leftovers([scratch])
            if left:
                raise BenchError("venv floor: LEAK:\n  " + "\n  ".join(left))
            return found
        raise BenchError(f"unknown floor {kind}")

    # -- the rounds -------------------------------------------------------------------------

    def measure(self) -> None:
        for round_index in range(self.args.warmup + self.args.rounds):
            warm = round_index < self.args.warmup
            kind = "warm-up" if warm else f"round {round_index - self.args.warmup + 1}/{self.args.rounds}"
            floors_done: set[str] = set()
            for scenario in self.scenarios:
                jobs: list[tuple[str, Callable[[], None]]] = []
                for suite in scenario.suites:
                    jobs.append((suite.label, self.suite_job(scenario, suite, warm, kind)))
                for floor in scenario.floors():
                    if floor not in floors_done:
                        floors_done.add(floor)
                        jobs.append((f"{floor} floor", self.floor_job(floor, warm, kind)))
                for _, job in rotate(jobs, round_index):
                    job()

    def suite_job(self, scenario: Scenario, suite: Suite, warm: bool, kind: str) -> Callable[[], None]:
        def job() -> None:
            wall = self.run_suite(scenario, suite)
            log(f"{kind}: {scenario.name:<8} {suite.label:<28} {wall:7.2f} s, nothing left behind")
            if not warm:
                self.samples.setdefault((scenario.name, suite.name), []).append(wall)
        return job

    def floor_job(self, floor: str, warm: bool, kind: str) -> Callable[[], None]:
        def job() -> None:
            found = self.measure_floor(floor)
            shown = ", ".join(f"{method} {seconds * 1000:.1f} ms" for method, seconds in found.items())
            log(f"{kind}: {floor} floor per item: {shown}")
            if not warm:
                self.floors.setdefault(floor, []).append(found)
        return job

    # -- the end ----------------------------------------------------------------------------

    def processes(self) -> list[str]:
        """Processes still using the run's ptest-isolation home (a session reaper that did not end)."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    argv = handle.read().split(b"\0")
            except OSError:
                continue
            if any(self.home.encode() in arg for arg in argv):
                found.append(f"process {pid}: {b' '.join(argv).decode(errors='replace').strip()}")
        return found

    def reapers_gone(self, seconds: float = 15) -> list[str]:
        """Waits (bounded) for the sessions' reapers to end, as they do when their last client has
        gone; what is still running then."""
        deadline = time.monotonic() + seconds
        while True:
            left = self.processes()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)

    def cleanup(self) -> None:
        """The end, also after a failure: nothing of the run may stay."""
        leaks.remove_docker([f"label={leaks.RUN_LABEL}={self.run_id}"])
        for filters in self.filters:
            leaks.remove_docker(filters[1:])
        shutil.rmtree(self.workdir, ignore_errors=True)
