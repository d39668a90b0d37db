#!/usr/bin/env bash
# Warm pools over HTTP vs the local library vs testcontainers (issue 14): acquire + run `true` +
# release of a pooled venv and a pooled busybox container, through a `ptest-iso serve` on
# loopback and through the library, with release builds of both. Arguments go to
# bench/server_bench.py, e.g. --iterations 200.
#
# The load test (50 clients x 1,000 cycles through wrk and the Python client) is
# bench/server_load.py; `bench/run-server.sh --load` runs it after the benchmark.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

load=0
arguments=()
for argument in "$@"; do
  if [[ "$argument" == "--load" ]]; then load=1; else arguments+=("$argument"); fi
done

scripts/docker-up.sh
scripts/test-images.sh
scripts/server-tools.sh
source bench/release-library.sh
# The server is the ptest-iso beside the library (python/tests/server_support.py): the wheel's
# build made it; made here otherwise.
if [[ ! -x "$(dirname "$PTEST_ISO_LIB")/ptest-iso" ]]; then
  swift build -c release --product ptest-iso >&2
fi
export PYTHONPATH="$root/python:${PYTHONPATH:-}"
python3 bench/server_bench.py "${arguments[@]}"

if [[ $load == 1 ]]; then
  python3 - <<'PY'
import pathlib, sys, tempfile
sys.path.insert(0, "python/tests"); sys.path.insert(0, "bench")
from server_support import ALICE, Server
import server_load
folder = pathlib.Path(tempfile.mkdtemp(prefix="ptest-iso-load-"))
server = Server(folder, tokens=[{"token": ALICE, "owner": "load"}])
try:
    failed = 0
    for driver in ("wrk", "python"):
        failed |= server_load.run(server.url, ALICE, "load", driver=driver, clients=50, cycles=1000,
                                  pool="load", pool_min=8, pool_max=16, seconds=1200)
finally:
    assert server.stop() == 0
sys.exit(failed)
PY
fi
