#!/usr/bin/env python3
"""Suite-level benchmark (issues 11 and 15): whole pytest suites, the same tests written for
each tool, run in one session interleaved, against the floors beneath them.

Scenarios (``--scenario NAME``, repeatable; default: all):

  busybox   a fresh busybox container per test, ``echo hi`` exec'd in it: ptest-isolation's
            ``iso_factory`` vs testcontainers' ``DockerContainer`` vs a docker-py fixture;
            floor: the daemon's create+start+exec+remove at the best of 1, 2, 4 workers
            (and without the exec, the issue's floor, beside it)
  container the issue's scenario to the letter: the busybox suites with nothing asked of the
            container (no exec); floor: the daemon's create+start+remove
  http      a fresh HTTP service per test (readiness checked): ptest-isolation vs
            testcontainers vs a docker-py fixture vs pytest-docker; floor: the daemon's
            create+start+answer+remove of the service (and joining a held namespace)
  venv      a fresh venv with 3 packages per test (offline, local wheels): ptest-isolation
            vs uv per test vs tox-uv style (one venv, reinstalled); floor: ``cp -al``
  snapshot  a fresh copy of a prepared venv and of a prepared container per test
            (``iso_fresh_copy``), with the restore times recorded inside the tests

``--xdist`` (on by default when no ``--scenario`` is given) adds every suite again under
``pytest -n 2``. Each sample is one whole ``python -m pytest`` process; an empty
suite of as many do-nothing tests is each scenario's baseline. After every suite the driver
checks that nothing it made is left (containers, networks, volumes, images by label; venv
directories) and fails if something is. Ratios and targets are reported, never asserted:
exit status 0 when every suite ran and passed and nothing leaked, 1 otherwise, 2 on bad
arguments, 130 when interrupted.

Run it through bench/run-suite.sh, which makes sure the daemon, the image and the tools are
there."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
from typing import Any, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import charts  # noqa: E402
import report  # noqa: E402
from leaks import BenchError  # noqa: E402
from preflight import preflight  # noqa: E402
from runner import Run, log  # noqa: E402
from scenarios import SCENARIOS, Scenario  # noqa: E402


def parse(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS), metavar="NAME",
                        help=f"one of {', '.join(SCENARIOS)}; repeatable (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--tests", type=int, default=None,
                        help="tests per suite, for every scenario (default: busybox and http 20, venv and snapshot 50)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--xdist", action=argparse.BooleanOptionalAction, default=None,
                        help="also run every suite under pytest -n WORKERS "
                             "(default: on when no --scenario is given)")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers of --xdist (default 2)")
    parser.add_argument("--floor-containers", type=int, default=16,
                        help="containers per parallelism level of the docker floor, per round (default 16)")
    parser.add_argument("--json", metavar="FILE", help="also write the samples and the summary here")
    parser.add_argument("--charts", metavar="DIR", help="write one PNG bar chart per scenario here (needs matplotlib)")
    parser.add_argument("--image", default="ptest-iso-test/busybox:latest", help="the containers' image (never pulled)")
    parser.add_argument("--suite-timeout", type=float, default=900, help="seconds one suite may take (default 900)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or (args.tests is not None and args.tests < 1) or args.warmup < 0 or args.suite_timeout <= 0:
        parser.error("--rounds and --tests must be at least 1, --warmup at least 0, --suite-timeout positive")
    if args.workers < 2 or args.floor_containers < 4:
        parser.error("--workers must be at least 2 and --floor-containers at least 4")
    if args.xdist is None:
        args.xdist = args.scenario is None
    args.scenario = list(dict.fromkeys(args.scenario or SCENARIOS))
    return args


def chosen(args: argparse.Namespace) -> list[Scenario]:
    scenarios = [SCENARIOS[name] for name in args.scenario]
    return [s.with_xdist(args.workers) if args.xdist and s.xdist else s for s in scenarios]


def main(argv: Optional[list[str]] = None) -> int:
    args = parse(argv)
    scenarios = chosen(args)
    try:
        found = preflight(args.image, args.scenario, bool(args.charts))
    except (BenchError, subprocess.TimeoutExpired) as error:
        log(f"FAILED: {error}")
        return 1
    run = Run(args, scenarios)
    # SIGTERM ends the measuring like Ctrl-C does; the cleanup below still runs.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    log(f"run {run.run_id}: {args.rounds} round(s) of {', '.join(s.name for s in scenarios)}"
        f"{' (with -n %d rows)' % args.workers if args.xdist else ''}")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    try:
        run.prepare()
        run.measure()
        stuck = run.reapers_gone()
        if stuck:
            raise BenchError("LEAK: processes of the run's ptest-isolation home still run 15 s after the last suite:\n  "
                             + "\n  ".join(stuck))
    except (BenchError, subprocess.SubprocessError, OSError, RuntimeError) as error:
        log(f"FAILED: {error}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        run.cleanup()
    load_after = os.getloadavg()
    summaries = [summarize(run, scenario) for scenario in scenarios]
    header = (f"suite-bench: daemon {found['daemon']}, {os.cpu_count()} CPUs, load {load_before[0]:.1f} → {load_after[0]:.1f} "
              f"(1-min average before → after), {args.rounds} round(s) after {args.warmup} warm-up, suites interleaved\n"
              f"versions: {', '.join(f'{k} {v}' for k, v in found.items() if k not in ('daemon',))}")
    print(header)
    for scenario, summary in zip(scenarios, summaries):
        print()
        print(report.scenario_table(summary, scenario.suites))
    if args.charts:
        for path in charts.write_charts(args.charts, summaries, f"{args.rounds} round(s), {started:%Y-%m-%d %H:%M} UTC"):
            log(f"chart: {path}")
    if args.json:
        document: dict[str, Any] = {
            "benchmark": "suite", "started": started.isoformat(timespec="seconds"), "run_id": run.run_id,
            "cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after, "rounds": args.rounds,
            "warmup": args.warmup, "image": args.image, "found": found,
            "scenarios": {summary["name"]: summary for summary in summaries},
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    return 0


def summarize(run: Run, scenario: Scenario) -> dict[str, Any]:
    def of(table: dict[tuple[str, str], Any]) -> dict[str, Any]:
        return {suite: value for (name, suite), value in table.items() if name == scenario.name}

    return report.summarize_scenario(scenario, run.tests(scenario), of(run.samples), run.floors, of(run.restores),
                                     of(run.first_restores))


if __name__ == "__main__":
    sys.exit(main())
