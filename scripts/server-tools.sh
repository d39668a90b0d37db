#!/usr/bin/env bash
# Debian's prometheus and wrk, for the server's tests: a real Prometheus scrapes `ptest-iso
# serve`'s /metrics (python/tests/test_server_metrics.py), and wrk drives the load passes
# (python/tests/test_server_load.py, bench/server_load.py). Idempotent.
set -euo pipefail
missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "server-tools.sh: installing ${missing[*]}" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
