"""The cost of crossing the C ABI from Python, and of creating a venv
environment from Python versus from Swift, measured in one run.

    python3 bench/abi_bench.py [--iterations N]

Targets: one ABI round trip under 20 µs (issue 10; methods whose core call is synchronous are
answered on the caller's thread, without a hop to the concurrency pool); creating from Python costs about
what it costs from Swift (the ABI adds one round trip)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))

import ptest_isolation as iso  # noqa: E402
from ptest_isolation import _native  # noqa: E402
from ptest_isolation._transport import LocalTransport  # noqa: E402


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--creates", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ptest-iso-abi-bench-") as home:
        with iso.Manager(home=home, session="abi-bench") as manager:
            transport = manager._transport
            assert isinstance(transport, LocalTransport), "the ABI bench needs a local manager (no url=)"
            handle = transport.handle
            for _ in range(200):  # warm up
                _native.call(handle, "version", {})
            round_trips = []
            for _ in range(args.iterations):
                start = time.perf_counter()
                _native.call(handle, "version", {})
                round_trips.append(time.perf_counter() - start)
            gets = []
            env = manager.create(use_template_cache=False)
            for _ in range(args.iterations // 4):
                start = time.perf_counter()
                _native.call(handle, "get", {"id": env.id})
                gets.append(time.perf_counter() - start)
            env.destroy()

            manager.create(use_template_cache=False).destroy()  # interpreter discovery, once
            creates = []
            for _ in range(args.creates):
                start = time.perf_counter()
                created = manager.create(use_template_cache=False)
                creates.append(time.perf_counter() - start)
                created.destroy()

    swift = None
    stress = os.path.join(os.path.dirname(__file__), "..", ".build", "release", "IsolationStress")
    if not os.path.exists(stress):
        stress = os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "IsolationStress")
    if os.path.exists(stress):
        with tempfile.TemporaryDirectory(prefix="ptest-iso-abi-bench-swift-") as home:
            subprocess.run([stress, home, "warm", "1"], check=True, stdout=subprocess.DEVNULL)
            output = subprocess.run([stress, home, "swift", str(args.creates), "--time-create"], check=True,
                                    capture_output=True, text=True).stdout
            swift = float(output.split()[-1]) / 1e3

    round_trip = median_us(round_trips)
    print(f"ABI round trip ('version')      median {round_trip:8.1f} µs   p90 {statistics.quantiles(round_trips, n=10)[-1] * 1e6:8.1f} µs")
    print(f"ABI round trip ('get', a row)   median {median_us(gets):8.1f} µs")
    print(f"create venv env from Python     median {statistics.median(creates) * 1e3:8.2f} ms")
    if swift is not None:
        print(f"create venv env from Swift      median {swift * 1e3:8.2f} ms")
        print(f"Python / Swift                  {statistics.median(creates) / swift:8.2f}×")
    verdict = "PASS" if round_trip < 20 else "MISS"
    print(f"{verdict}: ABI round trip {round_trip:.1f} µs (target < 20 µs)")
    print(json.dumps({"round_trip_us": round_trip, "get_us": median_us(gets), "create_ms": statistics.median(creates) * 1e3}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
