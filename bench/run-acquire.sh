#!/usr/bin/env bash
# Acquire/release of a ready Docker environment: the manager (through the
# Python package) against testcontainers-python and docker-py, in one run.
# Arguments go to bench/docker_acquire_bench.py, e.g. --iterations 30.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/docker-up.sh
scripts/test-images.sh
export PIP_BREAK_SYSTEM_PACKAGES=1
python3 -c "import testcontainers, docker" 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check testcontainers docker
# The library and the reaper it starts, from this checkout.
swift build --product CPtestIsolation
swift build --product ptest-iso
exec python3 bench/docker_acquire_bench.py "$@"
