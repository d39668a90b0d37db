#!/usr/bin/env python3
"""Compose benchmark (issue 12): a 3-service stack (web, database, cache) up to healthy and
down again, once per test, as three pytest suites run interleaved in one session:

  ptest-isolation   the plugin's ``iso_factory(compose=stack.yml)``
  docker-compose    a hand-written fixture: `up -d`, poll until healthy, `down -v -t 0`
  pytest-docker     its ``docker_services`` per test (``--container-scope function``)

plus an empty suite (pytest's own cost); then one stack for a whole run under ``-n 2``:

  ptest-isolation   ``iso_session_compose``: one stack shared by both xdist workers
  pytest-docker     its session-scoped ``docker_services``: one stack per worker

counting the stacks each started. Each sample is one whole ``python -m pytest``
process; per-stack cost = (median - empty median) / tests. After every suite the driver
checks that nothing it made is left (containers, networks, volumes). Ratios are reported,
not asserted: exit 0 when every suite passed and nothing leaked, 1 otherwise."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = {"empty": "empty (baseline)", "ours": "ptest-isolation", "compose_cli": "docker-compose", "pytest_docker_suite": "pytest-docker"}
#: One stack per run, under `-n 2`.
SHARED_SUITES = {"ours_shared": "ptest-isolation", "pytest_docker_shared": "pytest-docker"}
XDIST_WORKERS = 2
PLUGIN = ["-p", "no:ptest_isolation", "-p", "ptest_isolation.pytest_plugin"]


def log(message: str) -> None:
    print(f"compose-bench: {message}", file=sys.stderr, flush=True)


def docker_lines(*args: str) -> list[str]:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.split()


class Leak(Exception):
    pass


def leftovers(run_id: str, projects: list[str], session: Optional[str]) -> list[str]:
    left = [f"container {c}" for c in docker_lines("ps", "-aq", "--filter", f"label=bench.ptest-iso.compose.run={run_id}")]
    for kind in ("network", "volume"):
        for name in docker_lines(kind, "ls", "-q", "--filter", "label=com.docker.compose.project"):
            labels = json.loads(subprocess.run(["docker", kind, "inspect", "--format", "{{json .Labels}}", name],
                                               capture_output=True, text=True).stdout.strip() or "null") or {}
            project = labels.get("com.docker.compose.project", "")
            if any(project.startswith(prefix) for prefix in projects) or (session and labels.get("ptest-iso.session") == session):
                left.append(f"{kind} {name} (project {project})")
    return left


def run_suite(name: str, tests: int, run_id: str, home: str, round_index: int) -> tuple[float, int]:
    """One whole pytest run of a suite: its wall time and the stacks its tests used."""
    session = f"ptisocomposebench{run_id}r{round_index}{name}"
    prefix = f"ptisocb{run_id}r{round_index}"
    records = tempfile.mkdtemp(prefix="ptest-iso-compose-bench-records.")
    env = dict(os.environ, BENCH_TESTS=str(tests), BENCH_RUN=run_id, BENCH_PROJECT=prefix, PTEST_ISO_HOME=home,
               PTEST_ISO_SESSION=session, BENCH_RECORDS=records,
               PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""), PYTHONDONTWRITEBYTECODE="1")
    if name == "ours_shared":
        # The controller picks the session its workers share, as in a plain `pytest -n 2`.
        env.pop("PTEST_ISO_SESSION")
    command = [sys.executable, "-m", "pytest", "-q", "-c", os.path.join(HERE, "pytest.ini"), "--rootdir", os.path.join(HERE, name)]
    if name.startswith("ours"):
        command += PLUGIN
    if name == "pytest_docker_suite":
        command += ["--container-scope", "function"]
    if name in SHARED_SUITES:
        command += ["-n", str(XDIST_WORKERS)]
    command.append(os.path.join(HERE, name))
    start = time.perf_counter()
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, cwd=HERE)
        wall = time.perf_counter() - start
        stacks = len({open(os.path.join(records, entry)).read() for entry in os.listdir(records)})
    finally:
        shutil.rmtree(records, ignore_errors=True)
    if result.returncode != 0 or f"{tests} passed" not in result.stdout:
        raise RuntimeError(f"{name}: pytest exited {result.returncode}:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
    left = leftovers(run_id, [prefix], session if name == "ours" else None)
    if left:
        raise Leak(f"{name}: LEAK: " + ", ".join(left))
    return wall, stacks


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tests", type=int, default=3, help="stacks per suite (default 3)")
    parser.add_argument("--shared-tests", type=int, default=8,
                        help=f"tests sharing one run's stack under -n {XDIST_WORKERS} (default 8; 0 skips that part)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.tests < 1 or args.shared_tests < 0:
        parser.error("--rounds and --tests must be at least 1, --shared-tests not negative")
    run_id = uuid.uuid4().hex[:8]
    home = tempfile.mkdtemp(prefix="ptest-iso-compose-bench.")
    samples: dict[str, list[float]] = {name: [] for name in [*SUITES, *SHARED_SUITES]}
    started: dict[str, list[int]] = {name: [] for name in SHARED_SUITES}
    names = list(SUITES)
    shared = list(SHARED_SUITES) if args.shared_tests else []
    try:
        for round_index in range(args.rounds):
            for name in names[round_index % len(names):] + names[:round_index % len(names)]:
                wall, _ = run_suite(name, args.tests, run_id, home, round_index)
                samples[name].append(wall)
                log(f"round {round_index + 1}/{args.rounds}: {SUITES[name]:<16} {wall:7.2f} s, nothing left behind")
            for name in shared[round_index % 2:] + shared[:round_index % 2]:
                wall, stacks = run_suite(name, args.shared_tests, run_id, home, round_index)
                samples[name].append(wall)
                started[name].append(stacks)
                log(f"round {round_index + 1}/{args.rounds}: {SHARED_SUITES[name]:<16} -n {XDIST_WORKERS} {wall:7.2f} s, "
                    f"{stacks} stack(s) started, nothing left behind")
    except (RuntimeError, Leak, subprocess.TimeoutExpired) as error:
        log(str(error))
        return 1
    finally:
        shutil.rmtree(home, ignore_errors=True)
    base = statistics.median(samples["empty"])
    print(f"{args.tests} fresh 3-service stacks (web after healthy postgres and redis) per suite, {args.rounds} round(s), interleaved")
    print(f"{'suite':<17} {'median s':>9} {'min s':>7} {'max s':>7} {'per stack ms':>13}")
    summary = {}
    for name, title in SUITES.items():
        median = statistics.median(samples[name])
        per = median / args.tests * 1000 if name == "empty" else (median - base) / args.tests * 1000
        summary[name] = {"samples_s": samples[name], "median_s": median, "per_stack_ms": per}
        print(f"{title:<17} {median:9.2f} {min(samples[name]):7.2f} {max(samples[name]):7.2f} {per:13.1f}")
    for other in ("compose_cli", "pytest_docker_suite"):
        ratio = summary["ours"]["median_s"] / summary[other]["median_s"]
        print(f"ptest-isolation vs {SUITES[other]:<15} wall ratio {ratio:.2f}  {'faster' if ratio < 1 else 'NOT faster'}")
    if shared:
        print(f"\none stack for a run of {args.shared_tests} tests under -n {XDIST_WORKERS}, {args.rounds} round(s), interleaved")
        print(f"{'suite':<17} {'median s':>9} {'min s':>7} {'max s':>7} {'stacks started':>15}")
        for name, title in SHARED_SUITES.items():
            median = statistics.median(samples[name])
            summary[name] = {"samples_s": samples[name], "median_s": median, "stacks_started": started[name]}
            print(f"{title:<17} {median:9.2f} {min(samples[name]):7.2f} {max(samples[name]):7.2f} "
                  f"{'/'.join(map(str, started[name])):>15}")
        ratio = summary["ours_shared"]["median_s"] / summary["pytest_docker_shared"]["median_s"]
        once = all(count == 1 for count in started["ours_shared"])
        print(f"ptest-isolation vs pytest-docker  wall ratio {ratio:.2f}  {'faster' if ratio < 1 else 'NOT faster'}; "
              f"ptest-isolation started {'one stack' if once else 'MORE THAN ONE stack'} per run")
        if not once:
            return 1
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(summary, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
