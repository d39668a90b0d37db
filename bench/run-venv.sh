#!/usr/bin/env bash
# Build venv-bench in release, make sure uv and virtualenv are installed, and
# run it. Arguments go to venv-bench, e.g.
#   bench/run-venv.sh --iterations 50 --json bench/results/venv-latest.json
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Idempotent: a fast no-op when uv and virtualenv are there.
scripts/python-tools.sh

swift build --package-path bench -c release --product venv-bench
bin=$(swift build --package-path bench -c release --product venv-bench --show-bin-path)/venv-bench
exec "$bin" "$@"
