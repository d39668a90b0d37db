#!/usr/bin/env bash
# The main job, for now: build, then show what exists — the engine doctor
# and a Python test file run in an isolated container by the Docker client,
# ending with proof that nothing was left behind.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/docker-up.sh
scripts/test-images.sh
swift build --product ptest-iso
swift build --product docker-api-demo

echo "==> ptest-iso doctor"
.build/debug/ptest-iso doctor
.build/debug/docker-api-demo
