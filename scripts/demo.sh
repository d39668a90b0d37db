#!/usr/bin/env bash
# The main job: build, install the Python package, and run the example test
# suite (examples/), whose tests each get an isolated environment; the
# pytest plugin ends the run with how many environments were made and left
# behind. Then the guarantee under a fault: a run killed with SIGKILL, whose
# session's reaper removes what it held. Then the engine doctor and the
# Engine API client running a test file in a resource-limited container.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The package installs into this machine's python3, whatever manages it (see scripts/python-tools.sh).
export PIP_BREAK_SYSTEM_PACKAGES=1

scripts/docker-up.sh
scripts/test-images.sh
scripts/python-tools.sh
swift build
python3 -m pip install --quiet --disable-pip-version-check -e .

echo "==> pytest examples (every test gets its own environment)"
python3 -m pytest examples -v -p no:cacheprovider

echo "==> a run killed with SIGKILL leaves nothing behind (the session's reaper)"
python3 examples/killed_run.py

echo "==> ptest-iso doctor"
.build/debug/ptest-iso doctor
.build/debug/docker-api-demo
