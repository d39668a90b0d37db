#!/usr/bin/env python3
"""Suite-level services benchmark (issue 11, "Tests and benchmark").

Three pytest suites with the same tests, each test getting a fresh HTTP service container
(busybox httpd, readiness checked over HTTP) and doing one GET against it from the host:

  ptest-isolation   the plugin's ``iso_factory``, a Docker environment in service mode
  testcontainers    testcontainers-python's ``DockerContainer`` + ``HttpWaitStrategy``
  pytest-docker     pytest-docker's ``docker_services`` per test (``--container-scope function``)

plus an empty suite of as many do-nothing tests (the baseline: pytest's own cost). The
suites run interleaved, round after round, each as its own ``python -m pytest`` process;
the wall time of that process is the sample. After every suite the driver checks that
nothing the suite made is left (containers, networks, volumes with the run's labels) and
fails loudly if something is. Ratios are reported, never asserted: the exit status is 0
when every suite ran and passed and nothing leaked, 1 otherwise, 2 on bad arguments.

Run it through bench/run-suite.sh, which makes sure the daemon, the image and the tools
are there."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
INI = os.path.join(HERE, "pytest.ini")
RUN_LABEL = "bench.ptest-iso.suite.run"

#: name → (directory, title); the order of the first round.
SUITES = {
    "empty": ("empty", "empty (baseline)"),
    "ours": ("ours", "ptest-isolation"),
    "testcontainers": ("testcontainers_suite", "testcontainers"),
    "pytest-docker": ("pytest_docker_suite", "pytest-docker"),
}
SERVICE_SUITES = ["ours", "testcontainers", "pytest-docker"]


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(f"suite-bench: {message}", file=sys.stderr, flush=True)


def docker(*args: str, timeout: float = 60) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"docker {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


#: ptest_isolation's plugin as Python imports it: the name of an installed package's pytest11 entry
#: point is blocked and the module is loaded by name, so the same flags work installed or not
#: (``-p`` alone would register it twice when it is installed).
PLUGIN_FLAGS = ["-p", "no:ptest_isolation", "-p", "ptest_isolation.pytest_plugin"]


def compose_command() -> list[str]:
    if os.environ.get("BENCH_COMPOSE"):
        return os.environ["BENCH_COMPOSE"].split()
    return ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]


def preflight(image: str) -> dict[str, Any]:
    """Everything the suites need, checked before the first sample; what was found."""
    found: dict[str, Any] = {}
    try:
        found["daemon"] = docker("version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})").strip()
    except (BenchError, OSError) as error:
        raise BenchError(f"no Docker daemon answers: {error}") from error
    try:
        docker("image", "inspect", "--format", "{{.Id}}", image)
    except BenchError:
        raise BenchError(f"image {image} is not on this machine (nothing is pulled): run scripts/test-images.sh") from None
    probe = subprocess.run(
        [sys.executable, "-c",
         "import ptest_isolation, testcontainers, pytest_docker, importlib.metadata as m\n"
         "from ptest_isolation import _native\n"
         "print(_native.version(), m.version('testcontainers'), m.version('pytest-docker'), m.version('pytest'))"],
        capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        raise BenchError("the suites' packages do not import (scripts/python-tools.sh installs testcontainers and "
                         "pytest-docker; ptest_isolation needs `pip install -e .` or PYTHONPATH=python with "
                         f"PTEST_ISO_LIB):\n{probe.stderr.strip()}")
    ours, tc, pd, pytest_version = probe.stdout.split()
    found.update({"ptest_isolation": ours, "testcontainers": tc, "pytest_docker": pd, "pytest": pytest_version})
    compose = compose_command()
    version = subprocess.run([*compose, "version"], capture_output=True, text=True, timeout=60)
    if version.returncode != 0:
        raise BenchError(f"`{' '.join(compose)} version` failed (apt-get install docker-compose): {version.stderr.strip()}")
    found["compose"] = " ".join(compose) + ": " + version.stdout.strip().splitlines()[0]
    return found


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_id = uuid.uuid4().hex[:10]
        self.home = tempfile.mkdtemp(prefix="ptest-iso-suite-bench.")
        self.samples: dict[str, list[float]] = {name: [] for name in SUITES}
        self.sessions: list[str] = []
        self.projects: list[str] = []

    def filters(self, name: str, tag: str) -> list[str]:
        """The label filters naming what one suite run made."""
        found = [f"label={RUN_LABEL}={self.run_id}"]
        if name == "ours":
            found.append(f"label=ptest-iso.session={tag}")
        if name == "pytest-docker":
            found.append(f"label=com.docker.compose.project={tag}")
        return found

    def leftovers(self, name: str, tag: str) -> list[str]:
        left = []
        for label in self.filters(name, tag):
            for kind, listing in (("container", ["ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Status}}"]),
                                  ("network", ["network", "ls", "--format", "{{.ID}} {{.Name}}"]),
                                  ("volume", ["volume", "ls", "--format", "{{.Name}}"])):
                for line in docker(*listing, "--filter", label).splitlines():
                    if line.strip():
                        left.append(f"{kind} {line.strip()} ({label})")
        return sorted(set(left))

    def remove(self, name: str, tag: str) -> None:
        """Removes what a suite left (after a leak or an interruption), best effort."""
        for label in self.filters(name, tag):
            for listing, removal in ((["ps", "-aq"], ["rm", "-f", "-v"]), (["network", "ls", "-q"], ["network", "rm"]),
                                     (["volume", "ls", "-q"], ["volume", "rm", "-f"])):
                try:
                    ids = docker(*listing, "--filter", label).split()
                    if ids:
                        docker(*removal, *ids)
                except (BenchError, subprocess.TimeoutExpired):
                    pass

    def run_suite(self, name: str, round_index: int) -> float:
        directory = os.path.join(HERE, SUITES[name][0])
        tag = f"ptestisobench{self.run_id}r{round_index}"
        env = dict(os.environ)
        env.update({
            "BENCH_SUITE_TESTS": str(self.args.tests),
            "BENCH_SUITE_RUN": self.run_id,
            "BENCH_SUITE_IMAGE": self.args.image,
            # Ryuk's image would be pulled, and no registry is reachable: the suite removes its
            # containers itself (and the driver checks that it did).
            "TESTCONTAINERS_RYUK_DISABLED": "true",
            "PTEST_ISO_HOME": self.home,
            "PTEST_ISO_SESSION": tag,
            "BENCH_COMPOSE_PROJECT": tag,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        command = [sys.executable, "-m", "pytest", "-q", "-c", INI, "--rootdir", directory]
        if name == "ours":
            command += PLUGIN_FLAGS
        if name == "pytest-docker":
            command += ["--container-scope", "function"]
        command.append(directory)
        if name == "ours":
            self.sessions.append(tag)
        if name == "pytest-docker":
            self.projects.append(tag)
        start = time.perf_counter()
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=self.args.suite_timeout,
                                    cwd=HERE)
        except subprocess.TimeoutExpired:
            self.remove(name, tag)
            raise BenchError(f"{name}: the suite took longer than {self.args.suite_timeout:g} s") from None
        wall = time.perf_counter() - start
        expected = f"{self.args.tests} passed"
        if result.returncode != 0 or expected not in result.stdout:
            self.remove(name, tag)
            raise BenchError(f"{name}: pytest exited {result.returncode} without `{expected}`:\n"
                             f"{result.stdout[-6000:]}{result.stderr[-3000:]}")
        left = self.leftovers(name, tag)
        if left:
            self.remove(name, tag)
            raise BenchError(f"{name}: LEAK: the suite left {len(left)} resource(s) behind (removed now):\n  "
                             + "\n  ".join(left))
        return wall

    def measure(self) -> None:
        names = list(SUITES)
        for round_index in range(self.args.warmup + self.args.rounds):
            warm = round_index < self.args.warmup
            # Round r starts with suite r mod n: none always follows the same one.
            order = names[round_index % len(names):] + names[:round_index % len(names)]
            for name in order:
                wall = self.run_suite(name, round_index)
                kind = "warm-up" if warm else f"round {round_index - self.args.warmup + 1}/{self.args.rounds}"
                log(f"{kind}: {SUITES[name][1]:<17} {wall:7.2f} s, nothing left behind")
                if not warm:
                    self.samples[name].append(wall)

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
        for name, tags in (("ours", self.sessions), ("pytest-docker", self.projects), ("testcontainers", ["-"])):
            for tag in tags:
                self.remove(name, tag)
        shutil.rmtree(self.home, ignore_errors=True)


def summarize(run: Run) -> dict[str, Any]:
    tests = run.args.tests
    summary: dict[str, Any] = {"suites": {}, "ratios": {}}
    base = statistics.median(run.samples["empty"])
    for name, samples in run.samples.items():
        median = statistics.median(samples)
        summary["suites"][name] = {
            "title": SUITES[name][1],
            "samples_s": [round(s, 4) for s in samples],
            "median_s": round(median, 4),
            "min_s": round(min(samples), 4),
            "max_s": round(max(samples), 4),
            "per_test_ms": round((median - base) / tests * 1000, 1) if name != "empty" else round(median / tests * 1000, 1),
        }
    ours = summary["suites"]["ours"]
    for other in ("testcontainers", "pytest-docker"):
        them = summary["suites"][other]
        summary["ratios"][other] = {
            "wall": round(ours["median_s"] / them["median_s"], 3),
            "per_test": round(ours["per_test_ms"] / them["per_test_ms"], 3) if them["per_test_ms"] > 0 else None,
            "faster": ours["median_s"] < them["median_s"],
        }
    return summary


def table(run: Run, summary: dict[str, Any], found: dict[str, Any]) -> str:
    args = run.args
    lines = [
        f"suite-bench: daemon {found['daemon']}, {os.cpu_count()} CPUs, image {args.image}",
        f"ptest-isolation {found['ptest_isolation']} ({os.environ.get('PTEST_ISO_LIB', 'library as installed')}), testcontainers {found['testcontainers']} "
        f"(Ryuk disabled), pytest-docker {found['pytest_docker']} with {found['compose']}, pytest {found['pytest']}",
        f"{args.tests} tests per suite, each with a fresh HTTP service and one GET; {args.rounds} round(s) after "
        f"{args.warmup} warm-up, suites interleaved; wall = the whole pytest process",
        "",
        f"{'suite':<17} {'median s':>9} {'min s':>7} {'max s':>7} {'per test ms':>12}",
    ]
    for name in SUITES:
        s = summary["suites"][name]
        note = "  (its wall / tests)" if name == "empty" else "  ((median - empty median) / tests)"
        lines.append(f"{s['title']:<17} {s['median_s']:9.2f} {s['min_s']:7.2f} {s['max_s']:7.2f} {s['per_test_ms']:12.1f}{note}")
    lines.append("")
    lines.append(f"{'ptest-isolation vs':<17} {'wall ratio':>10} {'per-test ratio':>15}  faster")
    for other, ratio in summary["ratios"].items():
        per_test = f"{ratio['per_test']:.2f}" if ratio["per_test"] is not None else "-"
        lines.append(f"{other:<17} {ratio['wall']:10.2f} {per_test:>15}  {'yes' if ratio['faster'] else 'NO'}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--tests", type=int, default=20, help="tests per suite (default 20)")
    parser.add_argument("--warmup", type=int, default=0, help="uncounted rounds first (default 0)")
    parser.add_argument("--json", metavar="FILE", help="also write the samples and the summary here")
    parser.add_argument("--image", default="ptest-iso-test/busybox:latest", help="the service image (never pulled)")
    parser.add_argument("--suite-timeout", type=float, default=600, help="seconds one suite may take (default 600)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.tests < 1 or args.warmup < 0 or args.suite_timeout <= 0:
        parser.error("--rounds and --tests must be at least 1, --warmup at least 0, --suite-timeout positive")

    try:
        found = preflight(args.image)
    except (BenchError, subprocess.TimeoutExpired) as error:
        log(f"FAILED: {error}")
        return 1
    run = Run(args)
    # SIGTERM ends the measuring like Ctrl-C does; the cleanup below still runs.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    log(f"run {run.run_id}: {args.rounds} round(s) of {len(SUITES)} suites, {args.tests} tests each")
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        run.measure()
        stuck = run.reapers_gone()
        if stuck:
            raise BenchError("LEAK: processes of the run's ptest-isolation home still run 15 s after the last suite:\n  "
                             + "\n  ".join(stuck))
    except BenchError as error:
        log(f"FAILED: {error}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        run.cleanup()
    summary = summarize(run)
    print(table(run, summary, found))
    if args.json:
        document = {
            "benchmark": "suite-services",
            "started": started.isoformat(timespec="seconds"),
            "run_id": run.run_id,
            "cpus": os.cpu_count(),
            "tests": args.tests,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "image": args.image,
            "found": found,
            **summary,
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
