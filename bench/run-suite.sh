#!/usr/bin/env bash
# Suite-level benchmark (issues 11 and 15): the same pytest suites written for each tool — a
# fresh busybox container, HTTP service, venv or snapshot copy per test — through
# ptest-isolation's fixtures and what users would use instead, interleaved in one run, with an
# empty suite as the baseline and the floors measured in the same run. Arguments go to
# bench/suite/driver.py, e.g. --scenario busybox --rounds 3 --json bench/results/suite.json
# --charts bench/results (see bench/README.md; no --scenario: all, with -n 2 rows).
#
# ptest_isolation is used as Python finds it (an installed package, `pip install -e .` as
# scripts/test.sh does, or PYTHONPATH=$PWD/python), with the release build of its library, as
# a wheel ships it: built here (a no-op when scripts/build-wheel.sh has built it) unless
# PTEST_ISO_LIB already points at one. A debug build would measure the compiler's checks.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/docker-up.sh
scripts/test-images.sh
# testcontainers, pytest-docker and a compose command, idempotently.
scripts/python-tools.sh
source bench/release-library.sh
exec python3 bench/suite/driver.py "$@"
