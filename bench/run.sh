#!/usr/bin/env bash
# Build docker-bench in release, make sure the daemon and the busybox test
# image are there, and run it. Arguments go to docker-bench, e.g.
#   bench/run.sh --iterations 50 --json bench/results/latest.json
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Idempotent: fast no-ops when the daemon answers and the images exist.
scripts/docker-up.sh
scripts/test-images.sh

swift build --package-path bench -c release --product docker-bench
bin=$(swift build --package-path bench -c release --product docker-bench --show-bin-path)/docker-bench
exec "$bin" "$@"
