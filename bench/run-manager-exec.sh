#!/usr/bin/env bash
# An exec through IsolationManager.run against the same exec through a kept
# DockerClient, in one run (issue 10, part 3). Builds manager-exec-bench in
# release and passes the arguments through, e.g.
#   bench/run-manager-exec.sh --iterations 100
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Idempotent: fast no-ops when the daemon answers and the images exist.
scripts/docker-up.sh
scripts/test-images.sh

swift build --package-path bench -c release --product manager-exec-bench
bin=$(swift build --package-path bench -c release --product manager-exec-bench --show-bin-path)/manager-exec-bench
exec "$bin" "$@"
