#!/usr/bin/env bash
# One daemon vs a 3-node swarm vs a 3-host pool (issue 13): acquire/run/release through the
# Python package. Arguments go to bench/engines_bench.py, e.g. --environments 30.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/docker-up.sh
scripts/test-images.sh
scripts/swarm-cluster.sh up
swift build --product CPtestIsolation
swift build --product ptest-iso
exec python3 bench/engines_bench.py "$@"
