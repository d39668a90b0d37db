"""A real Prometheus (Debian's, scripts/server-tools.sh) scrapes `ptest-iso serve`'s /metrics."""

from __future__ import annotations

import json
import pathlib
import socket
import subprocess
import time
import urllib.parse
import urllib.request

from server_support import Server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_prometheus_scrapes_the_server(tmp_path: pathlib.Path) -> None:
    server = Server(tmp_path)
    port = free_port()
    config = tmp_path / "prometheus.yml"
    target = server.url.removeprefix("http://")
    config.write_text(f"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: ptest-iso\n"
                      f"    static_configs:\n      - targets: ['{target}']\n")
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status, _ = server.call("version")
        assert status == 200
        query = urllib.parse.quote('ptest_iso_operations_total{method="version"}')
        result: list[object] = []
        deadline = time.monotonic() + 90
        while not result and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query={query}", timeout=5) as response:
                    result = json.loads(response.read())["data"]["result"]
            except OSError:
                pass
            if not result:
                time.sleep(0.5)
        assert result, "prometheus never returned a sample of ptest_iso_operations_total"
        assert float(result[0]["value"][1]) >= 1  # type: ignore[index]
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=30)
        assert server.stop() == 0
