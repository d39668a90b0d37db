#!/usr/bin/env python3
"""Load on a live `ptest-iso serve`: CLIENTS concurrent clients share CYCLES acquire/run/release
cycles (create a busybox sandbox, run `echo`, destroy) over /v1/call. Prints p50/p99 of a
cycle; exits non-zero on any error or any container left of the owner.

    python3 bench/server_load.py --url http://127.0.0.1:8080 --token TOKEN --owner OWNER \\
        --clients 50 --cycles 1000
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

IMAGE = "ptest-iso-test/busybox:latest"


def call(url: str, token: str, method: str, request: dict[str, object]) -> dict[str, object]:
    http = urllib.request.Request(f"{url}/v1/call/{method}", data=json.dumps(request).encode(), method="POST",
                                  headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(http, timeout=300) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def run(url: str, token: str, owner: str, clients: int, cycles: int) -> int:
    lock = threading.Lock()
    remaining = [cycles]
    durations: list[float] = []
    errors: list[str] = []

    def client() -> None:
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            started = time.monotonic()
            try:
                env = call(url, token, "create", {"spec": {"engine": "docker", "image": IMAGE}})
                out = call(url, token, "run", {"id": env["id"], "argv": ["echo", "ok"]})
                call(url, token, "destroy", {"id": env["id"]})
                if out.get("stdout") != "ok\n":
                    raise RuntimeError(f"run answered {out}")
                with lock:
                    durations.append(time.monotonic() - started)
            except (urllib.error.URLError, RuntimeError, KeyError) as error:
                detail = error.read().decode() if isinstance(error, urllib.error.HTTPError) else str(error)
                with lock:
                    errors.append(detail)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    leaked = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=ptest-iso-serve.owner={owner}"],
                            check=True, capture_output=True, text=True).stdout.split()
    ordered = sorted(durations)
    if ordered:
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"cycles {len(ordered)}  p50 {statistics.median(ordered) * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms  "
              f"errors {len(errors)}  leaked {len(leaked)}")
    for error in errors[:5]:
        print("error:", error, file=sys.stderr)
    return 1 if errors or leaked or len(ordered) != cycles else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--owner", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=1000)
    arguments = parser.parse_args()
    return run(arguments.url, arguments.token, arguments.owner, arguments.clients, arguments.cycles)


if __name__ == "__main__":
    sys.exit(main())
