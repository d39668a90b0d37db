"""A pool of Docker hosts from Python (``Manager(engines=...)``), against the main daemon and the
TLS one that scripts/tls-daemon.sh starts: environments spread over both, and a killed
process's environments are reaped on both by a reaper that read the same settings."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

import ptest_isolation as iso

IMAGE = "ptest-iso-test/busybox:latest"
TLS_DIR = os.environ.get("PTEST_ISO_TLS_DIR", "/tmp/ptest-iso-tls-daemon")
TLS_HOST = f"tcp://127.0.0.1:{os.environ.get('PTEST_ISO_TLS_PORT', '23760')}"
TLS = ["-H", TLS_HOST, "--tlsverify", "--tlscacert", f"{TLS_DIR}/ca.pem", "--tlscert", f"{TLS_DIR}/cert.pem",
       "--tlskey", f"{TLS_DIR}/key.pem"]


@pytest.fixture
def pool_file(tmp_path: pathlib.Path) -> str:
    if subprocess.run(["docker", *TLS, "image", "inspect", IMAGE], capture_output=True).returncode != 0:
        saved = subprocess.run(["docker", "save", IMAGE], capture_output=True, check=True).stdout
        subprocess.run(["docker", *TLS, "load"], input=saved, capture_output=True, check=True)
    settings = {"docker": {"hosts": [
        {"name": "main", "endpoint": "unix:///var/run/docker.sock"},
        {"name": "tls", "endpoint": TLS_HOST, "tls_cert_path": TLS_DIR},
    ]}}
    path = tmp_path / "pool.yaml"
    path.write_text(json.dumps(settings))
    return str(path)


def leftovers(session: str) -> list[str]:
    label = f"label=ptest-iso.session={session}"
    found = []
    for host in ([], TLS):
        found += subprocess.run(["docker", *host, "ps", "-aq", "--filter", label],
                                capture_output=True, text=True, check=True).stdout.split()
    return found


def test_environments_spread_over_the_pool(tmp_path: pathlib.Path, pool_file: str) -> None:
    with iso.Manager(str(tmp_path / "home"), engines=pool_file) as manager:
        envs = [manager.create(iso.DockerSpec(image=IMAGE)) for _ in range(2)]
        assert {env.details["host"] for env in envs} == {"main", "tls"}
        for env in envs:
            assert env.run(["echo", env.details["host"]]).stdout == env.details["host"] + "\n"
        on_tls = manager.create(iso.DockerSpec(image=IMAGE, placement=["host.name==tls"]))
        assert on_tls.details["host"] == "tls"
        session = manager.session
    assert leftovers(session) == []


def test_a_bad_engines_file_names_the_field(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "pool.json"
    path.write_text(json.dumps({"docker": {"hosts": [{"name": "x", "endpoint": "http://nowhere"}]}}))
    with pytest.raises(iso.InvalidSpec) as refused:
        iso.Manager(str(tmp_path / "home"), engines=str(path))
    assert refused.value.details["field"] == "docker.hosts[0].endpoint"


HOLDER = """
import json, sys, time
import ptest_isolation as iso
manager = iso.Manager(sys.argv[1], engines=sys.argv[2])
envs = [manager.create(iso.DockerSpec(image=sys.argv[3])) for _ in range(2)]
print(json.dumps({"session": manager.session, "hosts": [env.details["host"] for env in envs]}), flush=True)
time.sleep(600)
"""


def test_a_killed_process_is_reaped_on_every_host(tmp_path: pathlib.Path, pool_file: str) -> None:
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "home"), pool_file, IMAGE],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        held = json.loads(line)
        assert sorted(held["hosts"]) == ["main", "tls"]
        assert len(leftovers(held["session"])) == 2
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while leftovers(held["session"]) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert leftovers(held["session"]) == []
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
