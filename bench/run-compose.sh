#!/usr/bin/env bash
# Compose benchmark (issue 12): a fresh web + postgres + redis stack per test, up to healthy and
# down, through ptest-isolation, docker-compose by hand and pytest-docker, interleaved in one run.
# Arguments go to bench/compose/driver.py (--rounds N --tests N --json FILE). Uses the release
# library unless PTEST_ISO_LIB is set, as run-suite.sh does.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/docker-up.sh
scripts/test-images.sh
scripts/python-tools.sh
source bench/release-library.sh
exec python3 bench/compose/driver.py "$@"
