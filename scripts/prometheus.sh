#!/usr/bin/env bash
# Debian's prometheus, for python/tests/test_server_metrics.py (a real server scrapes
# `ptest-iso serve`'s /metrics). Idempotent.
set -euo pipefail
command -v prometheus >/dev/null 2>&1 && exit 0
echo "prometheus.sh: installing prometheus" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
